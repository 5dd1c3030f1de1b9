// Polling with a deadline: the only way lab tests wait for anything.

const kDefaultTimeoutMs = 5000;
const kDefaultIntervalMs = 100;
const kMaxShownChars = 2000;

/**
 * Calls `fn` every `interval` ms until it returns a truthy value (resolved
 * with that value) or `timeout` ms have passed (rejected with an error that
 * names `what` and shows the last value). With `until`, `fn` is a getter and
 * `until(value)` decides; the error then shows the last value `fn` returned.
 * An exception thrown by `fn` or `until` ends the wait at once.
 */
export async function waitFor(fn, options = {}) {
  const { timeout = kDefaultTimeoutMs, interval = kDefaultIntervalMs, what = 'a condition', until } = options;
  const started = Date.now();
  const deadline = started + timeout;
  let last;
  for (let attempt = 1; ; attempt++) {
    last = await fn();
    const done = until ? until(last) : last;
    if (done) return last;
    const now = Date.now();
    if (now >= deadline) {
      throw new Error(
        `waitFor: timed out after ${now - started} ms (limit ${timeout} ms, ${attempt} attempts) waiting for ${what}; ` +
        `last value: ${show(last)}`,
      );
    }
    await delay(Math.min(interval, deadline - now));
  }
}

export function show(value) {
  let text;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    text = String(value);
  }
  if (text === undefined) text = String(value);
  return text.length > kMaxShownChars ? `${text.slice(0, kMaxShownChars)}… (${text.length} chars)` : text;
}

/** Internal pacing between polls; tests must not use it to synchronise. */
function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
