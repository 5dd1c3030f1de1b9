// Speed over a sliding window, time left, and a throttle so that progress
// reaches the page a few times a second rather than once per chunk.

import type { TimerHandle, Timers } from '../util/timers';

export class RateMeter {
  private samples: { at: number; value: number }[] = [];

  constructor(private readonly windowMs = 3_000) {}

  /** Records that the counter stood at `value` at time `at` (ms). */
  sample(at: number, value: number): void {
    const last = this.samples.at(-1);
    if (last && value < last.value) this.samples = []; // restarted lower: forget the old slope
    if (last && last.at === at) last.value = value;
    else this.samples.push({ at, value });
    const oldest = at - this.windowMs;
    while (this.samples.length > 2 && this.samples[1]!.at <= oldest) this.samples.shift();
  }

  /** Bytes per second over the window, null until there are two samples at least 200 ms apart. */
  rate(now: number): number | null {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last === first) return null;
    // Counting up to now: a stall shows as a falling rate.
    const span = Math.max(now, last.at) - first.at;
    if (span < 200) return null;
    return ((last.value - first.value) * 1000) / span;
  }

  reset(): void {
    this.samples = [];
  }
}

/** Seconds left at `rate` bytes/s, null when unknown (no rate yet, or stalled). */
export function etaSeconds(remaining: number, rate: number | null): number | null {
  if (remaining <= 0) return 0;
  if (rate === null || rate <= 0) return null;
  return remaining / rate;
}

/** Calls `run` at most once per `intervalMs`; a call within the interval is held until its end. */
export class Throttle {
  private last = -Infinity;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly timers: Timers,
    private readonly intervalMs: number,
    private readonly run: () => void,
  ) {}

  request(): void {
    if (this.timer !== null) return;
    const now = this.timers.now();
    const wait = this.last + this.intervalMs - now;
    if (wait <= 0) {
      this.last = now;
      this.run();
      return;
    }
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.last = this.timers.now();
      this.run();
    }, wait);
  }

  /** Runs now (e.g. at a file's end), cancelling a held call. */
  flush(): void {
    this.cancel();
    this.last = this.timers.now();
    this.run();
  }

  cancel(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }
}
