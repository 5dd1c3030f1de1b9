import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FileSender, HIGH_MARK, LOW_MARK, isQueueFull, type SenderEvent } from '../../src/transfer/FileSender';
import { sha256Hex } from '../../src/transfer/sha256';
import type { ReadOptions, SliceSource } from '../../src/transfer/sliceSource';
import { WorkerSliceSource } from '../../src/transfer/WorkerSliceSource';
import { decodeDataHeader, type ResumeOffset, type TransferControlMessage } from '../../src/transfer/wire';
import { FakeBinaryChannel, FakeBlob, pattern, sameBytes } from '../support/fakeTransfer';
import { FakeSliceWorker } from '../support/fakeSliceWorker';

const TID = 'T'.repeat(22);
const MiB = 1024 * 1024;
const BIG_CREDIT = 1024 * MiB;

function setup(sizes: number[], extra: { source?: (options: ReadOptions) => SliceSource; hashCheckpointBytes?: number } = {}) {
  const blobs = sizes.map((size, k) => new FakeBlob(pattern(size, k + 1)));
  const files = sizes.map((size, i) => ({ i, path: `dir/f${i}.bin`, size }));
  const control: TransferControlMessage[] = [];
  const events: SenderEvent[] = [];
  const sender = new FileSender({
    tid: TID,
    files,
    blob: (i) => blobs[i] ?? null,
    sendControl: (m) => {
      control.push(m);
      return true;
    },
    onEvent: (e) => events.push(e),
    ...extra,
  });
  const channel = new FakeBinaryChannel(`xfer:${TID}`);
  const start = (resume: ResumeOffset[] = [], max: number | null = 262_144, ch = channel) => sender.start(ch, resume, max);
  const ack = (i: number, durable: number, credit: number) => sender.ack({ t: 'xfer_ack', tid: TID, i, durable, credit });
  /** File contents rebuilt from the messages sent on a channel. */
  const received = (ch = channel) => {
    const out = sizes.map((s) => new Uint8Array(s));
    const seen = sizes.map(() => 0);
    for (const m of ch.sent) {
      const h = decodeDataHeader(m.buffer as ArrayBuffer)!;
      out[h.index]!.set(m.subarray(13), h.offset);
      seen[h.index] = Math.max(seen[h.index]!, h.offset + h.length);
    }
    return { out, seen };
  };
  const payloadSent = (ch = channel) => ch.sent.reduce((s, m) => s + m.byteLength - 13, 0);
  return { sender, channel, blobs, control, events, start, ack, received, payloadSent };
}

