import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DaemonFileHandles,
  IN_USE_RETRY_MS,
  MAX_FRAME_ERRORS,
  MAX_IN_USE_RETRIES,
  type FileHandleEvent,
} from '../../src/transfer/DaemonFileHandles';
import { ReceivingFiles, type ReceivingFile } from '../../src/transfer/ReceivingFiles';
import { sha256Hex } from '../../src/transfer/sha256';
import { encodeDaemonFrame } from '../../src/transfer/wire';
import { realTimers } from '../../src/util/timers';
import { FakeDaemon, pattern } from '../support/fakeTransfer';

const TID = 'H'.repeat(22);

function setup(sizes: number[], openAhead = 16) {
  const daemon = new FakeDaemon();
  const files = new ReceivingFiles(sizes.map((size, i) => ({ i, path: `dir/f${i}.bin`, size })));
  const events: FileHandleEvent[] = [];
  const handles = new DaemonFileHandles({ tid: TID, peer: 'ALICE', files, daemon, timers: realTimers, openAhead, onEvent: (e) => events.push(e) });
  const file = (i: number): ReceivingFile => files.get(i)!;
  /** Writes all of `f`'s bytes at the daemon and gives it its xfer_file_end. */
  const complete = (f: ReceivingFile, sha?: string) => {
    const data = pattern(f.size, f.i + 3);
    daemon.sendBinary(encodeDaemonFrame(f.handle!, 0, data));
    f.next = f.size;
    f.end = { t: 'xfer_file_end', tid: TID, i: f.i, size: f.size, sha256: sha ?? sha256Hex(data) };
  };
  const types = () => events.map((e) => e.type);
  return { daemon, files, events, handles, file, complete, types };
}

const settle = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('DaemonFileHandles: opening', () => {
  it('opens the first files without a verdict, at most openAhead, and says where each continues', async () => {
    const h = setup([10, 20, 30, 40], 3);
    h.daemon.files.set(`ALICE/${TID}/1`, { key: `ALICE/${TID}/1`, data: new Uint8Array(20), received: 7, durable: 7, size: 20, handle: null, peer: 'ALICE', tid: TID, i: 1, path: 'dir/f1.bin' });
    await h.handles.openWindow();
    expect(h.daemon.opens.map((o) => [o.peer, o.tid, o.i, o.path, o.size])).toEqual([
      ['ALICE', TID, 0, 'dir/f0.bin', 10],
      ['ALICE', TID, 1, 'dir/f1.bin', 20],
      ['ALICE', TID, 2, 'dir/f2.bin', 30],
    ]);
    expect(h.events).toEqual([0, 1, 2].map((i) => ({ type: 'opened', f: h.file(i) })));
    expect([h.file(1).next, h.file(1).durable, h.file(1).name]).toEqual([7, 7, 'dir/f1.bin']);
    expect(h.handles.isOpen(h.file(0))).toBe(true);
    expect(h.handles.isOpen(h.file(3))).toBe(false);
    await h.handles.openWindow(); // nothing new to open
    expect(h.daemon.opens).toHaveLength(3);
  });

  it('opens a file once while it is opening, and again on a new daemon connection', async () => {
    const h = setup([10]);
    const first = h.handles.open(h.file(0));
    expect(h.handles.open(h.file(0))).toBe(first);
    await first;
    expect(h.daemon.opens).toHaveLength(1);
    h.daemon.down();
    h.daemon.up();
    expect(h.handles.isOpen(h.file(0))).toBe(false);
    await h.handles.openWindow();
    expect(h.daemon.opens).toHaveLength(2);
    expect(h.handles.isOpen(h.file(0))).toBe(true);
  });

  it('tries a file in use again a second apart, and the window waits for it', async () => {
    const h = setup([10]);
    h.daemon.refuse.set('dir/f0.bin', 'in_use');
    let opened = false;
    void h.handles.openWindow().then(() => (opened = true));
    await settle(2 * IN_USE_RETRY_MS);
    expect(h.daemon.opens).toHaveLength(3);
    expect(opened).toBe(false);
    expect(h.events).toEqual([]);
    h.daemon.refuse.delete('dir/f0.bin');
    await settle(IN_USE_RETRY_MS);
    expect(opened).toBe(true);
    expect(h.types()).toEqual(['opened']);
    expect(h.file(0).inUseRetries).toBe(0);
  });

  it('gives up on a file that stays in use', async () => {
    const h = setup([10]);
    h.daemon.refuse.set('dir/f0.bin', 'in_use');
    void h.handles.openWindow();
    await settle((MAX_IN_USE_RETRIES + 1) * IN_USE_RETRY_MS);
    expect(h.daemon.opens).toHaveLength(MAX_IN_USE_RETRIES + 1);
    expect(h.events).toEqual([{ type: 'fatal', reason: 'in_use', text: expect.stringContaining('dir/f0.bin') }]);
  });

  it('a refused name is fatal, with the reason to tell the sender', async () => {
    const h = setup([10, 10]);
    h.daemon.refuse.set('dir/f1.bin', 'disk_full');
    await h.handles.openWindow();
    expect(h.events.at(-1)).toEqual({ type: 'fatal', reason: 'no_space', text: 'There is not enough space on this computer for these files' });
  });

  it('says when the daemon is away instead of opening', async () => {
    const h = setup([10]);
    h.daemon.ready = false;
    await h.handles.openWindow();
    expect(h.events).toEqual([{ type: 'daemonAway' }]);
    expect(h.file(0).opening).toBeNull();
  });
});

