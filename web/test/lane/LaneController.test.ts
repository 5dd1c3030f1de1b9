import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LaneOffer, LaneTransfer } from '../../src/daemon/laneProtocol';
import { parseDaemonMessage } from '../../src/daemon/protocol';
import { LaneController } from '../../src/lane/LaneController';
import { LANE_STORE_PREFIX, StorageLaneResumeStore } from '../../src/lane/laneResumeStore';
import { FakeLaneDaemon, laneTransfer, pickedFile, wireTransfer } from '../support/fakeLane';
import { MemoryStorage } from '../support/fakeTransfer';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(daemon = new FakeLaneDaemon(), storage = new MemoryStorage()) {
  const setAutoAccept = vi.fn(async () => undefined);
  const lane = new LaneController({
    api: daemon,
    store: new StorageLaneResumeStore(storage),
    peerName: (id, pushed) => (id === 'BOBID' ? 'Bob' : pushed),
    setAutoAccept,
    random: () => 0.5,
  });
  return { lane, daemon, storage, setAutoAccept };
}

function push(lane: LaneController, transfers: (LaneTransfer | LaneOffer)[], offers: LaneOffer[] = []) {
  const message = parseDaemonMessage(JSON.stringify({ type: 'transfers', transfers: transfers.map(wireTransfer), offers: offers.map(wireTransfer) }));
  expect(message).not.toBeNull();
  return lane.handle(message!);
}

const files = () => [pickedFile('photos/a.jpg', 100, 111), pickedFile('photos/b.jpg', 50, 222)];
const puts = (daemon: FakeLaneDaemon) => daemon.calls.filter((c) => c.startsWith('PUT'));

