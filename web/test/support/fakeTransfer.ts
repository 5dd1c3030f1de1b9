// Fakes for the transfer tests: a binary data channel with a send buffer that
// drains when the test says so (or at once), Blob-like files backed by bytes,
// a daemon that writes to memory (checkpoints, durable offsets, SHA-256 check,
// restarts), and a pair of PeerLinks joining two TransferHubs.

import type { DaemonFileEvent, DaemonFilePort, FinishFileArgs, OpenFileArgs } from '../../src/transfer/DaemonFiles';
import { DaemonFileError } from '../../src/transfer/DaemonFiles';
import type { FileFinishedMessage, FileOpenedMessage } from '../../src/daemon/protocol';
import type { FileChannel } from '../../src/transfer/FileChannel';
import type { PeerLink } from '../../src/transfer/PeerLink';
import { sha256Hex } from '../../src/transfer/sha256';
import { decodeDaemonFrame, type TransferControlMessage } from '../../src/transfer/wire';
import { Emitter } from '../../src/util/timers';

export class FakeBinaryChannel implements FileChannel {
  readyState: 'connecting' | 'open' | 'closing' | 'closed' = 'open';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  binaryType = 'blob';
  /** Every message sent, as copies. */
  readonly sent: Uint8Array[] = [];
  remote: FakeBinaryChannel | null = null;
  /** When true, sent bytes stay buffered until drain() (a slow network). */
  hold = false;
  /** Makes the next N sends throw a queue-full OperationError. */
  failNextSends = 0;
  /** Largest bufferedAmount seen. */
  peakBuffered = 0;
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onbufferedamountlow: ((event: unknown) => void) | null = null;
  private queue: Uint8Array[] = [];

  constructor(readonly label: string) {}

  send(data: string | ArrayBuffer | ArrayBufferView<ArrayBuffer>): void {
    if (this.readyState !== 'open') throw Object.assign(new Error('channel closed'), { name: 'InvalidStateError' });
    if (this.failNextSends > 0) {
      this.failNextSends -= 1;
      throw Object.assign(new Error('RTCDataChannel send queue is full'), { name: 'OperationError' });
    }
    if (typeof data === 'string') throw new Error('text on a file channel');
    const bytes =
      data instanceof ArrayBuffer ? new Uint8Array(data.slice(0)) : new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    this.sent.push(bytes);
    this.bufferedAmount += bytes.byteLength;
    this.peakBuffered = Math.max(this.peakBuffered, this.bufferedAmount);
    this.queue.push(bytes);
    if (!this.hold) queueMicrotask(() => this.drain());
  }

  /** Delivers up to `bytes` of what is buffered (all by default). */
  drain(bytes = Infinity): void {
    let budget = bytes;
    while (this.queue.length > 0 && budget > 0) {
      const next = this.queue.shift()!;
      budget -= next.byteLength;
      const before = this.bufferedAmount;
      this.bufferedAmount -= next.byteLength;
      const remote = this.remote;
      if (remote && remote.readyState === 'open') remote.onmessage?.({ data: next.slice().buffer });
      if (before > this.bufferedAmountLowThreshold && this.bufferedAmount <= this.bufferedAmountLowThreshold) {
        this.onbufferedamountlow?.({});
      }
    }
  }

  close(): void {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    this.queue = [];
    this.bufferedAmount = 0;
    this.onclose?.({});
    const remote = this.remote;
    this.remote = null;
    if (remote) remote.close();
  }
}

/** A File-like object over bytes; reads can be made to fail. */
export class FakeBlob {
  reads = 0;
  fail = false;
  constructor(
    readonly bytes: Uint8Array,
    readonly name = 'file.bin',
    readonly lastModified = 1_700_000_000_000,
  ) {}
  get size(): number {
    return this.bytes.byteLength;
  }
  slice(start: number, end: number) {
    return {
      arrayBuffer: async (): Promise<ArrayBuffer> => {
        this.reads += 1;
        await Promise.resolve();
        if (this.fail) throw new Error('NotReadableError');
        return this.bytes.slice(start, end).buffer;
      },
    };
  }
  /** As a File for PickedFile. */
  asFile(): File {
    return this as unknown as File;
  }
}

