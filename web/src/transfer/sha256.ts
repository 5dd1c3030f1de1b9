// SHA-256 of a file computed incrementally while it is read (@noble/hashes),
// with snapshots of the state at checkpoints so that a restart from an offset
// within this page's life re-reads only from the nearest checkpoint. After a
// reload there are no snapshots and the whole prefix is read and hashed again.

import { sha256 } from '@noble/hashes/sha2.js';

type NobleSha256 = ReturnType<typeof sha256.create>;

export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}

export class IncrementalSha256 {
  private constructor(
    private readonly state: NobleSha256,
    private bytes: number,
  ) {}

  static create(): IncrementalSha256 {
    return new IncrementalSha256(sha256.create(), 0);
  }

  /** Bytes hashed so far. */
  get position(): number {
    return this.bytes;
  }

  update(data: Uint8Array): void {
    this.state.update(data);
    this.bytes += data.byteLength;
  }

  /** The hex digest of what was hashed; the object stays usable (the state is cloned first). */
  digestHex(): string {
    return toHex(this.state.clone().digest());
  }

  clone(): IncrementalSha256 {
    return new IncrementalSha256(this.state.clone(), this.bytes);
  }
}

export function sha256Hex(data: Uint8Array): string {
  return toHex(sha256(data));
}

/** Snapshots of one file's hash state, taken every `every` bytes. */
export class HashCheckpoints {
  private readonly snapshots: IncrementalSha256[] = [];

  constructor(private readonly every = 64 * 1024 * 1024) {}

  /** Called after each update: keeps a snapshot when a checkpoint boundary was crossed. */
  note(hash: IncrementalSha256): void {
    const last = this.snapshots.at(-1)?.position ?? 0;
    if (hash.position - last >= this.every) this.snapshots.push(hash.clone());
  }

  /** A hash state at the largest checkpoint ≤ `offset` (a fresh one if none). */
  from(offset: number): IncrementalSha256 {
    for (let k = this.snapshots.length - 1; k >= 0; k--) {
      const snap = this.snapshots[k]!;
      if (snap.position <= offset) return snap.clone();
    }
    return IncrementalSha256.create();
  }
}
