// SHA-256 of a file computed incrementally while it is read, with snapshots
// of the state at checkpoints so that a restart from an offset within this
// page's life re-reads only from the nearest checkpoint. After a reload there
// are no snapshots and the whole prefix is read and hashed again.
//
// Two engines: WebAssembly (hash-wasm, about twice as fast as JavaScript,
// used where it can be compiled: the daemon's CSP allows 'wasm-unsafe-eval')
// and plain JavaScript (@noble/hashes) where it cannot. A snapshot belongs to
// the engine that took it.

import { sha256 } from '@noble/hashes/sha2.js';
import { createSHA256, type IHasher } from 'hash-wasm';

type NobleSha256 = ReturnType<typeof sha256.create>;

export type Sha256EngineName = 'wasm' | 'js';

/** The state of an incremental SHA-256 after `position` bytes (the wasm state is plain bytes: it can be posted to a worker). */
export interface HashSnapshot {
  readonly position: number;
  readonly engine: Sha256EngineName;
  readonly state: Uint8Array | NobleSha256;
}

export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}

interface Engine {
  readonly name: Sha256EngineName;
  /** Back to the state of no bytes. */
  init(): void;
  update(data: Uint8Array): void;
  /** The digest so far, leaving the state usable. */
  digestHex(): string;
  save(): Uint8Array | NobleSha256;
  load(state: Uint8Array | NobleSha256): void;
}

class JsEngine implements Engine {
  readonly name = 'js';
  private state: NobleSha256 = sha256.create();

  init(): void {
    this.state = sha256.create();
  }

  update(data: Uint8Array): void {
    this.state.update(data);
  }

  digestHex(): string {
    return toHex(this.state.clone().digest());
  }

  save(): NobleSha256 {
    return this.state.clone();
  }

  load(state: Uint8Array | NobleSha256): void {
    if (state instanceof Uint8Array) throw new Error('not a JavaScript SHA-256 state');
    this.state = state.clone();
  }
}

class WasmEngine implements Engine {
  readonly name = 'wasm';

  constructor(private readonly hasher: IHasher) {
    hasher.init();
  }

  init(): void {
    this.hasher.init();
  }

  update(data: Uint8Array): void {
    this.hasher.update(data);
  }

  digestHex(): string {
    const state = this.hasher.save();
    const hex = this.hasher.digest('hex');
    this.hasher.load(state);
    return hex;
  }

  save(): Uint8Array {
    return this.hasher.save();
  }

  load(state: Uint8Array | NobleSha256): void {
    if (!(state instanceof Uint8Array)) throw new Error('not a WebAssembly SHA-256 state');
    this.hasher.load(state);
  }
}

let wasmAvailable: Promise<boolean> | null = null;

/** Can the WebAssembly engine run here (compiled once, then cached by hash-wasm)? */
function wasmWorks(): Promise<boolean> {
  wasmAvailable ??= createSHA256().then(
    () => true,
    () => false,
  );
  return wasmAvailable;
}

export class IncrementalSha256 {
  private constructor(
    private readonly engine: Engine,
    private bytes: number,
  ) {}

  /** A JavaScript one (synchronous; tests, small jobs). */
  static create(): IncrementalSha256 {
    return new IncrementalSha256(new JsEngine(), 0);
  }

  /** The fastest engine that works here: WebAssembly, else JavaScript. */
  static async createFast(): Promise<IncrementalSha256> {
    if (await wasmWorks()) {
      try {
        return new IncrementalSha256(new WasmEngine(await createSHA256()), 0);
      } catch {
        // fall through to JavaScript
      }
    }
    return IncrementalSha256.create();
  }

  get engineName(): Sha256EngineName {
    return this.engine.name;
  }

  /** Bytes hashed so far. */
  get position(): number {
    return this.bytes;
  }

  update(data: Uint8Array): void {
    this.engine.update(data);
    this.bytes += data.byteLength;
  }

  /** The hex digest of what was hashed; the object stays usable. */
  digestHex(): string {
    return this.engine.digestHex();
  }

  snapshot(): HashSnapshot {
    return { position: this.bytes, engine: this.engine.name, state: this.engine.save() };
  }

  /** Starts again from no bytes (an instance can be reused for the next file). */
  reset(): void {
    this.engine.init();
    this.bytes = 0;
  }

  /** Continues from `snapshot`; false (and unchanged) if another engine took it. */
  restore(snapshot: HashSnapshot): boolean {
    if (snapshot.engine !== this.engine.name) return false;
    this.engine.load(snapshot.state);
    this.bytes = snapshot.position;
    return true;
  }
}

export function sha256Hex(data: Uint8Array): string {
  return toHex(sha256(data));
}

export const HASH_CHECKPOINT_BYTES = 64 * 1024 * 1024;

/** Snapshots of one file's hash state, one every `every` bytes. */
export class HashCheckpoints {
  private readonly snapshots: HashSnapshot[] = [];

  constructor(private readonly every = HASH_CHECKPOINT_BYTES) {}

  /** Is a snapshot due after hashing up to `position`? */
  due(position: number): boolean {
    const last = this.snapshots.at(-1)?.position ?? 0;
    return position - last >= this.every;
  }

  /** Called after each update: keeps a snapshot when a checkpoint boundary was crossed. */
  note(hash: IncrementalSha256): void {
    if (this.due(hash.position)) this.add(hash.snapshot());
  }

  /** Keeps a snapshot taken elsewhere (e.g. by the reading worker); the list stays in position order. */
  add(snapshot: HashSnapshot): void {
    const last = this.snapshots.at(-1);
    if (last && snapshot.position <= last.position) {
      if (this.snapshots.some((s) => s.position === snapshot.position && s.engine === snapshot.engine)) return;
      this.snapshots.push(snapshot);
      this.snapshots.sort((a, b) => a.position - b.position);
      return;
    }
    this.snapshots.push(snapshot);
  }

  /** The snapshot at the largest checkpoint ≤ `offset` taken by `engine`, or null (start from 0). */
  from(offset: number, engine?: Sha256EngineName): HashSnapshot | null {
    for (let k = this.snapshots.length - 1; k >= 0; k--) {
      const snap = this.snapshots[k]!;
      if (snap.position <= offset && (engine === undefined || snap.engine === engine)) return snap;
    }
    return null;
  }
}
