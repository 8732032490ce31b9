import { createHash } from "node:crypto";

// A form carries, in a hidden field (form-version.ts), a short fingerprint of the values its page
// was loaded with; the save compares it with the values' fingerprint now, and refuses a change made
// on a page that no longer shows what is recorded (another coordinator's save, the referente's own update).

/** The fingerprint of some values (anything JSON can write), as the form carries it. */
export const formVersionOf = (values: unknown) => createHash("sha256").update(JSON.stringify(values)).digest("hex").slice(0, 20);
