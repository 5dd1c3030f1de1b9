import { describe, expect, it } from 'vitest';
import { HashCheckpoints, IncrementalSha256, sha256Hex } from '../../src/transfer/sha256';
import { pattern } from '../support/fakeTransfer';

const enc = (s: string) => new TextEncoder().encode(s);

describe('SHA-256, incremental', () => {
  it('matches the FIPS 180-2 vectors', () => {
    expect(IncrementalSha256.create().digestHex()).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const h = IncrementalSha256.create();
    h.update(enc('a'));
    h.update(enc('bc'));
    expect(h.digestHex()).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const long = IncrementalSha256.create();
    for (const part of ['abcdbcdecdefdefgefghfghighij', 'hijkijkljklmklmnlmnomnopnopq']) long.update(enc(part));
    expect(long.digestHex()).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('hashes a file in uneven slices exactly like the whole', () => {
    const data = pattern(3 * 1024 * 1024 + 17);
    const h = IncrementalSha256.create();
    for (let at = 0; at < data.length; at += 700_001) h.update(data.subarray(at, at + 700_001));
    expect(h.position).toBe(data.length);
    expect(h.digestHex()).toBe(sha256Hex(data));
  });

  it('matches the million-a vector through 2 MiB-style slices', () => {
    const data = new Uint8Array(1_000_000).fill(0x61);
    const h = IncrementalSha256.create();
    for (let at = 0; at < data.length; at += 65_523) h.update(data.subarray(at, at + 65_523));
    expect(h.digestHex()).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('digestHex leaves the state usable', () => {
    const h = IncrementalSha256.create();
    h.update(enc('ab'));
    h.digestHex();
    h.update(enc('c'));
    expect(h.digestHex()).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('restarts from the nearest checkpoint at or below an offset', () => {
    const data = pattern(10_000);
    const checkpoints = new HashCheckpoints(1_000);
    const h = IncrementalSha256.create();
    for (let at = 0; at < 5_500; at += 500) {
      h.update(data.subarray(at, at + 500));
      checkpoints.note(h);
    }
    const from = checkpoints.from(3_700)!;
    expect(from.position).toBe(3_000);
    const again = IncrementalSha256.create();
    expect(again.restore(from)).toBe(true);
    again.update(data.subarray(3_000));
    expect(again.digestHex()).toBe(sha256Hex(data));
    expect(checkpoints.from(10)).toBeNull();
    expect(checkpoints.from(3_700, 'wasm')).toBeNull(); // only the engine that took a snapshot can use it
  });

  it('keeps snapshots added out of order sorted, without duplicates', () => {
    const checkpoints = new HashCheckpoints(1_000);
    const at = (position: number) => ({ position, engine: 'js' as const, state: IncrementalSha256.create().snapshot().state });
    checkpoints.add(at(2_000));
    checkpoints.add(at(1_000));
    checkpoints.add(at(2_000));
    expect(checkpoints.from(1_500)?.position).toBe(1_000);
    expect(checkpoints.from(9_999)?.position).toBe(2_000);
    expect(checkpoints.due(2_999)).toBe(false);
    expect(checkpoints.due(3_000)).toBe(true);
  });
});

describe('SHA-256, WebAssembly engine', () => {
  it('is what createFast gives here, and matches the JavaScript one in uneven slices', async () => {
    const h = await IncrementalSha256.createFast();
    expect(h.engineName).toBe('wasm');
    expect(h.digestHex()).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const data = pattern(3 * 1024 * 1024 + 17, 5);
    for (let at = 0; at < data.length; at += 700_001) h.update(data.subarray(at, at + 700_001));
    expect(h.position).toBe(data.length);
    expect(h.digestHex()).toBe(sha256Hex(data));
    h.update(enc('more'));
    const whole = new Uint8Array(data.length + 4);
    whole.set(data);
    whole.set(enc('more'), data.length);
    expect(h.digestHex()).toBe(sha256Hex(whole)); // digestHex left the state usable
  });

  it('snapshots are plain bytes that another instance continues from; a JavaScript snapshot is refused', async () => {
    const data = pattern(200_000, 9);
    const h = await IncrementalSha256.createFast();
    h.update(data.subarray(0, 70_001));
    const snapshot = h.snapshot();
    expect(snapshot.engine).toBe('wasm');
    expect(snapshot.state).toBeInstanceOf(Uint8Array);
    const copy = structuredClone(snapshot); // what crosses to and from a worker
    const other = await IncrementalSha256.createFast();
    expect(other.restore(copy)).toBe(true);
    expect(other.position).toBe(70_001);
    other.update(data.subarray(70_001));
    expect(other.digestHex()).toBe(sha256Hex(data));
    expect(other.restore(IncrementalSha256.create().snapshot())).toBe(false);
    expect(IncrementalSha256.create().restore(snapshot)).toBe(false);
  });
});