const settle = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('FileSender', () => {
  it('sends nothing before the first ack, then every byte in messages of 256 KiB and a file_end with the SHA-256 per file', async () => {
    const t = setup([0, 1024, 3 * MiB + 5]);
    t.start();
    await settle(50);
    expect(t.channel.sent).toHaveLength(0);
    t.ack(0, 0, BIG_CREDIT);
    await settle(50);
    expect(t.channel.sent.every((m) => m.byteLength <= 262_144)).toBe(true);
    expect(t.channel.sent.some((m) => m.byteLength === 262_144)).toBe(true);
    const { out } = t.received();
    t.blobs.forEach((blob, k) => expect(sameBytes(out[k], blob.bytes)).toBe(true));
    const ends = t.control.filter((m) => m.t === 'xfer_file_end');
    expect(ends.map((m) => m.i)).toEqual([0, 1, 2]);
    ends.forEach((m) => {
      if (m.t !== 'xfer_file_end') return;
      expect(m.size).toBe(t.blobs[m.i]!.size);
      expect(m.sha256).toBe(sha256Hex(t.blobs[m.i]!.bytes));
    });
    expect(t.events.some((e) => e.type === 'allSent')).toBe(true);
    expect(t.channel.bufferedAmountLowThreshold).toBe(LOW_MARK);
  });

  it('does not wait for a file to be verified before sending the next one (tiny files)', async () => {
    const t = setup(Array.from({ length: 50 }, () => 100));
    t.start();
    t.ack(0, 0, BIG_CREDIT);
    await settle(10);
    expect(t.control.filter((m) => m.t === 'xfer_file_end')).toHaveLength(50);
    expect(t.channel.sent).toHaveLength(50);
  });

  it('uses 64 KiB messages when the peer’s limit is unknown', async () => {
    const t = setup([300_000]);
    t.start([], null);
    t.ack(0, 0, BIG_CREDIT);
    await settle(10);
    expect(Math.max(...t.channel.sent.map((m) => m.byteLength))).toBe(65_536);
    expect(sameBytes(t.received().out[0], t.blobs[0]!.bytes)).toBe(true);
  });

  it('never has more than durable + credit bytes out', async () => {
    const t = setup([8 * MiB]);
    t.start();
    t.ack(0, 0, MiB);
    await settle(500);
    expect(t.payloadSent()).toBeLessThanOrEqual(MiB);
    expect(t.payloadSent()).toBeGreaterThan(MiB - 262_144);
    t.ack(0, MiB, 2 * MiB);
    await settle(500);
    expect(t.payloadSent()).toBeLessThanOrEqual(3 * MiB);
    expect(t.payloadSent()).toBeGreaterThan(3 * MiB - 262_144);
    t.ack(0, 3 * MiB, BIG_CREDIT);
    await settle(500);
    expect(t.payloadSent()).toBe(8 * MiB);
  });

  it('keeps bufferedAmount under the high mark and goes on at bufferedamountlow', async () => {
    const t = setup([12 * MiB]);
    t.channel.hold = true;
    t.start();
    t.ack(0, 0, BIG_CREDIT);
    await settle(0);
    const first = t.payloadSent();
    expect(t.channel.bufferedAmount).toBeGreaterThanOrEqual(HIGH_MARK - 262_144);
    expect(t.channel.peakBuffered).toBeLessThan(HIGH_MARK + 262_144);
    t.channel.drain(t.channel.bufferedAmount - LOW_MARK); // falls to the low mark: the event fires
    await settle(0);
    expect(t.payloadSent()).toBeGreaterThan(first);
    while (t.payloadSent() < 12 * MiB) {
      t.channel.drain();
      await settle(0);
    }
    t.channel.drain();
    expect(t.channel.peakBuffered).toBeLessThan(HIGH_MARK + 262_144);
    expect(sameBytes(t.received().out[0], t.blobs[0]!.bytes)).toBe(true);
  });

  it('goes on by its timer when bufferedamountlow is missed', async () => {
    const t = setup([8 * MiB]);
    t.channel.hold = true;
    t.start();
    t.ack(0, 0, BIG_CREDIT);
    await settle(0);
    const first = t.payloadSent();
    t.channel.onbufferedamountlow = null; // the event gets lost
    t.channel.drain();
    await settle(0);
    expect(t.payloadSent()).toBe(first);
    await settle(150);
    expect(t.payloadSent()).toBeGreaterThan(first);
  });

  it('waits and sends the same message again when the queue is full', async () => {
    const t = setup([2 * MiB]);
    t.channel.failNextSends = 3;
    t.start();
    t.ack(0, 0, BIG_CREDIT);
    await settle(1_000);
    expect(t.events.some((e) => e.type === 'readError')).toBe(false);
    expect(t.payloadSent()).toBe(2 * MiB);
    expect(sameBytes(t.received().out[0], t.blobs[0]!.bytes)).toBe(true);
    expect(isQueueFull(Object.assign(new Error('x'), { name: 'OperationError' }))).toBe(true);
    expect(isQueueFull(new TypeError('x'))).toBe(false);
  });

  it('resumes at the receiver’s offset and still hashes the whole file (the prefix is read, not sent)', async () => {
    const offset = 3 * MiB + 5;
    const t = setup([5 * MiB]);
    t.start([{ i: 0, offset }]);
    t.ack(0, offset, BIG_CREDIT);
    await settle(50);
    const first = decodeDataHeader(t.channel.sent[0]!.buffer as ArrayBuffer)!;
    expect(first.offset).toBe(offset);
    expect(t.payloadSent()).toBe(5 * MiB - offset);
    expect(t.blobs[0]!.reads).toBeGreaterThanOrEqual(3); // prefix slices too
    const end = t.control.find((m) => m.t === 'xfer_file_end');
    expect(end && end.t === 'xfer_file_end' && end.sha256).toBe(sha256Hex(t.blobs[0]!.bytes));
    expect(t.sender.fileDurable(0)).toBe(offset);
  });

  it('a new accept starts again on a new channel from its offsets; the old channel is closed', async () => {
    const t = setup([6 * MiB]);
    t.start();
    t.ack(0, 0, 2 * MiB);
    await settle(50);
    const second = new FakeBinaryChannel(`xfer:${TID}`);
    t.start([{ i: 0, offset: MiB }], 262_144, second);
    expect(t.channel.readyState).toBe('closed');
    t.ack(0, MiB, BIG_CREDIT);
    await settle(50);
    const first = decodeDataHeader(second.sent[0]!.buffer as ArrayBuffer)!;
    expect(first.offset).toBe(MiB);
    const end = t.control.filter((m) => m.t === 'xfer_file_end');
    expect(end).toHaveLength(1);
    expect(end[0]!.t === 'xfer_file_end' && end[0]!.sha256).toBe(sha256Hex(t.blobs[0]!.bytes));
  });

  it('skips files the receiver already reported, and reports a file that cannot be read', async () => {
    const t = setup([1000, 2000]);
    t.sender.fileFinished(0);
    t.blobs[1]!.fail = true;
    t.start();
    t.ack(1, 0, BIG_CREDIT);
    await settle(10);
    expect(t.channel.sent).toHaveLength(0);
    const error = t.events.find((e) => e.type === 'readError');
    expect(error).toMatchObject({ type: 'readError', i: 1 });
    expect(error && error.type === 'readError' && error.error).toContain('dir/f1.bin');
  });

  it('tells when the channel closes under it, and counts durable bytes from acks', async () => {
    const t = setup([4 * MiB, 100]);
    t.start();
    t.ack(0, 0, MiB);
    await settle(10);
    t.ack(0, 512 * 1024, MiB);
    expect(t.sender.bytesDurable).toBe(512 * 1024);
    t.channel.close();
    await settle(200);
    expect(t.events.some((e) => e.type === 'channelClosed')).toBe(true);
    t.ack(1, 0, MiB);
    expect(t.sender.fileDurable(0)).toBe(4 * MiB);
  });
});

