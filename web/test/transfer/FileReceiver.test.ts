import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CREDIT_WINDOW, FileReceiver, type FileResult, type ReceiverEvent } from '../../src/transfer/FileReceiver';
import { sha256Hex } from '../../src/transfer/sha256';
import { encodeDataMessage, type TransferControlMessage, type XferAccept, type XferAck } from '../../src/transfer/wire';
import { FakeBinaryChannel, FakeDaemon, pattern, sameBytes } from '../support/fakeTransfer';

const TID = 'R'.repeat(22);
const MiB = 1024 * 1024;

function setup(sizes: number[], options: { openAhead?: number; results?: Map<number, FileResult> } = {}) {
  const daemon = new FakeDaemon();
  const control: TransferControlMessage[] = [];
  const events: ReceiverEvent[] = [];
  const files = sizes.map((size, i) => ({ i, path: `dir/f${i}.bin`, size }));
  const data = sizes.map((size, k) => pattern(size, k + 7));
  const receiver = new FileReceiver({
    tid: TID,
    peer: 'ALICE',
    files,
    daemon,
    sendControl: (m) => {
      control.push(m);
      return true;
    },
    onEvent: (e) => events.push(e),
    ...(options.openAhead ? { openAhead: options.openAhead } : {}),
    ...(options.results ? { results: options.results } : {}),
  });
  let channel = new FakeBinaryChannel(`xfer:${TID}`);
  const attach = () => {
    channel = new FakeBinaryChannel(`xfer:${TID}`);
    receiver.attachChannel(channel);
    return channel;
  };
  const deliver = (i: number, offset: number, length: number, ch = channel) =>
    ch.onmessage?.({ data: encodeDataMessage(i, offset, data[i]!.subarray(offset, offset + length)).buffer });
  const sendAll = (i: number, chunk = 256 * 1024) => {
    for (let at = 0; at < data[i]!.length; at += chunk) deliver(i, at, Math.min(chunk, data[i]!.length - at));
  };
  const end = (i: number, sha = sha256Hex(data[i]!)) =>
    receiver.fileEnd({ t: 'xfer_file_end', tid: TID, i, size: data[i]!.length, sha256: sha });
  const of = <T extends TransferControlMessage['t']>(t: T) =>
    control.filter((m): m is Extract<TransferControlMessage, { t: T }> => m.t === t);
  const written = (i: number) => [...daemon.finished].find((f) => f.name === `dir/f${i}.bin`)?.data;
  return { daemon, control, events, receiver, attach, deliver, sendAll, end, of, data, written };
}

