import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import {
  IndexedDbLaneResumeStore,
  LANE_STORE_PREFIX,
  StorageLaneResumeStore,
  fileToSend,
  matchExactly,
  matchSome,
  type LaneResumeRecord,
} from '../../src/lane/laneResumeStore';
import { pickedFile } from '../support/fakeLane';
import { MemoryStorage } from '../support/fakeTransfer';

const a = pickedFile('dir/a.txt', 10, 111);
const b = pickedFile('dir/b.txt', 20, 222);

function record(tid: string, createdAt = 1): LaneResumeRecord {
  return { v: 1, tid, peer: 'BOBID', files: [fileToSend(a), fileToSend(b)], createdAt };
}

describe('resume records: matching', () => {
  it('the same files in any order match, with the record\u2019s indices', () => {
    const match = matchExactly(record('t1'), [b, a]);
    expect(match && [...match.entries()].map(([i, p]) => [i, p.path])).toEqual([
      [1, 'dir/b.txt'],
      [0, 'dir/a.txt'],
    ]);
  });

  it('a different size, modification time, path, or a file more or less does not match', () => {
    expect(matchExactly(record('t1'), [a])).toBeNull();
    expect(matchExactly(record('t1'), [a, b, pickedFile('c', 1)])).toBeNull();
    expect(matchExactly(record('t1'), [a, pickedFile('dir/b.txt', 21, 222)])).toBeNull();
    expect(matchExactly(record('t1'), [a, pickedFile('dir/b.txt', 20, 223)])).toBeNull();
    expect(matchExactly(record('t1'), [a, pickedFile('b.txt', 20, 222)])).toBeNull();
    expect([...matchSome(record('t1'), [b, pickedFile('x', 1)]).keys()]).toEqual([1]);
  });

  it('choosing files again with a file input (no folder path) matches by name, size and date when that is unambiguous', () => {
    const rec = record('t1');
    expect([...matchSome(rec, [pickedFile('b.txt', 20, 222)]).keys()]).toEqual([1]);
    const twins: LaneResumeRecord = { ...rec, files: [fileToSend(a), { ...fileToSend(a), path: 'other/a.txt' }] };
    expect(matchSome(twins, [pickedFile('a.txt', 10, 111)]).size).toBe(0);
    // Not for a new pick: that must be the same paths.
    expect(matchExactly(rec, [pickedFile('a.txt', 10, 111), pickedFile('b.txt', 20, 222)])).toBeNull();
  });
});

describe('resume records: storage', () => {
  it('localStorage: saved, loaded oldest first, removed; malformed entries dropped', async () => {
    const storage = new MemoryStorage();
    const store = new StorageLaneResumeStore(storage);
    store.save(record('t2', 2));
    store.save(record('t1', 1));
    storage.setItem(`${LANE_STORE_PREFIX}bad`, '{"v":1,"tid":"bad","peer":"x","files":[{"path":1}]}');
    storage.setItem(`${LANE_STORE_PREFIX}t9`, '{"v":1,"tid":"other","peer":"x","files":[]}');
    storage.setItem('peerdrop.xfer.keep', 'not mine');
    expect((await store.load()).map((r) => r.tid)).toEqual(['t1', 't2']);
    expect(storage.getItem(`${LANE_STORE_PREFIX}bad`)).toBeNull();
    expect(storage.getItem('peerdrop.xfer.keep')).toBe('not mine');
    store.remove('t1');
    expect((await store.load()).map((r) => r.tid)).toEqual(['t2']);
  });

  it('IndexedDB: its own database; what one page saved the next one loads', async () => {
    const factory = new IDBFactory();
    const first = new IndexedDbLaneResumeStore(factory, null);
    first.save(record('t1', 5));
    first.save(record('t2', 3));
    first.remove('t1');
    await first.settled();
    const second = new IndexedDbLaneResumeStore(factory, null);
    expect(await second.load()).toEqual([record('t2', 3)]);
  });
});