describe('DaemonFileHandles: finishing', () => {
  it('finishes a file only once its end and all its bytes are in, and tells the verdict', async () => {
    const h = setup([100, 50]);
    await h.handles.openWindow();
    h.events.length = 0;
    const f = h.file(0);
    h.handles.finishIfComplete(f); // no end yet
    h.complete(f);
    f.next = 99;
    h.handles.finishIfComplete(f); // a byte short
    await settle();
    expect(h.events).toEqual([]);
    f.next = 100;
    h.handles.finishIfComplete(f);
    h.handles.finishIfComplete(f); // once
    await settle();
    expect(h.events).toEqual([{ type: 'finished', f, result: { ok: true, name: 'dir/f0.bin' } }]);
    expect(f.finishing).toBe(false);

    const g = h.file(1);
    h.complete(g, 'f'.repeat(64));
    h.handles.finishIfComplete(g);
    await settle();
    expect(h.events.at(-1)).toEqual({ type: 'finished', f: g, result: { ok: false, error: 'hash_mismatch' } });
  });

  it('a daemon gone before it answers: the handle is dropped and the file finished again later', async () => {
    const h = setup([100]);
    await h.handles.openWindow();
    h.events.length = 0;
    const f = h.file(0);
    h.complete(f);
    h.daemon.ready = false;
    h.handles.finishIfComplete(f);
    await settle();
    expect(h.events).toEqual([{ type: 'daemonAway' }]);
    expect(f.handle).toBeNull();
    expect(f.result).toBeNull();
  });

  it('after stop, answers change nothing', async () => {
    const h = setup([100, 10]);
    await h.handles.open(h.file(0));
    h.events.length = 0;
    h.complete(h.file(0));
    h.handles.finishIfComplete(h.file(0));
    const opening = h.handles.open(h.file(1));
    h.handles.stop();
    await opening;
    await settle();
    expect(h.events).toEqual([]);
    expect(h.file(1).handle).toBeNull();
  });
});

describe('DaemonFileHandles: refused frames', () => {
  it('drops the handle to start again, and gives up after a few refusals in a row', async () => {
    const h = setup([100]);
    await h.handles.openWindow();
    h.events.length = 0;
    const f = h.file(0);
    for (let k = 0; k < MAX_FRAME_ERRORS; k++) {
      h.handles.frameRefused(f.handle!, 'io_error', 'No such file');
      expect(f.handle).toBeNull();
      await h.handles.openWindow();
    }
    expect(h.types().filter((t) => t !== 'opened')).toEqual(Array(MAX_FRAME_ERRORS).fill('handleDropped'));
    h.handles.frameRefused(f.handle!, 'io_error', 'No such file');
    expect(h.events.at(-1)).toEqual({ type: 'fatal', reason: 'io_error', text: expect.stringContaining('No such file') });
  });

  it('disk full is fatal at once, too large is the file\'s verdict, another handle is not ours', async () => {
    const h = setup([100, 100]);
    await h.handles.openWindow();
    h.events.length = 0;
    h.handles.frameRefused(999, 'io_error', 'x');
    expect(h.events).toEqual([]);
    h.handles.frameRefused(h.file(1).handle!, 'too_large', 'x');
    expect(h.events).toEqual([{ type: 'finished', f: h.file(1), result: { ok: false, error: 'size_mismatch' } }]);
    h.handles.frameRefused(h.file(0).handle!, 'disk_full', 'full');
    expect(h.events.at(-1)).toEqual({ type: 'fatal', reason: 'no_space', text: 'There is not enough space on this computer for these files' });
  });
});
