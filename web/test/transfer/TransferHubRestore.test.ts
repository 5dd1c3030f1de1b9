// A page that comes back after a crash: its unfinished transfers load from
// IndexedDB (asynchronously) while its peers already talk to it, and its
// transfers are shown before its peers are listed.
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TransferHub } from '../../src/transfer/TransferHub';
import { IndexedDbTransferStore, StorageTransferStore, type TransferStore } from '../../src/transfer/store';
import { FakeBlob, FakeDaemon, FakeLinkPair, MemoryStorage, pattern, sameBytes } from '../support/fakeTransfer';

const TID = 'R'.repeat(22);
const MiB = 1024 * 1024;

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());
const settle = (ms = 0) => vi.advanceTimersByTimeAsync(ms);
/** Awaits `promise` while the fake clock runs (fake-indexeddb schedules its tasks with setImmediate). */
async function until<T>(promise: Promise<T>): Promise<T> {
  let done = false;
  void promise.finally(() => {
    done = true;
  });
  for (let k = 0; k < 1_000 && !done; k++) await settle(10);
  return promise;
}

function hub(daemon: FakeDaemon, store: TransferStore, names: Map<string, string> = new Map([['ALICE', 'Alice'], ['BOB', 'Bob']])) {
  return new TransferHub({
    daemon,
    store,
    autoAccept: () => true,
    peerName: (id) => names.get(id) ?? id.slice(0, 3),
    createTid: () => TID,
  });
}

describe('TransferHub after a crash of the page', () => {
  it('a resume that arrives while the stored transfers are still loading is answered, not refused as unknown', async () => {
    const link = new FakeLinkPair();
    const aliceDaemon = new FakeDaemon();
    const bobDaemon = new FakeDaemon();
    const factory = new IDBFactory();
    const bobStore = new IndexedDbTransferStore(factory, null);
    await until(bobStore.load());
    const alice = hub(aliceDaemon, new StorageTransferStore(new MemoryStorage()));
    let bob = hub(bobDaemon, bobStore);
    const wire = () => {
      alice.setLink('BOB', link.a);
      bob.setLink('ALICE', link.b);
      link.a.onControl = (m) => alice.control('BOB', m);
      link.b.onControl = (m) => bob.control('ALICE', m);
      link.a.onChannel = (ch) => alice.fileChannel('BOB', ch);
      link.b.onChannel = (ch) => bob.fileChannel('ALICE', ch);
    };
    wire();
    link.a.holdChannels = true;
    const file = new FakeBlob(pattern(6 * MiB, 7), 'f').asFile();
    alice.sendFiles('BOB', [{ path: 'big.bin', file }]);
    await settle(50);
    link.a.channels[0]!.drain(2 * MiB);
    await settle(300);
    await until(bobStore.settled()); // the accepted transfer is on disk
    // Bob's browser crashes: his page stops, his daemon sees the tab go.
    link.a.drop();
    alice.peerDown('BOB');
    bob.dispose();
    bobDaemon.down(false);
    const reopened = new IndexedDbTransferStore(factory, null);
    bob = hub(bobDaemon, reopened);
    const restored = bob.restore();
    bobDaemon.up();
    wire();
    link.a.holdChannels = false;
    link.a.restore();
    // The connection is back before the new page has read its store.
    alice.peerUp('BOB');
    bob.peerUp('ALICE');
    await settle(10);
    expect(link.b.controlSent.filter((m) => m.t === 'xfer_cancel')).toEqual([]);
    await until(restored);
    await settle(1_000);
    expect(bob.views()[0]).toMatchObject({ tid: TID, phase: 'done', peerName: 'Alice' });
    expect(alice.views()[0]).toMatchObject({ phase: 'done', verified: true });
    expect(sameBytes(bobDaemon.finished[0]!.data, (file as unknown as FakeBlob).bytes)).toBe(true);
    expect(bobDaemon.bytesWritten).toBe(6 * MiB); // resumed where the daemon was: nothing twice
    await until(reopened.settled());
    expect(await until(new IndexedDbTransferStore(factory, null).load())).toEqual([]); // finished: forgotten
  });

  it('a restored transfer is shown under its peer’s name once the peer is listed', () => {
    const storage = new MemoryStorage();
    const names = new Map<string, string>();
    const first = hub(new FakeDaemon(), new StorageTransferStore(storage), new Map([['ALICE', 'Alice']]));
    first.control('ALICE', { t: 'xfer_offer', tid: TID, files: [{ i: 0, path: 'a.txt', size: 5 }], total: 5 });
    first.dispose();
    const page = hub(new FakeDaemon(), new StorageTransferStore(storage), names);
    void page.restore();
    expect(page.views()[0]?.peerName).toBe('ALI'); // not listed yet
    names.set('ALICE', 'Alice'); // the daemon's peer list arrives
    expect(page.views()[0]?.peerName).toBe('Alice');
  });
});
