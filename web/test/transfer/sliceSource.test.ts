import { describe, expect, it } from 'vitest';
import { HashCheckpoints, IncrementalSha256, sha256Hex, type HashSnapshot } from '../../src/transfer/sha256';
import { InThreadSliceSource } from '../../src/transfer/InThreadSliceSource';
import { SliceWorkerHost } from '../../src/transfer/SliceWorkerHost';
import {
  ReadError,
  SourceFailed,
  readSlices,
  type SliceRequest,
  type SliceSource,
  type SliceStream,
} from '../../src/transfer/sliceSource';
import type { FromSliceWorker } from '../../src/transfer/sliceWorkerProtocol';
import { WorkerSliceSource, createSliceSource } from '../../src/transfer/WorkerSliceSource';
import { realTimers, type Timers } from '../../src/util/timers';
import { FakeBlob, pattern, sameBytes } from '../support/fakeTransfer';
import { FakeSliceWorker } from '../support/fakeSliceWorker';

const KiB = 1024;

function request(blob: FakeBlob, start = 0, checkpoints = new HashCheckpoints(64 * KiB)): SliceRequest {
  return { blob, path: 'dir/a.bin', size: blob.size, start, hashFrom: (engine) => checkpoints.from(start, engine) };
}

async function drain(stream: SliceStream): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (let bytes = await stream.next(); bytes; bytes = await stream.next()) parts.push(bytes.slice());
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** A timer that never fires (the worker's start deadline must not matter unless a test says so). */
const stillTimers: Timers = { ...realTimers, setTimeout: () => 0, clearTimeout: () => undefined };

describe('readSlices', () => {
  it('hashes from the snapshot, yields from start (cutting the slice that straddles it), and returns the whole digest', async () => {
    const data = pattern(300 * KiB + 7, 3);
    const blob = new FakeBlob(data);
    const snaps: HashSnapshot[] = [];
    const generator = readSlices(request(blob, 100 * KiB + 1), IncrementalSha256.create(), (s) => snaps.push(s), {
      sliceBytes: 64 * KiB,
      checkpointBytes: 128 * KiB,
    });
    const parts: Uint8Array[] = [];
    let result = await generator.next();
    while (!result.done) {
      parts.push(result.value);
      result = await generator.next();
    }
    expect(result.value).toBe(sha256Hex(data));
    expect(parts[0]!.byteLength).toBe(128 * KiB - (100 * KiB + 1));
    const joined = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    parts.reduce((at, p) => (joined.set(p, at), at + p.byteLength), 0);
    expect(sameBytes(joined, data.subarray(100 * KiB + 1))).toBe(true);
    expect(snaps.map((s) => s.position)).toEqual([128 * KiB, 256 * KiB]);
    expect(blob.reads).toBe(5);
  });

  it('fails with ReadError naming the file when it cannot be read or changed size', async () => {
    const blob = new FakeBlob(pattern(1000));
    blob.fail = true;
    const generator = readSlices(request(blob), IncrementalSha256.create(), () => undefined);
    await expect(generator.next()).rejects.toThrow(ReadError);
    const changed = readSlices({ ...request(new FakeBlob(pattern(10))), size: 11 }, IncrementalSha256.create(), () => undefined);
    await expect(changed.next()).rejects.toThrow(/dir\/a\.bin changed size/);
  });
});

function sources(): [string, () => SliceSource][] {
  return [
    ['on the page', () => new InThreadSliceSource({ sliceBytes: 64 * KiB, checkpointBytes: 128 * KiB })],
    [
      'in a worker (JavaScript engine)',
      () => new WorkerSliceSource(() => new FakeSliceWorker(), { sliceBytes: 64 * KiB, checkpointBytes: 128 * KiB, timers: stillTimers }),
    ],
    [
      'in a worker (WebAssembly engine)',
      () =>
        new WorkerSliceSource(() => new FakeSliceWorker({ wasm: true }), {
          sliceBytes: 64 * KiB,
          checkpointBytes: 128 * KiB,
          timers: stillTimers,
        }),
    ],
  ];
}

describe.each(sources())('a slice source %s', (_name, make) => {
  it('gives every byte from start in order, the SHA-256 of the whole file, and snapshots that a later stream restarts from', async () => {
    const data = pattern(700 * KiB + 3, 7);
    const blob = new FakeBlob(data);
    const source = make();
    const checkpoints = new HashCheckpoints(128 * KiB);
    const first = source.open(request(blob, 0, checkpoints), (s) => checkpoints.add(s));
    const all = await drain(first);
    expect(sameBytes(all, data)).toBe(true);
    expect(first.sha256).toBe(sha256Hex(data));
    expect(checkpoints.from(data.length)?.position).toBe(640 * KiB);

    // A restart at 600 KiB: hashing resumes at the 512 KiB snapshot, not at 0.
    const readsBefore = blob.reads;
    const again = source.open(request(blob, 600 * KiB, checkpoints), (s) => checkpoints.add(s));
    const rest = await drain(again);
    expect(sameBytes(rest, data.subarray(600 * KiB))).toBe(true);
    expect(again.sha256).toBe(sha256Hex(data));
    expect(blob.reads - readsBefore).toBe(3); // 512 KiB .. 700 KiB in 64 KiB slices
    source.close();
  });

  it('passes a read error on, with the file named', async () => {
    const blob = new FakeBlob(pattern(200 * KiB));
    blob.fail = true;
    const source = make();
    const stream = source.open(request(blob), () => undefined);
    await expect(stream.next()).rejects.toThrow(/Could not read dir\/a\.bin/);
    source.close();
  });

  it('an empty file has no slices and the empty digest', async () => {
    const source = make();
    const stream = source.open(request(new FakeBlob(new Uint8Array(0))), () => undefined);
    expect(await stream.next()).toBeNull();
    expect(stream.sha256).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    source.close();
  });
});

describe('WorkerSliceSource', () => {
  const opts = { sliceBytes: 64 * KiB, checkpointBytes: 1024 * KiB, timers: stillTimers };

  it('reads only a few slices ahead of the page, and stops reading when the stream is closed', async () => {
    const worker = new FakeSliceWorker();
    const source = new WorkerSliceSource(() => worker, { ...opts, readAhead: 2 });
    const blob = new FakeBlob(pattern(2048 * KiB));
    const stream = source.open(request(blob), () => undefined);
    expect(await stream.next()).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 10));
    // One taken + two pulled ahead, plus the reader's own one read in flight.
    expect(worker.slicesPosted).toBe(3);
    expect(blob.reads).toBeLessThanOrEqual(5);
    stream.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const reads = blob.reads;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(blob.reads).toBe(reads);
    expect(worker.received.some((m) => m.t === 'close')).toBe(true);
    source.close();
    expect(worker.terminated).toBe(true);
  });

  it('reads on the page when the worker cannot be made or does not start in time', async () => {
    const blob = new FakeBlob(pattern(100 * KiB, 2));
    const broken = new WorkerSliceSource(() => {
      throw new Error('no workers here');
    }, opts);
    expect(broken.mode).toBe('page');
    expect(await drain(broken.open(request(blob), () => undefined))).toHaveLength(100 * KiB);

    let fire: (() => void) | null = null;
    const timers: Timers = { ...realTimers, setTimeout: (callback) => ((fire = callback), 1), clearTimeout: () => undefined };
    const silent = new FakeSliceWorker({ start: false });
    const late = new WorkerSliceSource(() => silent, { ...opts, timers });
    const stream = late.open(request(blob), () => undefined);
    expect(late.mode).toBeNull();
    fire!();
    const bytes = await drain(stream);
    expect(late.mode).toBe('page');
    expect(silent.terminated).toBe(true);
    expect(sameBytes(bytes, blob.bytes)).toBe(true);
    expect(stream.sha256).toBe(sha256Hex(blob.bytes));
  });

  it('fails the open streams with SourceFailed when the worker dies, and later ones too', async () => {
    const worker = new FakeSliceWorker();
    const source = new WorkerSliceSource(() => worker, { ...opts, readAhead: 1 });
    const stream = source.open(request(new FakeBlob(pattern(1024 * KiB))), () => undefined);
    expect(await stream.next()).not.toBeNull();
    expect(source.mode).toBe('worker');
    worker.crash();
    await expect(
      (async () => {
        for (;;) if ((await stream.next()) === null) return;
      })(),
    ).rejects.toThrow(SourceFailed);
    await expect(source.open(request(new FakeBlob(pattern(10))), () => undefined).next()).rejects.toThrow(SourceFailed);
  });

  it('hands slices over without copying them in the worker (the worker’s buffer is transferred)', async () => {
    const worker = new FakeSliceWorker();
    const source = new WorkerSliceSource(() => worker, opts);
    await drain(source.open(request(new FakeBlob(pattern(200 * KiB))), () => undefined));
    expect(worker.handedOver).toHaveLength(4);
    expect(worker.handedOver.every((buffer) => buffer.byteLength === 0)).toBe(true); // detached: moved, not copied
    source.close();
  });
});

