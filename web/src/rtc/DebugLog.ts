// A bounded, timestamped log per peer for the debug panel and bug reports.

export type DebugCategory =
  | 'state'
  | 'signal-out'
  | 'signal-in'
  | 'local-candidate'
  | 'remote-candidate'
  | 'rtc'
  | 'chat'
  | 'error';

export interface DebugEntry {
  /** Unix ms. */
  at: number;
  category: DebugCategory;
  text: string;
}

export class DebugLog {
  private list: DebugEntry[] = [];

  constructor(
    private readonly now: () => number,
    private readonly limit = 500,
  ) {}

  add(category: DebugCategory, text: string): void {
    const next = [...this.list, { at: this.now(), category, text }];
    this.list = next.length > this.limit ? next.slice(next.length - this.limit) : next;
  }

  get entries(): readonly DebugEntry[] {
    return this.list;
  }

  byCategory(...categories: DebugCategory[]): DebugEntry[] {
    return this.list.filter((e) => categories.includes(e.category));
  }
}

/** Shortens long values (SDP bodies) for the log. */
export function truncate(text: string, max = 120): string {
  return text.length <= max ? text : `${text.slice(0, max)}\u2026 (${text.length} chars)`;
}

export function formatTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
