import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LaneApiError } from '../../src/daemon/laneApi';
import { LaneUploader, type UploadPort } from '../../src/lane/LaneUploader';
import { FakeLaneDaemon, pickedFile } from '../support/fakeLane';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

async function sendTo(daemon: FakeLaneDaemon, sizes: number[]) {
  const picked = sizes.map((size, i) => pickedFile(`dir/f${i}.bin`, size));
  const t = await daemon.send('BOBID', picked.map((p) => ({ path: p.path, size: p.file.size, lastModified: p.file.lastModified })));
  return { tid: t.tid, picked };
}

describe('LaneUploader', () => {
  it('uploads each file in index order from its offset, the File itself as the body when from 0', async () => {
    const daemon = new FakeLaneDaemon();
    const { tid, picked } = await sendTo(daemon, [10, 0, 7]);
    const done: number[] = [];
    const uploader = new LaneUploader(
      tid,
      [2, 0, 1].map((index) => ({ index, file: picked[index]!.file, uploaded: 0 })),
      { api: daemon, onFileDone: (i) => done.push(i) },
    );
    expect(await uploader.run()).toEqual({ type: 'done' });
    expect(done).toEqual([0, 1, 2]);
    expect(daemon.uploads.map((u) => [u.index, u.offset, u.bytes])).toEqual([
      [0, 0, 10],
      [1, 0, 0],
      [2, 0, 7],
    ]);
    expect(daemon.uploads[0]!.body).toBe(picked[0]!.file);
    expect(daemon.held(tid)).toEqual([10, 0, 7]);
  });

  it('starts a file from what the daemon holds, with a slice as the body; skips a file it holds whole', async () => {
    const daemon = new FakeLaneDaemon();
    const { tid, picked } = await sendTo(daemon, [10, 20]);
    daemon.transfers.get(tid)!.held = [10, 5];
    const uploader = new LaneUploader(tid, [{ index: 0, file: picked[0]!.file, uploaded: 10 }, { index: 1, file: picked[1]!.file, uploaded: 5 }], { api: daemon });
    expect(await uploader.run()).toEqual({ type: 'done' });
    expect(daemon.uploads.map((u) => [u.index, u.offset, u.bytes])).toEqual([[1, 5, 15]]);
    expect(daemon.uploads[0]!.body).not.toBe(picked[1]!.file);
  });

  it('409 offset: goes on from the daemon\u2019s offset (more or fewer bytes than the page thought)', async () => {
    const daemon = new FakeLaneDaemon();
    const { tid, picked } = await sendTo(daemon, [100, 100]);
    daemon.transfers.get(tid)!.held = [40, 0];
    // The page thinks nothing was uploaded of file 0, and 80 bytes of file 1.
    const uploader = new LaneUploader(tid, [{ index: 0, file: picked[0]!.file, uploaded: 0 }, { index: 1, file: picked[1]!.file, uploaded: 80 }], { api: daemon });
    expect(await uploader.run()).toEqual({ type: 'done' });
    expect(daemon.calls.filter((c) => c.startsWith('PUT'))).toEqual([
      `PUT /api/transfers/${tid}/files/0?offset=0`,
      `PUT /api/transfers/${tid}/files/0?offset=40`,
      `PUT /api/transfers/${tid}/files/1?offset=80`,
      `PUT /api/transfers/${tid}/files/1?offset=0`,
    ]);
    expect(daemon.held(tid)).toEqual([100, 100]);
  });

  it('a connection cut mid-file: retries after a backoff and resumes where the daemon says', async () => {
    const daemon = new FakeLaneDaemon();
    const { tid, picked } = await sendTo(daemon, [100]);
    daemon.cutAfter = 30;
    const uploader = new LaneUploader(tid, [{ index: 0, file: picked[0]!.file, uploaded: 0 }], { api: daemon, random: () => 0.5 });
    const outcome = uploader.run();
    await vi.advanceTimersByTimeAsync(0);
    expect(daemon.calls.filter((c) => c.startsWith('PUT'))).toHaveLength(1);
    // No retry before the backoff (500 ms for the first).
    await vi.advanceTimersByTimeAsync(499);
    expect(daemon.calls.filter((c) => c.startsWith('PUT'))).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toEqual({ type: 'done' });
    expect(daemon.calls.filter((c) => c.startsWith('PUT'))).toEqual([
      `PUT /api/transfers/${tid}/files/0?offset=0`,
      `PUT /api/transfers/${tid}/files/0?offset=0`,
      `PUT /api/transfers/${tid}/files/0?offset=30`,
    ]);
    expect(daemon.held(tid)).toEqual([100]);
  });

  it('backs off exponentially while the daemon does not answer, and gives up after maxAttempts', async () => {
    const daemon = new FakeLaneDaemon();
    const { tid, picked } = await sendTo(daemon, [10]);
    daemon.networkFailures = 100;
    const uploader = new LaneUploader(tid, [{ index: 0, file: picked[0]!.file, uploaded: 0 }], {
      api: daemon,
      random: () => 0.5,
      maxAttempts: 4,
      backoff: { baseMs: 100, capMs: 1_000 },
    });
    const outcome = uploader.run();
    const puts = () => daemon.calls.filter((c) => c.startsWith('PUT')).length;
    await vi.advanceTimersByTimeAsync(0);
    expect(puts()).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(puts()).toBe(2);
    await vi.advanceTimersByTimeAsync(199);
    expect(puts()).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(puts()).toBe(3);
    await vi.advanceTimersByTimeAsync(400);
    expect(puts()).toBe(4);
    expect(await outcome).toEqual({ type: 'failed', error: 'PeerDrop on this computer does not answer.' });
  });

  it('404: the transfer is gone; another refusal ends it with the daemon\u2019s sentence', async () => {
    const daemon = new FakeLaneDaemon();
    const file = pickedFile('a', 5).file;
    expect(await new LaneUploader('nope', [{ index: 0, file, uploaded: 0 }], { api: daemon }).run()).toEqual({ type: 'gone' });
    const refusing: UploadPort = {
      upload: async () => {
        throw new LaneApiError('That file is larger than offered', 400, 'bad_request');
      },
    };
    expect(await new LaneUploader('t', [{ index: 0, file, uploaded: 0 }], { api: refusing }).run()).toEqual({
      type: 'failed',
      error: 'That file is larger than offered',
    });
  });

  it('a 409 that names the offset it was given does not spin', async () => {
    let calls = 0;
    const stuck: UploadPort = {
      upload: async (_tid, _index, offset) => {
        calls++;
        return { type: 'offset', uploaded: offset };
      },
    };
    const outcome = new LaneUploader('t', [{ index: 0, file: pickedFile('a', 5).file, uploaded: 2 }], { api: stuck, maxAttempts: 3, random: () => 0.5 }).run();
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await outcome).type).toBe('failed');
    expect(calls).toBe(3);
  });

  it('stop() aborts the PUT under way and a backoff: the outcome is stopped', async () => {
    let signal: AbortSignal | undefined;
    const hanging: UploadPort = {
      upload: (_tid, _index, _offset, _body, s) =>
        new Promise((_resolve, reject) => {
          signal = s;
          s?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
    };
    const uploader = new LaneUploader('t', [{ index: 0, file: pickedFile('a', 5).file, uploaded: 0 }], { api: hanging });
    const outcome = uploader.run();
    await vi.advanceTimersByTimeAsync(0);
    uploader.stop();
    expect(signal?.aborted).toBe(true);
    expect(await outcome).toEqual({ type: 'stopped' });

    const daemon = new FakeLaneDaemon();
    const { tid, picked } = await sendTo(daemon, [10]);
    daemon.networkFailures = 1;
    const sleeping = new LaneUploader(tid, [{ index: 0, file: picked[0]!.file, uploaded: 0 }], { api: daemon });
    const second = sleeping.run();
    await vi.advanceTimersByTimeAsync(0);
    sleeping.stop();
    expect(await second).toEqual({ type: 'stopped' });
    expect(daemon.held(tid)).toEqual([0]);
  });
});
