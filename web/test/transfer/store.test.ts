import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import {
  IndexedDbTransferStore,
  STORE_PREFIX,
  StorageTransferStore,
  browserTransferStore,
  saveTransfer,
  type StoredTransfer,
} from '../../src/transfer/store';
import { MemoryStorage } from '../support/fakeTransfer';

function record(tid: string, createdAt: number, extra: Partial<StoredTransfer> = {}): StoredTransfer {
  return {
    v: 1,
    tid,
    peer: 'ALICE',
    peerName: 'Alice',
    direction: 'in',
    files: [{ i: 0, path: 'a.txt', size: 10 }],
    accepted: true,
    createdAt,
    results: [],
    ...extra,
  };
}

const T1 = 'A'.repeat(22);
const T2 = 'B'.repeat(22);
const T3 = 'C'.repeat(22);

describe('IndexedDbTransferStore', () => {
  it('keeps what was saved for the next page (a crash right after a write keeps it), oldest first', async () => {
    const factory = new IDBFactory();
    const page = new IndexedDbTransferStore(factory, null);
    expect(await page.load()).toEqual([]);
    page.save(record(T2, 2));
    page.save(record(T1, 1));
    page.save(record(T1, 1, { accepted: false, results: [[0, true, 'a.txt']] }));
    page.save(record(T3, 3));
    page.remove(T3);
    await page.settled();
    // A new page on the same profile (the old one died without closing anything).
    const next = new IndexedDbTransferStore(factory, null);
    expect(await next.load()).toEqual([record(T1, 1, { accepted: false, results: [[0, true, 'a.txt']] }), record(T2, 2)]);
  });

  it('moves the records an older page left in localStorage over, once', async () => {
    const factory = new IDBFactory();
    const legacy = new MemoryStorage();
    saveTransfer(legacy, record(T1, 1));
    legacy.setItem('peerdrop.theme', 'dark');
    const store = new IndexedDbTransferStore(factory, legacy);
    expect(await store.load()).toEqual([record(T1, 1)]);
    await store.settled();
    expect(legacy.getItem(STORE_PREFIX + T1)).toBeNull();
    expect(legacy.getItem('peerdrop.theme')).toBe('dark'); // not ours
    expect(await new IndexedDbTransferStore(factory, legacy).load()).toEqual([record(T1, 1)]);
  });

  it('drops malformed records', async () => {
    const factory = new IDBFactory();
    const store = new IndexedDbTransferStore(factory, null);
    store.save(record(T1, 1));
    await store.settled();
    await new Promise<void>((resolve, reject) => {
      const request = factory.open('peerdrop', 1);
      request.onsuccess = () => {
        const transaction = request.result.transaction('transfers', 'readwrite');
        transaction.objectStore('transfers').put('{"v":2}', T2);
        transaction.objectStore('transfers').put(42, T3);
        transaction.oncomplete = () => {
          request.result.close();
          resolve();
        };
      };
      request.onerror = () => reject(request.error);
    });
    expect(await new IndexedDbTransferStore(factory, null).load()).toEqual([record(T1, 1)]);
  });

  it('uses localStorage when IndexedDB cannot be opened', async () => {
    const broken = {
      open() {
        const request = { error: new Error('denied') } as unknown as IDBOpenDBRequest;
        setTimeout(() => request.onerror?.(new Event('error')), 0);
        return request;
      },
    } as unknown as globalThis.IDBFactory;
    const legacy = new MemoryStorage();
    const store = new IndexedDbTransferStore(broken, legacy);
    expect(await store.load()).toEqual([]);
    store.save(record(T1, 1));
    await store.settled();
    expect(new StorageTransferStore(legacy).load()).toEqual([record(T1, 1)]);
    store.remove(T1);
    await store.settled();
    expect(legacy.length).toBe(0);
  });

  it('a page without IndexedDB keeps them in localStorage', () => {
    const legacy = new MemoryStorage();
    const store = browserTransferStore(null, legacy);
    store.save(record(T1, 1));
    expect(store.load()).toEqual([record(T1, 1)]);
  });
});
