import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TransferHub } from '../../src/transfer/TransferHub';
import { transferReducer, initialStatus, isTerminal, type TransferEvent } from '../../src/transfer/transferState';
import { FakeBlob, FakeDaemon, FakeLinkPair, MemoryStorage, pattern, sameBytes } from '../support/fakeTransfer';

const TID = 'H'.repeat(22);
const MiB = 1024 * 1024;

function world(options: { autoAccept?: boolean } = {}) {
  const link = new FakeLinkPair();
  const aliceDaemon = new FakeDaemon();
  const bobDaemon = new FakeDaemon();
  const aliceStorage = new MemoryStorage();
  const bobStorage = new MemoryStorage();
  let autoAccept = options.autoAccept ?? false;
  const make = (daemon: FakeDaemon, storage: MemoryStorage) =>
    new TransferHub({
      daemon,
      storage,
      autoAccept: () => autoAccept,
      peerName: (id) => (id === 'ALICE' ? 'Alice' : 'Bob'),
      createTid: () => TID,
    });
  const w = {
    link,
    aliceDaemon,
    bobDaemon,
    aliceStorage,
    bobStorage,
    alice: make(aliceDaemon, aliceStorage),
    bob: make(bobDaemon, bobStorage),
    setAutoAccept: (on: boolean) => {
      autoAccept = on;
    },
    /** A new page for Alice (her File objects are gone). */
    reloadAlice() {
      w.alice.dispose();
      w.alice = make(aliceDaemon, aliceStorage);
      w.alice.restore();
      wire();
    },
    reloadBob() {
      w.bob.dispose();
      bobDaemon.down(false); // the old tab's WebSocket closes: its handles go
      w.bob = make(bobDaemon, bobStorage);
      w.bob.restore();
      bobDaemon.up();
      wire();
    },
    aliceView: () => w.alice.views().find((v) => v.tid === TID)!,
    bobView: () => w.bob.views().find((v) => v.tid === TID)!,
  };
  const wire = () => {
    w.alice.setLink('BOB', link.a);
    w.bob.setLink('ALICE', link.b);
    link.a.onControl = (m) => w.alice.control('BOB', m);
    link.b.onControl = (m) => w.bob.control('ALICE', m);
    link.a.onChannel = (ch) => w.alice.fileChannel('BOB', ch);
    link.b.onChannel = (ch) => w.bob.fileChannel('ALICE', ch);
  };
  wire();
  return w;
}

function files(sizes: number[]) {
  return sizes.map((size, k) => ({ path: k === 0 ? 'a.txt' : `photos/p${k}.jpg`, file: new FakeBlob(pattern(size, k + 3), `f${k}`).asFile() }));
}
const bytesOf = (f: { file: File }) => (f.file as unknown as FakeBlob).bytes;

const settle = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('transfer reducer', () => {
  const run = (...events: TransferEvent[]) => events.reduce(transferReducer, initialStatus());
  it('goes offered → accepting → running → done, and nothing leaves a terminal phase', () => {
    expect(run({ type: 'ACCEPT' }).phase).toBe('accepting');
    expect(run({ type: 'ACCEPT' }, { type: 'RUNNING' }).phase).toBe('running');
    const done = run({ type: 'RUNNING' }, { type: 'DONE' });
    expect(done.phase).toBe('done');
    expect(transferReducer(done, { type: 'CANCEL', reason: 'cancelled', byPeer: false })).toBe(done);
    expect(isTerminal('declined') && isTerminal('failed') && isTerminal('cancelled')).toBe(true);
  });
  it('pauses with a reason and resumes', () => {
    const paused = run({ type: 'RUNNING' }, { type: 'PAUSE', reason: 'connection' });
    expect(paused).toMatchObject({ phase: 'paused', pause: 'connection' });
    expect(transferReducer(paused, { type: 'RESUMING' }).phase).toBe('resuming');
    expect(run({ type: 'PAUSE', reason: 'connection' }).phase).toBe('offered'); // an offer waits as it is
    expect(run({ type: 'PAUSE', reason: 'files' }, { type: 'OFFER_AGAIN' }).phase).toBe('offered');
  });
  it('declines only an open offer; cancels and fails from any live phase', () => {
    expect(run({ type: 'DECLINE', reason: 'declined', byPeer: true })).toMatchObject({ phase: 'declined', byPeer: true });
    expect(run({ type: 'RUNNING' }, { type: 'DECLINE', reason: 'x', byPeer: true }).phase).toBe('running');
    expect(run({ type: 'RUNNING' }, { type: 'FAIL', reason: 'read_error' })).toMatchObject({ phase: 'failed', reason: 'read_error' });
    expect(run({ type: 'CANCEL', reason: 'cancelled', byPeer: true }).phase).toBe('cancelled');
  });
});