describe('LaneController: sending from the page', () => {
  it('POSTs the files, uploads each, and keeps a resume record until the daemon holds every byte', async () => {
    const { lane, daemon, storage } = setup();
    const tid = await lane.send('BOBID', files());
    expect(tid).toBe('t1');
    expect(daemon.calls[0]).toBe('POST /api/transfers BOBID 2');
    expect(storage.getItem(`${LANE_STORE_PREFIX}t1`)).not.toBeNull();
    await vi.advanceTimersByTimeAsync(0);
    expect(puts(daemon)).toEqual(['PUT /api/transfers/t1/files/0?offset=0', 'PUT /api/transfers/t1/files/1?offset=0']);
    expect(daemon.held('t1')).toEqual([100, 50]);
    expect(storage.getItem(`${LANE_STORE_PREFIX}t1`)).toBeNull();
    // The push shows the peer's progress; the page's row has the files.
    push(lane, [laneTransfer({ tid: 't1', fileCount: 2, totalBytes: 150, doneBytes: 120, filesLanded: 1, source: 'page' })]);
    const view = lane.transferViews()[0]!;
    expect(view.stateText).toBe('Sending\u2026 80 %');
    expect(view.peerName).toBe('Bob');
    expect(view.files.map((f) => f.path)).toEqual(['photos/a.jpg', 'photos/b.jpg']);
  });

  it('the tab closes mid-upload: a later page offering the same files to the same peer resumes that transfer from the daemon\u2019s offsets', async () => {
    const storage = new MemoryStorage();
    const daemon = new FakeLaneDaemon();
    const first = setup(daemon, storage).lane;
    daemon.cutAfter = 30;
    await first.send('BOBID', files());
    await vi.advanceTimersByTimeAsync(0);
    expect(daemon.held('t1')).toEqual([30, 0]);
    first.dispose(); // the tab closes while it waits to retry
    await vi.advanceTimersByTimeAsync(60_000);
    expect(puts(daemon)).toHaveLength(1);

    const { lane } = setup(daemon, storage);
    await lane.ready();
    push(lane, [laneTransfer({ tid: 't1', fileCount: 2, totalBytes: 150, doneBytes: 30, source: 'page' })]);
    const paused = lane.transferViews()[0]!;
    expect(paused.phase).toBe('paused');
    expect(paused.stateText).toBe('Paused \u2014 choose the same files again to resume');
    expect(paused.missingFiles).toEqual(['photos/a.jpg', 'photos/b.jpg']);

    // Picked again, in another order: no new transfer.
    const tid = await lane.send('BOBID', files().reverse());
    expect(tid).toBe('t1');
    await vi.advanceTimersByTimeAsync(0);
    expect(daemon.calls.filter((c) => c.startsWith('POST'))).toHaveLength(1);
    expect(daemon.calls).toContain('GET /api/transfers/t1');
    expect(puts(daemon).slice(1)).toEqual(['PUT /api/transfers/t1/files/0?offset=30', 'PUT /api/transfers/t1/files/1?offset=0']);
    expect(daemon.held('t1')).toEqual([100, 50]);
    expect(lane.transferViews()[0]!.phase).toBe('running');
    expect(storage.getItem(`${LANE_STORE_PREFIX}t1`)).toBeNull();
  });

  it('"Select the files again" on a paused transfer resumes it; files it lacks are named', async () => {
    const storage = new MemoryStorage();
    const daemon = new FakeLaneDaemon();
    const first = setup(daemon, storage).lane;
    daemon.networkFailures = 1;
    await first.send('BOBID', files());
    first.dispose();
    const { lane } = setup(daemon, storage);
    await lane.ready();
    push(lane, [laneTransfer({ tid: 't1', fileCount: 2, totalBytes: 150, source: 'page' })]);
    // Only one of the two files, chosen with a file input (no folder in its path).
    expect(await lane.reselect('t1', [pickedFile('a.jpg', 100, 111)])).toBe(true);
    expect(lane.currentNotes()).toEqual(['Choose these files too, to resume: photos/b.jpg.']);
    expect(await lane.reselect('t1', [pickedFile('a.jpg', 100, 111), pickedFile('b.jpg', 50, 222)])).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(daemon.held('t1')).toEqual([100, 50]);
    expect(await lane.reselect('t1', [pickedFile('zzz', 1)])).toBe(false);
  });

  it('other files, another peer, or a transfer the daemon no longer has: a new transfer', async () => {
    const storage = new MemoryStorage();
    const daemon = new FakeLaneDaemon();
    const first = setup(daemon, storage).lane;
    daemon.networkFailures = 1;
    await first.send('BOBID', files());
    first.dispose();
    const { lane } = setup(daemon, storage);
    expect(await lane.send('BOBID', [pickedFile('photos/a.jpg', 100, 999)])).toBe('t2');
    expect(await lane.send('CAROLID', files())).toBe('t3');
    daemon.transfers.delete('t1');
    expect(await lane.send('BOBID', files())).toBe('t4');
    expect(storage.getItem(`${LANE_STORE_PREFIX}t1`)).toBeNull();
  });

  it('a record whose transfer the push shows ended is dropped; an unlisted one is asked about once and dropped on 404', async () => {
    const storage = new MemoryStorage();
    storage.setItem(`${LANE_STORE_PREFIX}tx`, JSON.stringify({ v: 1, tid: 'tx', peer: 'BOBID', files: [], createdAt: 1 }));
    storage.setItem(`${LANE_STORE_PREFIX}ty`, JSON.stringify({ v: 1, tid: 'ty', peer: 'BOBID', files: [], createdAt: 2 }));
    const { lane, daemon } = setup(new FakeLaneDaemon(), storage);
    await lane.ready();
    push(lane, [laneTransfer({ tid: 'tx', state: 'cancelled' })]);
    push(lane, [laneTransfer({ tid: 'tx', state: 'cancelled' })]);
    await vi.advanceTimersByTimeAsync(0);
    expect(storage.getItem(`${LANE_STORE_PREFIX}tx`)).toBeNull();
    expect(daemon.calls.filter((c) => c === 'GET /api/transfers/ty')).toHaveLength(1);
    expect(storage.getItem(`${LANE_STORE_PREFIX}ty`)).toBeNull();
  });

  it('the same drop twice while the first is being offered makes one transfer', async () => {
    const { lane, daemon } = setup();
    const [one, two] = await Promise.all([lane.send('BOBID', files()), lane.send('BOBID', files())]);
    expect([one, two]).toEqual(['t1', 't1']);
    expect(daemon.calls.filter((c) => c.startsWith('POST'))).toHaveLength(1);
  });

  it('a send the daemon refuses leaves a note and no record', async () => {
    const daemon = new FakeLaneDaemon();
    daemon.send = async () => {
      throw new Error('No verified peer has that id');
    };
    const { lane, storage } = setup(daemon);
    expect(await lane.send('BOBID', files())).toBeNull();
    expect(lane.currentNotes()).toEqual(['Could not send to Bob: No verified peer has that id']);
    expect(storage.length).toBe(0);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(lane.currentNotes()).toEqual([]);
  });

  it('Cancel: stops the upload, DELETEs the transfer, drops its record', async () => {
    const { lane, daemon, storage } = setup();
    daemon.networkFailures = 1;
    await lane.send('BOBID', files());
    await lane.cancel('t1');
    expect(daemon.calls).toContain('DELETE /api/transfers/t1');
    expect(storage.getItem(`${LANE_STORE_PREFIX}t1`)).toBeNull();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(puts(daemon)).toHaveLength(1);
  });
});