const settle = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('FileReceiver', () => {
  it('opens the files at its daemon, accepts with their offsets and gives the first credit', async () => {
    const r = setup([10, 20, 30]);
    expect(await r.receiver.answer()).toBe(true);
    expect(r.daemon.opens.map((o) => [o.peer, o.tid, o.i, o.path, o.size])).toEqual([
      ['ALICE', TID, 0, 'dir/f0.bin', 10],
      ['ALICE', TID, 1, 'dir/f1.bin', 20],
      ['ALICE', TID, 2, 'dir/f2.bin', 30],
    ]);
    expect(r.control[0]).toEqual({ t: 'xfer_accept', tid: TID, resume: [{ i: 0, offset: 0 }, { i: 1, offset: 0 }, { i: 2, offset: 0 }] });
    expect(r.control[1]).toEqual({ t: 'xfer_ack', tid: TID, i: 0, durable: 0, credit: CREDIT_WINDOW });
  });

  it('forwards data to the daemon as frames of its handle, finishes each file after its end and reports the verdict', async () => {
    const r = setup([3 * MiB + 3, 0, 1000]);
    await r.receiver.answer();
    r.attach();
    r.sendAll(0);
    r.end(1);
    r.end(0); // the file end may overtake the data; here it comes after
    r.sendAll(2);
    r.end(2);
    await settle(10);
    const done = r.of('xfer_file_done');
    expect(done.map((d) => [d.i, d.ok, d.name])).toEqual([
      [1, true, 'dir/f1.bin'],
      [0, true, 'dir/f0.bin'],
      [2, true, 'dir/f2.bin'],
    ]);
    expect(sameBytes(r.written(0), r.data[0])).toBe(true);
    expect(sameBytes(r.written(2), r.data[2])).toBe(true);
    expect(r.events.at(-1)).toEqual({ type: 'allDone' });
    expect(r.receiver.bytesDurable).toBe(3 * MiB + 3 + 1000);
  });

  it('waits for the last bytes when the file end overtakes them', async () => {
    const r = setup([1000]);
    await r.receiver.answer();
    r.attach();
    r.deliver(0, 0, 600);
    r.end(0);
    await settle(10);
    expect(r.of('xfer_file_done')).toHaveLength(0);
    r.deliver(0, 600, 400);
    await settle(10);
    expect(r.of('xfer_file_done')).toEqual([{ t: 'xfer_file_done', tid: TID, i: 0, ok: true, name: 'dir/f0.bin' }]);
  });

  it('reports a checksum mismatch from the daemon', async () => {
    const r = setup([100]);
    await r.receiver.answer();
    r.attach();
    r.deliver(0, 0, 100);
    r.end(0, 'f'.repeat(64));
    await settle(10);
    expect(r.of('xfer_file_done')).toEqual([{ t: 'xfer_file_done', tid: TID, i: 0, ok: false, error: 'hash_mismatch' }]);
  });

  it('acks durable offsets at most about four times a second, and at every file end', async () => {
    const r = setup([8 * MiB]);
    await r.receiver.answer();
    r.attach();
    const before = r.of('xfer_ack').length;
    r.sendAll(0, 64 * 1024); // 128 frames, each a checkpoint at this fake daemon
    await settle(0);
    expect(r.of('xfer_ack').length - before).toBeLessThanOrEqual(1);
    await settle(260);
    const acks = r.of('xfer_ack');
    expect(acks.at(-1)).toEqual({ t: 'xfer_ack', tid: TID, i: 0, durable: 8 * MiB, credit: CREDIT_WINDOW });
    expect(acks.length - before).toBeLessThanOrEqual(2);
  });

  it('skips bytes it already holds and asks to start again (a new accept) when bytes are missing', async () => {
    const r = setup([1000]);
    await r.receiver.answer();
    const first = r.attach();
    r.deliver(0, 0, 100);
    r.deliver(0, 50, 100); // overlaps 50
    expect(r.daemon.frames.map((f) => [f.offset, f.length])).toEqual([
      [0, 100],
      [100, 50],
    ]);
    r.deliver(0, 500, 100); // a gap
    await settle(10);
    const accepts = r.of('xfer_accept');
    expect(accepts.at(-1)).toEqual({ t: 'xfer_accept', tid: TID, resume: [{ i: 0, offset: 150 }] });
    r.deliver(0, 150, 100, first); // the old channel no longer counts
    expect(r.daemon.frames).toHaveLength(2);
    r.attach();
    r.deliver(0, 150, 850);
    r.end(0);
    await settle(10);
    expect(r.of('xfer_file_done')[0]).toMatchObject({ ok: true });
    expect(sameBytes(r.written(0), r.data[0])).toBe(true);
  });

  it('ignores the progress of another peer\'s transfer that has the same id', async () => {
    const r = setup([1 * MiB]);
    await r.receiver.answer();
    r.attach();
    const emit = (peer: string) =>
      (r.daemon as unknown as { events: { emit(e: unknown): void } }).events.emit({
        type: 'progress',
        message: { type: 'file_progress', peer, tid: TID, i: 0, received: MiB, durable: MiB },
      });
    emit('MALLORY');
    await settle(300);
    expect(r.of('xfer_ack').at(-1)).toMatchObject({ i: 0, durable: 0 });
    r.sendAll(0);
    await settle(300);
    expect(r.of('xfer_ack').at(-1)).toMatchObject({ i: 0, durable: MiB });
  });

  it('gives no credit while the WebSocket to the daemon is backed up', async () => {
    const r = setup([4 * MiB]);
    await r.receiver.answer();
    r.attach();
    r.daemon.bufferedAmount = 9 * MiB;
    r.deliver(0, 0, 1000);
    await settle(0);
    expect(r.of('xfer_ack').at(-1)).toMatchObject({ credit: 0 });
    r.daemon.bufferedAmount = MiB;
    await settle(60);
    expect(r.of('xfer_ack').at(-1)).toMatchObject({ credit: CREDIT_WINDOW });
  });

  it('a name the daemon refuses ends the transfer with a clear reason', async () => {
    const r = setup([10, 10]);
    r.daemon.refuse.set('dir/f1.bin', 'bad_name');
    expect(await r.receiver.answer()).toBe(false);
    expect(r.of('xfer_accept')).toHaveLength(0);
    const fatal = r.events.find((e) => e.type === 'fatal');
    expect(fatal).toMatchObject({ type: 'fatal', reason: 'bad_name' });
    expect(fatal && fatal.type === 'fatal' && fatal.text).toContain('dir/f1.bin');
  });

  it('after its daemon restarts: no credit meanwhile, then the files again and a new accept from the durable offsets', async () => {
    const r = setup([2 * MiB]);
    r.daemon.manualCheckpoints = true;
    await r.receiver.answer();
    r.attach();
    r.deliver(0, 0, 500_000);
    r.daemon.checkpoint();
    r.deliver(0, 500_000, 500_000); // received, not durable
    r.daemon.down();
    await settle(300);
    expect(r.of('xfer_ack').at(-1)).toMatchObject({ credit: 0 });
    expect(r.events).toContainEqual({ type: 'daemonWait', waiting: true });
    r.deliver(0, 1_000_000, 100_000); // lost: nowhere to write
    r.daemon.up();
    await settle(10);
    expect(r.daemon.opens).toHaveLength(2);
    expect(r.of('xfer_accept').at(-1)).toEqual({ t: 'xfer_accept', tid: TID, resume: [{ i: 0, offset: 500_000 }] });
    r.attach();
    r.deliver(0, 500_000, 2 * MiB - 500_000);
    r.end(0);
    await settle(10);
    expect(sameBytes(r.written(0), r.data[0])).toBe(true);
  });

  it('answers a resume while its files are still open with what it passed on (nothing is sent twice)', async () => {
    const r = setup([5000]);
    r.daemon.manualCheckpoints = true;
    await r.receiver.answer();
    r.attach();
    r.deliver(0, 0, 3000);
    r.receiver.connectionDown();
    await r.receiver.answer();
    expect(r.daemon.opens).toHaveLength(1);
    expect(r.of('xfer_accept').at(-1)).toEqual({ t: 'xfer_accept', tid: TID, resume: [{ i: 0, offset: 3000 }] });
  });

  it('opens a few files ahead, not all of them', async () => {
    const r = setup(Array.from({ length: 40 }, () => 10), { openAhead: 4 });
    await r.receiver.answer();
    expect(r.daemon.opens).toHaveLength(4);
    r.attach();
    for (let i = 0; i < 40; i++) {
      r.deliver(i, 0, 10);
      r.end(i);
    }
    await settle(50);
    expect(r.of('xfer_file_done').filter((d) => d.ok)).toHaveLength(40);
    expect(new Set(r.daemon.opens.map((o) => o.i)).size).toBe(40);
  });

  it('after a reload, files done before keep their verdict: offset = size, and the verdict is told again', async () => {
    const r = setup([10, 20], { results: new Map([[0, { ok: true, name: 'dir/f0.bin' }]]) });
    await r.receiver.answer();
    expect(r.daemon.opens.map((o) => o.i)).toEqual([1]);
    const accept = r.of('xfer_accept')[0] as XferAccept;
    expect(accept.resume).toEqual([{ i: 0, offset: 10 }, { i: 1, offset: 0 }]);
    expect(r.of('xfer_file_done')).toEqual([{ t: 'xfer_file_done', tid: TID, i: 0, ok: true, name: 'dir/f0.bin' }]);
    expect((r.of('xfer_ack')[0] as XferAck).i).toBe(1);
  });
});