describe('TransferHub, two pages', () => {
  it('sends a request of three files (0 B, 1 KiB, 3 MiB) that Bob accepts; every file verified on his disk', async () => {
    const w = world();
    const picked = files([0, 1024, 3 * MiB]);
    expect(w.alice.sendFiles('BOB', picked)).toBe(TID);
    await settle(10);
    expect(w.aliceView().stateText).toBe('Waiting for Bob to accept');
    const offer = w.bob.incomingOffers()[0]!;
    expect(offer.files.map((f) => [f.path, f.size])).toEqual([
      ['a.txt', 0],
      ['photos/p1.jpg', 1024],
      ['photos/p2.jpg', 3 * MiB],
    ]);
    expect(offer.total).toBe(3 * MiB + 1024);
    w.bob.accept(TID);
    await settle(1_000);
    expect(w.aliceView().phase).toBe('done');
    expect(w.aliceView().verified).toBe(true);
    expect(w.bobView().phase).toBe('done');
    expect(w.bobDaemon.finished.map((f) => f.name)).toEqual(['a.txt', 'photos/p1.jpg', 'photos/p2.jpg']);
    w.bobDaemon.finished.forEach((f, k) => expect(sameBytes(f.data, bytesOf(picked[k]!))).toBe(true));
    const hook = w.alice.hookInfo()[0]!;
    expect(hook).toMatchObject({ tid: TID, state: 'done', bytesSent: 3 * MiB + 1024, bytesDurable: 3 * MiB + 1024 });
    expect(hook.doneAt).not.toBeNull();
    expect(w.aliceStorage.length).toBe(0); // finished transfers are not kept
    expect(w.bobStorage.length).toBe(0);
  });

  it('a declined request says so on the sender’s side', async () => {
    const w = world();
    w.alice.sendFiles('BOB', files([10]));
    await settle(10);
    w.bob.decline(TID);
    await settle(10);
    expect(w.aliceView()).toMatchObject({ phase: 'declined', stateText: 'Bob declined' });
    expect(w.bobView().stateText).toBe('Declined');
  });

  it('auto-accepts from a peer in settings.autoAccept', async () => {
    const w = world({ autoAccept: true });
    w.alice.sendFiles('BOB', files([100]));
    await settle(100);
    expect(w.bob.incomingOffers()).toHaveLength(0);
    expect(w.aliceView().phase).toBe('done');
  });

  it('the sender cancels mid-transfer: the receiver stops and its daemon discards the partial files', async () => {
    const w = world({ autoAccept: true });
    w.link.a.holdChannels = true;
    w.alice.sendFiles('BOB', files([6 * MiB]));
    await settle(50);
    const channel = w.link.a.channels[0]!;
    channel.drain(MiB);
    await settle(10);
    expect(w.bobView().phase).toBe('running');
    w.alice.cancel(TID);
    await settle(10);
    expect(w.aliceView()).toMatchObject({ phase: 'cancelled', stateText: 'Cancelled' });
    expect(w.bobView()).toMatchObject({ phase: 'cancelled', stateText: 'Cancelled by Alice' });
    expect(w.bobDaemon.cancelled).toEqual([`ALICE/${TID}`]);
    expect(channel.readyState).toBe('closed');
  });

  it('the receiver cancels mid-transfer', async () => {
    const w = world({ autoAccept: true });
    w.link.a.holdChannels = true;
    w.alice.sendFiles('BOB', files([6 * MiB]));
    await settle(50);
    w.bob.cancel(TID);
    await settle(10);
    expect(w.aliceView()).toMatchObject({ phase: 'cancelled', stateText: 'Cancelled by Bob' });
    expect(w.bobDaemon.cancelled).toEqual([`ALICE/${TID}`]);
  });

  it('pauses when the connection drops and resumes where it stopped when it is back', async () => {
    const w = world({ autoAccept: true });
    w.link.a.holdChannels = true;
    const picked = files([10 * MiB]);
    w.alice.sendFiles('BOB', picked);
    await settle(50);
    w.link.a.channels[0]!.drain(3 * MiB);
    await settle(300);
    w.link.a.drop();
    w.alice.peerDown('BOB');
    w.bob.peerDown('ALICE');
    await settle(10);
    expect(w.aliceView()).toMatchObject({ phase: 'paused', stateText: 'Paused \u2014 waiting for the connection to Bob' });
    expect(w.bobView().phase).toBe('paused');
    const heldBefore = w.bobDaemon.bytesWritten;
    w.link.a.holdChannels = false;
    w.link.a.restore();
    w.bob.peerUp('ALICE');
    w.alice.peerUp('BOB');
    await settle(10);
    await settle(1_000);
    expect(w.aliceView().phase).toBe('done');
    const f = w.bobDaemon.finished[0]!;
    expect(sameBytes(f.data, bytesOf(picked[0]!))).toBe(true);
    // The second channel started where Bob's daemon was: nothing was written twice.
    expect(w.bobDaemon.bytesWritten).toBe(10 * MiB);
    expect(heldBefore).toBeGreaterThan(0);
  });

  it('after the sender’s page is reloaded: paused until the file is selected again, then resumed', async () => {
    const w = world({ autoAccept: true });
    w.link.a.holdChannels = true;
    const picked = files([8 * MiB]);
    w.alice.sendFiles('BOB', picked);
    await settle(50);
    w.link.a.channels[0]!.drain(3 * MiB);
    await settle(300);
    w.link.a.drop();
    w.bob.peerDown('ALICE');
    w.reloadAlice();
    expect(w.aliceView()).toMatchObject({ phase: 'paused', pause: 'files', stateText: 'Paused \u2014 select the file again to resume' });
    expect(w.aliceView().missingFiles).toEqual(['a.txt']);
    w.link.a.holdChannels = false;
    w.link.a.restore();
    w.alice.peerUp('BOB');
    w.bob.peerUp('ALICE');
    await settle(10);
    expect(w.aliceView().pause).toBe('files');
    // Choosing another file does not resume it; the same one (name and size) does.
    expect(w.alice.reselect(TID, [{ path: 'a.txt', file: new FakeBlob(pattern(100)).asFile() }])).toBe(0);
    expect(w.alice.reselect(TID, [{ path: 'a.txt', file: picked[0]!.file }])).toBe(1);
    await settle(1_000);
    expect(w.aliceView().phase).toBe('done');
    expect(sameBytes(w.bobDaemon.finished[0]!.data, bytesOf(picked[0]!))).toBe(true);
    expect(w.bobDaemon.bytesWritten).toBe(8 * MiB);
  });

  it('re-selecting the files by dropping them on the peer resumes the paused request instead of a new one', async () => {
    const w = world({ autoAccept: true });
    w.link.a.holdChannels = true;
    const picked = files([2 * MiB, 1000]);
    w.alice.sendFiles('BOB', picked);
    await settle(50);
    w.link.a.drop();
    w.bob.peerDown('ALICE');
    w.reloadAlice();
    w.link.a.holdChannels = false;
    w.link.a.restore();
    w.bob.peerUp('ALICE');
    w.alice.peerUp('BOB');
    expect(w.alice.sendFiles('BOB', picked)).toBe(TID);
    await settle(1_000);
    expect(w.alice.views()).toHaveLength(1);
    expect(w.aliceView().phase).toBe('done');
  });

  it('after the receiver’s page is reloaded: the sender’s resume is answered from the daemon’s offsets', async () => {
    const w = world({ autoAccept: true });
    w.link.a.holdChannels = true;
    const picked = files([500, 6 * MiB]);
    w.alice.sendFiles('BOB', picked);
    await settle(50);
    w.link.a.channels[0]!.drain(2 * MiB);
    await settle(300);
    expect(w.bobDaemon.finished.map((f) => f.name)).toEqual(['a.txt']);
    w.link.a.drop();
    w.alice.peerDown('BOB');
    w.reloadBob();
    expect(w.bobView()).toMatchObject({ phase: 'paused' });
    w.link.a.holdChannels = false;
    w.link.a.restore();
    w.bob.peerUp('ALICE');
    w.alice.peerUp('BOB');
    await settle(1_000);
    expect(w.aliceView().phase).toBe('done');
    expect(w.bobView().phase).toBe('done');
    expect(sameBytes(w.bobDaemon.finished[1]!.data, bytesOf(picked[1]!))).toBe(true);
    expect(w.bobDaemon.bytesWritten).toBe(500 + 6 * MiB);
    // a.txt was not sent again.
    expect(w.bobDaemon.finished).toHaveLength(2);
  });

  it('a damaged file is an error on both sides, in plain words', async () => {
    const w = world({ autoAccept: true });
    const picked = files([1000]);
    // Bob's daemon computes another SHA-256 than Alice sent (bytes damaged on the way).
    w.bobDaemon.finish = ((real) => (args) => real({ ...args, sha256: '0'.repeat(64) }))(w.bobDaemon.finish.bind(w.bobDaemon));
    w.alice.sendFiles('BOB', picked);
    await settle(100);
    const expected = 'The file was damaged on the way (checksum mismatch); send it again';
    expect(w.aliceView()).toMatchObject({ phase: 'failed', stateText: `Failed: ${expected}` });
    expect(w.bobView().stateText).toBe(`Failed: ${expected}`);
    expect(w.aliceView().files[0]!.error).toBe(expected);
  });

  it('a resume for a transfer the other side does not know is cancelled', async () => {
    const w = world();
    w.bob.control('ALICE', { t: 'xfer_resume', tid: 'Z'.repeat(22) });
    await settle(10);
    expect(w.link.b.controlSent).toContainEqual({ t: 'xfer_cancel', tid: 'Z'.repeat(22), reason: 'unknown' });
  });

  it('an offer this page cannot read (unreadable) is declined with bad_offer instead of being ignored', async () => {
    const w = world();
    w.bob.control('ALICE', { t: 'xfer_offer', tid: TID, files: [], total: 1, unreadable: true });
    await settle(10);
    expect(w.link.b.controlSent).toContainEqual({ t: 'xfer_decline', tid: TID, reason: 'bad_offer' });
    expect(w.bob.views()).toHaveLength(0);
  });

  it('a malformed offer is declined', async () => {
    const w = world();
    w.bob.control('ALICE', { t: 'xfer_offer', tid: TID, files: [{ i: 1, path: 'a', size: 1 }], total: 1 });
    await settle(10);
    expect(w.link.b.controlSent).toContainEqual({ t: 'xfer_decline', tid: TID, reason: 'bad_offer' });
    expect(w.bob.views()).toHaveLength(0);
  });
});