describe('LaneController: offers', () => {
  const offer = (tid: string, createdAt: number): LaneOffer => ({
    ...laneTransfer({ tid, direction: 'incoming', state: 'offered', peer: 'ALICEID', peerName: 'alice', fileCount: 3, totalBytes: 50_000_000, createdAt }),
    files: [{ path: 'a.txt', size: 1 }],
  });

  it('an offer made while no tab was open is in the first push: one dialog per offer, oldest first', () => {
    const { lane } = setup();
    push(lane, [offer('o2', 20), offer('o1', 10)], [offer('o2', 20), offer('o1', 10)]);
    expect(lane.offerViews().map((o) => [o.tid, o.peerName, o.fileCount, o.total])).toEqual([
      ['o1', 'alice', 3, 50_000_000],
      ['o2', 'alice', 3, 50_000_000],
    ]);
    // Answered elsewhere: the push drops it and so does the queue.
    push(lane, [offer('o2', 20)], [offer('o2', 20)]);
    expect(lane.offerViews().map((o) => o.tid)).toEqual(['o2']);
  });

  it('Accept with "always": POST accept via tab, the trust setting saved, the dialog gone at once', async () => {
    const { lane, daemon, setAutoAccept } = setup();
    push(lane, [offer('o1', 10)], [offer('o1', 10)]);
    await lane.answer('o1', true, true);
    expect(daemon.calls).toEqual(['POST /api/offers/o1/accept']);
    expect(setAutoAccept).toHaveBeenCalledWith('ALICEID', true);
    expect(lane.offerViews()).toEqual([]);
    await lane.answer('o1', false);
  });

  it('an offer answered elsewhere or expired (404): a calm note, the dialog stays gone', async () => {
    const { lane, daemon } = setup();
    push(lane, [offer('o1', 10)], [offer('o1', 10)]);
    daemon.answerResult = 'gone';
    await lane.answer('o1', false);
    expect(lane.offerViews()).toEqual([]);
    expect(lane.currentNotes()).toEqual(['The offer from alice no longer waits: it was answered elsewhere or it expired.']);
  });

  it('an answer that does not reach the daemon puts the offer back in the queue', async () => {
    const { lane, daemon } = setup();
    push(lane, [offer('o1', 10)], [offer('o1', 10)]);
    daemon.answerResult = 'network';
    await lane.answer('o1', true);
    expect(lane.offerViews().map((o) => o.tid)).toEqual(['o1']);
    expect(lane.currentNotes()[0]).toMatch(/^Could not answer alice: /);
  });

  it('messages other than transfers are not the lane\u2019s', () => {
    const { lane } = setup();
    expect(lane.handle({ type: 'files', files: [] })).toBe(false);
  });
});
