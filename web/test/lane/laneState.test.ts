import { describe, expect, it } from 'vitest';
import type { LaneOffer, LaneTransfer, TransfersMessage } from '../../src/daemon/laneProtocol';
import { dialogQueue, initialLaneModel, laneReducer, laneSpeed, listedTransfers, type LaneModel } from '../../src/lane/laneState';
import { laneOfferView, laneStateText, laneTransferView } from '../../src/lane/laneView';
import { laneTransfer } from '../support/fakeLane';

function offer(tid: string, createdAt: number, extra: Partial<LaneOffer> = {}): LaneOffer {
  return { ...laneTransfer({ tid, direction: 'incoming', state: 'offered', peer: 'ALICEID', peerName: 'alice', createdAt }), files: [], ...extra };
}

function push(model: LaneModel, transfers: LaneTransfer[], offers: LaneOffer[], now = 0): LaneModel {
  const message: TransfersMessage = { type: 'transfers', transfers, offers };
  return laneReducer(model, { type: 'PUSH', message, now });
}

describe('laneReducer: the dialog queue', () => {
  it('one dialog per offer, oldest first; an offer the push no longer lists leaves the queue (answered elsewhere, expired)', () => {
    let m = push(initialLaneModel(), [], [offer('b', 20), offer('a', 10), offer('c', 30)]);
    expect(dialogQueue(m).map((o) => o.tid)).toEqual(['a', 'b', 'c']);
    // Answered on the command line: the next push does not list it.
    m = push(m, [], [offer('b', 20), offer('c', 30)]);
    expect(dialogQueue(m).map((o) => o.tid)).toEqual(['b', 'c']);
  });

  it('an offer answered in this tab leaves the queue at once, and stays out while the push still lists it', () => {
    let m = push(initialLaneModel(), [], [offer('a', 10), offer('b', 20)]);
    m = laneReducer(m, { type: 'ANSWERING', tid: 'a' });
    expect(dialogQueue(m).map((o) => o.tid)).toEqual(['b']);
    m = push(m, [], [offer('a', 10), offer('b', 20)]);
    expect(dialogQueue(m).map((o) => o.tid)).toEqual(['b']);
    m = push(m, [], [offer('b', 20)]);
    expect(m.answering).toEqual([]);
    // The answer did not reach the daemon: back in the queue.
    m = laneReducer(m, { type: 'ANSWERING', tid: 'b' });
    m = laneReducer(m, { type: 'ANSWER_FAILED', tid: 'b' });
    expect(dialogQueue(m).map((o) => o.tid)).toEqual(['b']);
  });

  it('keeps the offer\u2019s files for the transfer once accepted, and forgets them when the transfer is gone', () => {
    let m = push(initialLaneModel(), [], [offer('a', 10, { files: [{ path: 'x', size: 1 }] })]);
    m = push(m, [laneTransfer({ tid: 'a', direction: 'incoming' })], []);
    expect(m.files.a).toEqual([{ path: 'x', size: 1 }]);
    m = push(m, [], []);
    expect(m.files.a).toBeUndefined();
  });

  it('dismiss: only ended transfers, and only while listed', () => {
    let m = push(initialLaneModel(), [laneTransfer({ tid: 'r' }), laneTransfer({ tid: 'd', state: 'done' })], []);
    m = laneReducer(m, { type: 'DISMISS', tid: 'r' });
    m = laneReducer(m, { type: 'DISMISS', tid: 'd' });
    expect(listedTransfers(m).map((t) => t.tid)).toEqual(['r']);
    m = push(m, [laneTransfer({ tid: 'r' })], []);
    expect(m.dismissed).toEqual([]);
  });
});

describe('laneSpeed', () => {
  it('bytes per second over the pushes of the last seconds; unknown from one sample; falls when pushes stop', () => {
    let m = push(initialLaneModel(), [laneTransfer({ totalBytes: 100_000_000, doneBytes: 0 })], [], 0);
    expect(laneSpeed(m, 't1', 0)).toBeNull();
    m = push(m, [laneTransfer({ totalBytes: 100_000_000, doneBytes: 5_000_000 })], [], 500);
    m = push(m, [laneTransfer({ totalBytes: 100_000_000, doneBytes: 10_000_000 })], [], 1_000);
    expect(laneSpeed(m, 't1', 1_000)).toBe(10_000_000);
    // Nothing for 2 s more: the rate over the window falls.
    expect(laneSpeed(m, 't1', 3_000)).toBeCloseTo(10_000_000 / 3, 0);
    // An ended transfer has no samples.
    m = push(m, [laneTransfer({ state: 'done', totalBytes: 100_000_000, doneBytes: 100_000_000 })], [], 1_200);
    expect(laneSpeed(m, 't1', 1_200)).toBeNull();
  });
});

