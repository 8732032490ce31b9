// A fixed-window counter in memory: the portal runs as one process, so this is exact enough
// and costs nothing on the database.
const windows = new Map<string, { startedAt: number; count: number }>();

export function consumeRateLimit({ key, limit, windowMs, now = Date.now() }: { key: string; limit: number; windowMs: number; now?: number }) {
  const current = windows.get(key);
  if (!current || now - current.startedAt >= windowMs) {
    windows.set(key, { startedAt: now, count: 1 });
    if (windows.size > 50_000) pruneExpired(now, windowMs);
    return { allowed: true, retryAfterSeconds: 0 };
  }
  current.count += 1;
  if (current.count <= limit) return { allowed: true, retryAfterSeconds: 0 };
  return { allowed: false, retryAfterSeconds: Math.ceil((current.startedAt + windowMs - now) / 1000) };
}

/** When the refusal of `key` ends (ms since the epoch), if it has already used up `limit` in the current window; else null. */
export function rateLimitedUntil({ key, limit, windowMs, now = Date.now() }: { key: string; limit: number; windowMs: number; now?: number }) {
  const current = windows.get(key);
  if (!current || now - current.startedAt >= windowMs || current.count < limit) return null;
  return current.startedAt + windowMs;
}

/** Whether `key` has already used up `limit` in the current window (without counting this call). */
export function isRateLimited({ key, limit, windowMs, now = Date.now() }: { key: string; limit: number; windowMs: number; now?: number }) {
  const until = rateLimitedUntil({ key, limit, windowMs, now });
  if (until === null) return { limited: false, retryAfterSeconds: 0 };
  return { limited: true, retryAfterSeconds: Math.ceil((until - now) / 1000) };
}

/** How many more counts `key` may take in the current window before it is refused. */
export function remainingAllowed({ key, limit, windowMs, now = Date.now() }: { key: string; limit: number; windowMs: number; now?: number }) {
  const current = windows.get(key);
  if (!current || now - current.startedAt >= windowMs) return limit;
  return Math.max(0, limit - current.count);
}

/** Forgets what `key` has counted: the next window starts afresh. */
export function clearRateLimit(key: string) {
  windows.delete(key);
}

function pruneExpired(now: number, windowMs: number) {
  for (const [key, w] of windows) if (now - w.startedAt >= windowMs) windows.delete(key);
}

/** A wait in whole minutes, rounded up: "un minuto", "12 minuti". */
export function minutesText(seconds: number) {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return minutes === 1 ? "un minuto" : `${minutes} minuti`;
}

/**
 * Status and header of a refused request whose page shows its form again (the values typed, and the
 * wait in its error summary) rather than an error page that would lose them.
 */
export function tooManyRequestsInit(retryAfterSeconds: number): ResponseInit {
  return { status: 429, headers: { "Retry-After": String(retryAfterSeconds) } };
}