export function pattern(size: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = seed;
  for (let k = 0; k < size; k++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[k] = x >>> 24;
  }
  return bytes;
}

interface DaemonFile {
  key: string;
  data: Uint8Array;
  received: number;
  durable: number;
  size: number;
  handle: number | null;
  peer: string;
  tid: string;
  i: number;
  path: string;
}

/** A daemon that writes to memory. Durable = received at every frame unless `manualCheckpoints`. */
export class FakeDaemon implements DaemonFilePort {
  connection = 1;
  ready = true;
  bufferedAmount = 0;
  manualCheckpoints = false;
  /** file_open answers with this error code for these paths. */
  refuse = new Map<string, string>();
  readonly files = new Map<string, DaemonFile>();
  readonly finished: { name: string; data: Uint8Array; sha256: string }[] = [];
  readonly cancelled: string[] = [];
  readonly opens: OpenFileArgs[] = [];
  readonly frames: { handle: number; offset: number; length: number }[] = [];
  bytesWritten = 0;
  private readonly events = new Emitter<DaemonFileEvent>();
  private nextHandle = 1;
  private readonly byHandle = new Map<number, DaemonFile>();

  on(listener: (event: DaemonFileEvent) => void): () => void {
    return this.events.on(listener);
  }

  open(args: OpenFileArgs): Promise<FileOpenedMessage> {
    this.opens.push(args);
    if (!this.ready) return Promise.reject(new DaemonFileError('disconnected', 'not connected'));
    const code = this.refuse.get(args.path);
    if (code) return Promise.reject(new DaemonFileError(code, `refused: ${code}`));
    const key = `${args.peer}/${args.tid}/${args.i}`;
    let file = this.files.get(key);
    if (!file) {
      file = { key, data: new Uint8Array(args.size), received: 0, durable: 0, size: args.size, handle: null, peer: args.peer, tid: args.tid, i: args.i, path: args.path };
      this.files.set(key, file);
    }
    const handle = this.nextHandle++;
    file.handle = handle;
    this.byHandle.set(handle, file);
    const answer: FileOpenedMessage = { type: 'file_opened', tid: args.tid, i: args.i, handle, offset: file.durable, name: args.path.replace(/\.\.\//g, '') };
    return Promise.resolve().then(() => answer);
  }

  finish(args: FinishFileArgs): Promise<FileFinishedMessage> {
    const file = this.byHandle.get(args.handle);
    if (!this.ready) return Promise.reject(new DaemonFileError('disconnected', 'not connected'));
    if (!file) return Promise.reject(new DaemonFileError('unknown_handle', 'no such handle'));
    const sha = sha256Hex(file.data.subarray(0, file.received));
    file.durable = file.received;
    let answer: FileFinishedMessage;
    if (file.received !== args.size) answer = { type: 'file_finished', tid: file.tid, i: file.i, ok: false, code: 'size_mismatch', error: 'size' };
    else if (sha !== args.sha256) answer = { type: 'file_finished', tid: file.tid, i: file.i, ok: false, code: 'hash_mismatch', error: 'hash' };
    else {
      answer = { type: 'file_finished', tid: file.tid, i: file.i, ok: true, name: file.path };
      this.finished.push({ name: file.path, data: file.data.slice(0, file.received), sha256: sha });
      this.files.delete(file.key);
    }
    this.byHandle.delete(args.handle);
    return Promise.resolve().then(() => answer);
  }

  cancel(peer: string, tid: string): void {
    this.cancelled.push(`${peer}/${tid}`);
    for (const [key, file] of this.files) if (key.startsWith(`${peer}/${tid}/`)) {
      this.files.delete(key);
      if (file.handle !== null) this.byHandle.delete(file.handle);
    }
  }

  sendBinary(frame: Uint8Array): boolean {
    if (!this.ready) return false;
    const decoded = decodeDaemonFrame(frame);
    if (!decoded) return false;
    const file = this.byHandle.get(decoded.handle);
    this.frames.push({ handle: decoded.handle, offset: decoded.offset, length: decoded.payload.byteLength });
    if (!file) {
      queueMicrotask(() => this.events.emit({ type: 'frameError', handle: decoded.handle, code: 'unknown_handle', error: 'unknown' }));
      return true;
    }
    if (decoded.offset > file.received) {
      queueMicrotask(() => this.events.emit({ type: 'frameError', handle: decoded.handle, code: 'out_of_order', error: 'gap' }));
      return true;
    }
    const skip = file.received - decoded.offset;
    const payload = decoded.payload.subarray(Math.max(0, skip));
    file.data.set(payload, file.received);
    file.received += payload.byteLength;
    this.bytesWritten += payload.byteLength;
    if (!this.manualCheckpoints) this.checkpoint(file);
    return true;
  }

  /** Makes received bytes durable and tells the page (file_progress). */
  checkpoint(file?: DaemonFile): void {
    const files = file ? [file] : [...this.files.values()];
    for (const f of files) {
      f.durable = f.received;
      const message = { type: 'file_progress' as const, peer: f.peer, tid: f.tid, i: f.i, received: f.received, durable: f.durable };
      this.events.emit({ type: 'progress', message });
    }
  }

  /** The WebSocket dropped (and the daemon perhaps died): handles and undurable bytes are gone. */
  down(loseUndurable = true): void {
    this.ready = false;
    this.byHandle.clear();
    for (const f of this.files.values()) {
      f.handle = null;
      if (loseUndurable) f.received = f.durable;
    }
    this.events.emit({ type: 'down' });
  }

  up(): void {
    this.ready = true;
    this.connection += 1;
    this.events.emit({ type: 'up' });
  }
}

/** Two ends of a peer connection for two hubs: control frames and file channels. */
export class FakeLinkPair {
  readonly a: FakeLink;
  readonly b: FakeLink;
  constructor(aName = 'Alice', bName = 'Bob') {
    this.a = new FakeLink(bName);
    this.b = new FakeLink(aName);
    this.a.other = this.b;
    this.b.other = this.a;
  }
}

export class FakeLink implements PeerLink {
  connected = true;
  maxMessageSize: number | null = 262_144;
  other: FakeLink | null = null;
  readonly controlSent: TransferControlMessage[] = [];
  readonly channels: FakeBinaryChannel[] = [];
  /** Set by the test: receives what the other side sends. */
  onControl: ((message: TransferControlMessage) => void) | null = null;
  onChannel: ((channel: FakeBinaryChannel) => void) | null = null;
  /** When true, channels hold their bytes until drained by the test. */
  holdChannels = false;

  constructor(readonly name: string) {}

  sendControl(message: TransferControlMessage): boolean {
    return this.sendControlText(JSON.stringify(message));
  }

  sendControlText(frame: string): boolean {
    if (!this.connected) return false;
    const message = JSON.parse(frame) as TransferControlMessage;
    this.controlSent.push(message);
    const other = this.other;
    queueMicrotask(() => {
      if (other?.connected) other.onControl?.(message);
    });
    return true;
  }

  openFileChannel(label: string): FileChannel | null {
    if (!this.connected) return null;
    const mine = new FakeBinaryChannel(label);
    mine.hold = this.holdChannels;
    const theirs = new FakeBinaryChannel(label);
    mine.remote = theirs;
    theirs.remote = mine;
    this.channels.push(mine);
    const other = this.other;
    queueMicrotask(() => other?.onChannel?.(theirs));
    return mine;
  }

  /** The connection drops: channels close. */
  drop(): void {
    this.connected = false;
    if (this.other) this.other.connected = false;
    for (const c of this.channels) c.close();
    for (const c of this.other?.channels ?? []) c.close();
  }

  restore(): void {
    this.connected = true;
    if (this.other) this.other.connected = true;
  }
}

export class MemoryStorage {
  private readonly map = new Map<string, string>();
  get length(): number {
    return this.map.size;
  }
  key(index: number): string | null {
    return [...this.map.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value);
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
}

export async function flush(rounds = 20): Promise<void> {
  for (let k = 0; k < rounds; k++) await new Promise<void>((resolve) => setTimeout(resolve, 0));
}

/** Byte-wise equality (expect(...).toEqual is slow on megabytes). */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b || a.byteLength !== b.byteLength) return false;
  for (let k = 0; k < a.byteLength; k++) if (a[k] !== b[k]) return false;
  return true;
}