describe('laneView: words', () => {
  const text = (t: Partial<LaneTransfer>, upload: Parameters<typeof laneStateText>[2] = null) => laneStateText(laneTransfer(t), 'bob', upload);

  it('says where each transfer stands', () => {
    expect(text({ state: 'offered' })).toBe('Waiting for bob to accept');
    expect(text({ state: 'offered', direction: 'incoming' })).toBe('Waiting for your answer');
    expect(text({ state: 'accepted', doneBytes: 45, totalBytes: 100 })).toBe('Sending\u2026 45 %');
    expect(text({ state: 'accepted', direction: 'incoming', doneBytes: 99, totalBytes: 100 })).toBe('Receiving\u2026 99 %');
    expect(text({ state: 'done', direction: 'incoming' })).toBe('Received');
    expect(text({ state: 'done' })).toBe('Sent to bob');
    expect(text({ state: 'declined' })).toBe('Declined by bob');
    expect(text({ state: 'declined', direction: 'incoming', answeredBy: 'command line' })).toBe('Declined on the command line');
    expect(text({ state: 'expired', createdAt: 1_000, expiresAt: 601_000 })).toBe('Expired: nobody answered within 10 minutes');
    expect(text({ state: 'expired', reason: 'Nobody answered in time' })).toBe('Expired: nobody answered in time');
    expect(text({ state: 'failed', reason: 'The receiver\u2019s disk is full' })).toBe('Failed: the receiver\u2019s disk is full');
    expect(text({ state: 'cancelled' })).toBe('Cancelled');
    expect(text({ state: 'accepted' }, { state: 'paused' })).toBe('Paused \u2014 choose the same files again to resume');
    expect(text({ state: 'accepted' }, { state: 'failed', error: 'PeerDrop on this computer does not answer.' })).toBe(
      'Paused: PeerDrop on this computer does not answer. \u2014 choose the same files again to resume',
    );
  });

  it('a TransferView: phase, progress, stalled as the problem, per-file rows from the done bytes in order, Cancel while not ended', () => {
    const t = laneTransfer({ fileCount: 3, totalBytes: 30, doneBytes: 15, filesLanded: 1, stalled: 'The receiver\u2019s disk is full' });
    const files = [
      { path: 'a', size: 10 },
      { path: 'b', size: 10 },
      { path: 'c', size: 10 },
    ];
    const view = laneTransferView(t, { peerName: 'bob', upload: { state: 'uploading' }, files, speed: 5 });
    expect(view).toMatchObject({ direction: 'out', phase: 'running', stateText: 'Sending\u2026 50 %', problem: 'The receiver\u2019s disk is full', canCancel: true, canDismiss: false, speed: 5, etaSeconds: 3 });
    expect(view.files.map((f) => [f.path, f.done, f.status])).toEqual([
      ['a', 10, 'verified'],
      ['b', 5, 'sending'],
      ['c', 0, 'waiting'],
    ]);
    const paused = laneTransferView(t, { peerName: 'bob', upload: { state: 'paused' }, files, speed: null });
    expect(paused).toMatchObject({ phase: 'paused', pause: 'files', missingFiles: ['a', 'b', 'c'] });
    const done = laneTransferView(laneTransfer({ state: 'done', doneBytes: 100 }), { peerName: 'bob', upload: null, files: [], speed: null });
    expect(done).toMatchObject({ phase: 'done', verified: true, canCancel: false, canDismiss: true, problem: null });
  });

  it('an offer as the dialog shows it', () => {
    const view = laneOfferView(offer('a', 1, { fileCount: 3, totalBytes: 50_000_000, files: [{ path: 'x/y.txt', size: 1 }] }), 'alice');
    expect(view).toMatchObject({ tid: 'a', peerName: 'alice', direction: 'in', phase: 'offered', fileCount: 3, total: 50_000_000 });
    expect(view.files.map((f) => f.path)).toEqual(['x/y.txt']);
  });
});