describe('SliceWorkerHost', () => {
  it('reuses the hash of a finished stream for the next file (one WebAssembly instance, not one per file)', async () => {
    let made = 0;
    const posted: FromSliceWorker[] = [];
    const host = new SliceWorkerHost((message) => posted.push(message), {
      createHash: async () => {
        made += 1;
        return IncrementalSha256.createFast();
      },
    });
    await host.start();
    expect(posted[0]).toEqual({ t: 'ready', engine: 'wasm' });
    const files = [pattern(1000, 1), pattern(70_000, 2), pattern(0), pattern(5, 3)];
    for (const [k, bytes] of files.entries()) {
      const id = k + 1;
      const blob = new FakeBlob(bytes);
      host.handle({ t: 'open', id, blob, path: `f${k}`, size: blob.size, start: 0, from: null, sliceBytes: 64 * KiB, checkpointBytes: 64 * KiB });
      host.handle({ t: 'pull', id, n: 10 });
      for (let spin = 0; spin < 200 && !posted.some((m) => m.t === 'end' && m.id === id); spin++) await new Promise((r) => setTimeout(r, 1));
      const end = posted.find((m) => m.t === 'end' && m.id === id);
      expect(end && end.t === 'end' && end.sha256).toBe(sha256Hex(bytes));
    }
    expect(made).toBe(1);
  });
});

describe('createSliceSource', () => {
  it('reads on the calling thread where there is no Worker (as in these tests)', () => {
    expect(typeof Worker).toBe('undefined');
    expect(createSliceSource()).toBeInstanceOf(InThreadSliceSource);
  });
});
