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
    const from = checkpoints.from(3_700);
    expect(from.position).toBe(3_000);
    from.update(data.subarray(3_000));
    expect(from.digestHex()).toBe(sha256Hex(data));
    expect(checkpoints.from(10).position).toBe(0);
  });
});
