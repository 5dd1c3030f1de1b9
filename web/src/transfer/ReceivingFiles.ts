// The files of one incoming transfer as the receiver tracks them: where each
// stands at the daemon (handle, bytes forwarded, bytes durable), its verdict,
// and the first one without a verdict (the lists are long for folders).

import type { FileResult } from './FileReceiver';
import type { OfferedFile, XferFileEnd } from './wire';

export interface ReceivingFile {
  readonly i: number;
  readonly path: string;
  readonly size: number;
  readonly base: number;
  handle: number | null;
  /** The daemon connection the handle belongs to. */
  connection: number;
  opening: Promise<void> | null;
  /** The daemon's name for it (sanitized, then final). */
  name: string | null;
  /** Bytes forwarded to the daemon (or held by it). */
  next: number;
  durable: number;
  end: XferFileEnd | null;
  finishing: boolean;
  result: FileResult | null;
  /** Data that arrived before the file was open. */
  queue: ArrayBuffer[];
  inUseRetries: number;
  /** Frames the daemon refused since this file last made progress. */
  frameErrors: number;
}

export interface FileProgress {
  received: number;
  durable: number;
  result: FileResult | null;
  name: string | null;
}

export class ReceivingFiles {
  readonly list: ReceivingFile[] = [];
  private readonly byIndex = new Map<number, ReceivingFile>();
  private doneCount = 0;
  /** Position of the first file without a verdict. */
  private lowest = 0;
  readonly total: number;

  /** `results`: verdicts known from before a reload. */
  constructor(files: readonly OfferedFile[], results?: ReadonlyMap<number, FileResult>) {
    let base = 0;
    for (const f of [...files].sort((a, b) => a.i - b.i)) {
      const result = results?.get(f.i) ?? null;
      const state: ReceivingFile = {
        i: f.i,
        path: f.path,
        size: f.size,
        base,
        handle: null,
        connection: -1,
        opening: null,
        name: result?.ok ? result.name : null,
        next: result ? f.size : 0,
        durable: result ? f.size : 0,
        end: null,
        finishing: false,
        result,
        queue: [],
        inUseRetries: 0,
        frameErrors: 0,
      };
      base += f.size;
      this.list.push(state);
      this.byIndex.set(f.i, state);
    }
    this.total = base;
    this.doneCount = this.list.filter((f) => f.result !== null).length;
    this.advanceLowest();
  }

  get(i: number): ReceivingFile | undefined {
    return this.byIndex.get(i);
  }

  get bytesReceived(): number {
    return this.list.reduce((sum, f) => sum + Math.min(f.size, f.next), 0);
  }

  get bytesDurable(): number {
    return this.list.reduce((sum, f) => sum + Math.min(f.size, f.durable), 0);
  }

  progress(i: number): FileProgress | null {
    const f = this.byIndex.get(i);
    return f ? { received: Math.min(f.size, f.next), durable: Math.min(f.size, f.durable), result: f.result, name: f.name } : null;
  }

  results(): Map<number, FileResult> {
    const map = new Map<number, FileResult>();
    for (const f of this.list) if (f.result) map.set(f.i, f.result);
    return map;
  }

  get allDone(): boolean {
    return this.doneCount === this.list.length;
  }

  /** Gives `f` its verdict: an accepted file is held to its end. */
  setResult(f: ReceivingFile, result: FileResult): void {
    if (f.result === null) this.doneCount += 1;
    f.result = result;
    this.advanceLowest();
    f.queue = [];
    if (result.ok) {
      f.name = result.name;
      f.durable = f.size;
      f.next = f.size;
    }
    f.handle = null;
  }

  /** The files without a verdict, in order. */
  *open(): Iterable<ReceivingFile> {
    for (let k = this.lowest; k < this.list.length; k++) {
      const f = this.list[k]!;
      if (!f.result) yield f;
    }
  }

  /** The file acks refer to: the first one not yet durable to its end. */
  ackPoint(): ReceivingFile | null {
    let last: ReceivingFile | null = null;
    for (const f of this.open()) {
      if (f.durable < f.size) return f;
      last = f;
    }
    return last;
  }

  private advanceLowest(): void {
    while (this.lowest < this.list.length && this.list[this.lowest]!.result !== null) this.lowest += 1;
  }
}
