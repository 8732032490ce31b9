/**
 * A reason the portal cannot start that the operator must fix (another instance on the database, a
 * path or port that cannot be used). server.js prints its message, one Italian line naming the
 * setting and what to do, and exits with code 1 without a stack trace.
 */
export class StartupError extends Error {}