describe('FileReceiver and a daemon that cannot write', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('gives up after a few refused frames without progress instead of asking for the bytes forever', async () => {
    const r = setup([MiB]);
    await r.receiver.answer();
    const realSend = r.daemon.sendBinary.bind(r.daemon);
    let refused = 0;
    r.daemon.sendBinary = (frame) => {
      refused += 1;
      const handle = new DataView(frame.buffer, frame.byteOffset, 4).getUint32(0);
      queueMicrotask(() => (r.daemon as unknown as { events: { emit(e: unknown): void } }).events.emit({ type: 'frameError', handle, code: 'io_error', error: 'No such file or directory' }));
      return true || realSend(frame);
    };
    for (let round = 0; round < 10 && !r.events.some((e) => e.type === 'fatal'); round++) {
      r.attach();
      r.deliver(0, 0, 1000);
      await settle(10);
    }
    const fatal = r.events.find((e) => e.type === 'fatal');
    expect(fatal).toMatchObject({ type: 'fatal', reason: 'io_error' });
    expect(refused).toBeLessThanOrEqual(7);
    expect(r.of('xfer_accept').length).toBeLessThanOrEqual(7);
  });

  it('disk full ends it at once', async () => {
    const r = setup([MiB]);
    await r.receiver.answer();
    r.attach();
    r.daemon.sendBinary = (frame) => {
      const handle = new DataView(frame.buffer, frame.byteOffset, 4).getUint32(0);
      queueMicrotask(() => (r.daemon as unknown as { events: { emit(e: unknown): void } }).events.emit({ type: 'frameError', handle, code: 'disk_full', error: 'full' }));
      return true;
    };
    r.deliver(0, 0, 1000);
    await settle(10);
    expect(r.events.find((e) => e.type === 'fatal')).toMatchObject({ reason: 'no_space' });
  });
});