describe('FileSender reading in a worker', () => {
  /** A source per run, each with its own fake worker (the last one is `workers.at(-1)`). */
  function workerSource() {
    const workers: FakeSliceWorker[] = [];
    const source = (options: ReadOptions) =>
      new WorkerSliceSource(() => {
        const worker = new FakeSliceWorker();
        workers.push(worker);
        return worker;
      }, options);
    return { workers, source };
  }

  it('sends every byte with the SHA-256 of each file, and a restart hashes on from the worker’s snapshot', async () => {
    const w = workerSource();
    const t = setup([5 * MiB + 3, 700], { source: w.source, hashCheckpointBytes: 2 * MiB });
    t.start();
    t.ack(0, 0, BIG_CREDIT);
    await settle(100);
    const { out } = t.received();
    t.blobs.forEach((blob, k) => expect(sameBytes(out[k], blob.bytes)).toBe(true));
    const ends = t.control.filter((m) => m.t === 'xfer_file_end');
    expect(ends.map((m) => m.t === 'xfer_file_end' && m.sha256)).toEqual(t.blobs.map((b) => sha256Hex(b.bytes)));
    expect(w.workers).toHaveLength(1);

    // The receiver rewinds to 4.5 MiB: the new run's worker starts hashing at the 4 MiB snapshot.
    const second = new FakeBinaryChannel(`xfer:${TID}`);
    const readsBefore = t.blobs[0]!.reads;
    t.start([{ i: 0, offset: 4.5 * MiB }, { i: 1, offset: 0 }], 262_144, second);
    expect(w.workers[0]!.terminated).toBe(true);
    t.ack(0, 4.5 * MiB, BIG_CREDIT);
    await settle(100);
    expect(t.blobs[0]!.reads - readsBefore).toBe(1); // 4 MiB .. end: one 2 MiB slice, not the whole file again
    const open = w.workers[1]!.received.find((m) => m.t === 'open' && m.path === 'dir/f0.bin');
    expect(open && open.t === 'open' && open.from?.position).toBe(4 * MiB);
    const again = t.control.filter((m) => m.t === 'xfer_file_end');
    expect(again.map((m) => m.t === 'xfer_file_end' && m.sha256)).toEqual([...t.blobs, ...t.blobs].map((b) => sha256Hex(b.bytes)));
    t.sender.stop();
    expect(w.workers[1]!.terminated).toBe(true);
  });

  it('when the worker dies mid-file it reads on the page from there, and the file and its hash come out whole', async () => {
    vi.useRealTimers();
    const w = workerSource();
    const t = setup([12 * MiB], { source: w.source });
    t.channel.hold = true;
    t.start();
    t.ack(0, 0, BIG_CREDIT);
    const until = async (what: () => boolean) => {
      for (let k = 0; k < 500 && !what(); k++) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(what()).toBe(true);
    };
    await until(() => t.payloadSent() >= 3 * MiB);
    w.workers[0]!.crash();
    t.channel.hold = false;
    t.channel.drain();
    await until(() => t.control.some((m) => m.t === 'xfer_file_end'));
    expect(t.events.some((e) => e.type === 'readError')).toBe(false);
    expect(sameBytes(t.received().out[0], t.blobs[0]!.bytes)).toBe(true);
    expect(t.payloadSent()).toBe(12 * MiB);
    const end = t.control.find((m) => m.t === 'xfer_file_end');
    expect(end && end.t === 'xfer_file_end' && end.sha256).toBe(sha256Hex(t.blobs[0]!.bytes));
    t.sender.stop();
  });
});
