// Monotonic time for the benchmarks (process.hrtime in the test process),
// polling with a deadline, and plain waits for the idle measurements.

export function now() {
  return process.hrtime.bigint();
}

/** Milliseconds from `from` to `to` (both from now()). */
export function msBetween(from, to) {
  return Number(to - from) / 1e6;
}

export function msSince(from) {
  return msBetween(from, now());
}

/**
 * A fixed wait. Only for what is measured over time (idle RSS and CPU) and for
 * letting the machine settle between runs, never to synchronise with a daemon.
 */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls `fn` until `until(value)` is true: a new call starts `intervalMs`
 * after the previous one started (at once if that one took longer). Gives up
 * after `timeoutMs` with an error naming `what`. `abort()` returning a string
 * ends the wait early with that message. Resolves with
 * { value, sentAt, receivedAt, attempts } for the call that succeeded.
 */
export async function pollUntil(fn, { intervalMs, timeoutMs, what, until = Boolean, abort = () => undefined }) {
  const started = now();
  for (let attempts = 1; ; attempts++) {
    const sentAt = now();
    const value = await fn();
    const receivedAt = now();
    if (until(value)) return { value, sentAt, receivedAt, attempts };
    const aborted = abort();
    if (aborted) throw new Error(`stopped waiting for ${what}: ${aborted}`);
    if (msBetween(started, receivedAt) >= timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms (${attempts} attempts) waiting for ${what}; ` +
        `last value: ${shorten(value)}`);
    }
    const wait = intervalMs - msSince(sentAt);
    if (wait > 0) await sleep(wait);
  }
}

function shorten(value) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch {
    text = String(value);
  }
  return text && text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
