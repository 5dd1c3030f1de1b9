// Unfinished transfers kept across reloads and crashes of the page, so that a
// new page can resume them: the sender asks for the files again, the receiver
// answers the sender's xfer_resume from its daemon's offsets.
//
// In the browser they live in IndexedDB (IndexedDbTransferStore), not in
// localStorage: Chromium writes localStorage to disk only seconds after a
// change (and at most about once a minute per origin), so a browser that
// crashes loses what it had not written yet (the lab measured it: a record set
// 0.2-4 s before a SIGKILL of Chromium was gone after the restart), whereas an
// IndexedDB transaction is on disk when it completes. The synchronous
// StorageTransferStore (localStorage, a Map in tests) remains for where
// IndexedDB is unavailable.

import { isObject } from '../daemon/protocol';
import type { StorageLike } from '../settings/theme';
import type { FileResult } from './FileReceiver';
import type { TransferDirection } from './transferState';
import { MAX_FILES, isTid, type OfferedFile } from './wire';

export const STORE_PREFIX = 'peerdrop.xfer.';

export interface StoredTransfer {
  v: 1;
  tid: string;
  peer: string;
  peerName: string;
  direction: TransferDirection;
  files: OfferedFile[];
  /** The receiver accepted it (else it was only offered). */
  accepted: boolean;
  createdAt: number;
  /** Verdicts so far: [index, ok, final name or error code]. */
  results: [number, boolean, string][];
}

export function resultsToStored(results: ReadonlyMap<number, FileResult>): [number, boolean, string][] {
  return [...results].map(([i, r]) => [i, r.ok, r.ok ? r.name : r.error]);
}

export function resultsFromStored(stored: readonly [number, boolean, string][]): Map<number, FileResult> {
  return new Map(stored.map(([i, ok, text]) => [i, ok ? { ok: true, name: text } : { ok: false, error: text }]));
}

export function saveTransfer(storage: StorageLike | null, record: StoredTransfer): boolean {
  if (!storage) return false;
  try {
    storage.setItem(STORE_PREFIX + record.tid, JSON.stringify(record));
    return true;
  } catch {
    return false; // full or unavailable: resume after a reload will not work for this one
  }
}

export function removeTransfer(storage: StorageLike | null, tid: string): void {
  try {
    storage?.removeItem(STORE_PREFIX + tid);
  } catch {
    // unavailable
  }
}

function parseStored(text: string | null): StoredTransfer | null {
  if (!text) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(value) || value.v !== 1 || !isTid(value.tid) || typeof value.peer !== 'string') return null;
  if (value.direction !== 'out' && value.direction !== 'in') return null;
  if (!Array.isArray(value.files) || value.files.length > MAX_FILES || !Array.isArray(value.results)) return null;
  const files: OfferedFile[] = [];
  for (const f of value.files) {
    if (!isObject(f) || typeof f.i !== 'number' || typeof f.path !== 'string' || typeof f.size !== 'number') return null;
    const file: OfferedFile = { i: f.i, path: f.path, size: f.size };
    if (typeof f.mtime === 'number') file.mtime = f.mtime;
    files.push(file);
  }
  const results: [number, boolean, string][] = [];
  for (const r of value.results) {
    if (Array.isArray(r) && typeof r[0] === 'number' && typeof r[1] === 'boolean' && typeof r[2] === 'string') {
      results.push([r[0], r[1], r[2]]);
    }
  }
  return {
    v: 1,
    tid: value.tid,
    peer: value.peer,
    peerName: typeof value.peerName === 'string' ? value.peerName : value.peer.slice(0, 8),
    direction: value.direction,
    files,
    accepted: value.accepted === true,
    createdAt: typeof value.createdAt === 'number' ? value.createdAt : 0,
    results,
  };
}

/** Every stored transfer (malformed entries are removed). */
export function loadTransfers(storage: StorageLike & { readonly length?: number; key?(index: number): string | null } | null): StoredTransfer[] {
  if (!storage || typeof storage.key !== 'function' || typeof storage.length !== 'number') return [];
  const keys: string[] = [];
  try {
    for (let k = 0; k < storage.length; k++) {
      const key = storage.key(k);
      if (key?.startsWith(STORE_PREFIX)) keys.push(key);
    }
  } catch {
    return [];
  }
  const records: StoredTransfer[] = [];
  for (const key of keys) {
    const record = parseStored(storage.getItem(key));
    if (record && key === STORE_PREFIX + record.tid) records.push(record);
    else removeTransfer(storage, key.slice(STORE_PREFIX.length));
  }
  return records.sort((a, b) => a.createdAt - b.createdAt);
}

/** Where the hub keeps unfinished transfers. */
export interface TransferStore {
  /** Every stored transfer, oldest first (malformed entries are dropped); synchronous where the storage is. */
  load(): StoredTransfer[] | Promise<StoredTransfer[]>;
  /** Writes or replaces the record (in the order of the calls). */
  save(record: StoredTransfer): void;
  remove(tid: string): void;
}

type KeyedStorage = StorageLike & { readonly length?: number; key?(index: number): string | null };

/** Over a synchronous Storage: localStorage (loses its last seconds when the browser crashes), or a Map in tests. */
export class StorageTransferStore implements TransferStore {
  constructor(private readonly storage: KeyedStorage | null) {}

  load(): StoredTransfer[] {
    return loadTransfers(this.storage);
  }

  save(record: StoredTransfer): void {
    saveTransfer(this.storage, record);
  }

  remove(tid: string): void {
    removeTransfer(this.storage, tid);
  }
}

export const IDB_NAME = 'peerdrop';
export const IDB_STORE = 'transfers';

function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

/**
 * IndexedDB: database "peerdrop", object store "transfers", one record per
 * transfer (its JSON, as in localStorage) under its tid. Each save or remove
 * is a transaction of its own, started in the order of the calls (IndexedDB
 * runs the read-write transactions of one store in that order) and durable
 * once complete. Records an older page left in `legacy` (localStorage) are
 * moved over by the first load. If the database cannot be opened, everything
 * goes to `legacy` instead.
 */
export class IndexedDbTransferStore implements TransferStore {
  private readonly db: Promise<IDBDatabase | null>;
  private readonly fallback: StorageTransferStore;
  /** The last write issued: settles when it is on disk (or failed). */
  private lastWrite: Promise<void> = Promise.resolve();

  constructor(factory: IDBFactory, legacy: KeyedStorage | null) {
    this.fallback = new StorageTransferStore(legacy);
    this.db = this.openDb(factory).catch(() => null);
  }

  async load(): Promise<StoredTransfer[]> {
    const db = await this.db;
    const legacy = this.fallback.load();
    if (!db) return legacy;
    let records: StoredTransfer[];
    try {
      const values = await requestResult(db.transaction(IDB_STORE, 'readonly').objectStore(IDB_STORE).getAll());
      records = values.flatMap((value) => {
        const record = typeof value === 'string' ? parseStored(value) : null;
        return record ? [record] : [];
      });
    } catch {
      return legacy;
    }
    const known = new Set(records.map((r) => r.tid));
    for (const record of legacy) {
      if (!known.has(record.tid)) {
        records.push(record);
        this.save(record);
      }
      this.fallback.remove(record.tid);
    }
    return records.sort((a, b) => a.createdAt - b.createdAt);
  }

  save(record: StoredTransfer): void {
    const text = JSON.stringify(record);
    this.write((store) => store.put(text, record.tid), () => this.fallback.save(record));
  }

  remove(tid: string): void {
    this.fallback.remove(tid);
    this.write((store) => store.delete(tid), () => undefined);
  }

  /** Resolves when every save and remove issued so far is written. */
  settled(): Promise<void> {
    return this.lastWrite;
  }

  private write(change: (store: IDBObjectStore) => void, otherwise: () => void): void {
    const previous = this.lastWrite;
    this.lastWrite = this.db.then(
      (db) =>
        new Promise<void>((resolve) => {
          if (!db) {
            otherwise();
            resolve();
            return;
          }
          try {
            const transaction = db.transaction(IDB_STORE, 'readwrite');
            change(transaction.objectStore(IDB_STORE));
            transaction.oncomplete = () => resolve();
            transaction.onerror = () => resolve(); // full or failing: resume after a crash will not work for this one
            transaction.onabort = () => resolve();
          } catch {
            otherwise(); // e.g. the database was closed under us
            resolve();
          }
        }),
    ).then(() => previous);
  }

  private openDb(factory: IDBFactory): Promise<IDBDatabase> {
    return new Promise((resolve, reject) => {
      const request = factory.open(IDB_NAME, 1);
      request.onupgradeneeded = () => {
        if (!request.result.objectStoreNames.contains(IDB_STORE)) request.result.createObjectStore(IDB_STORE);
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('IndexedDB cannot be opened'));
    });
  }
}

/** The store a browser page uses: IndexedDB where there is one, else localStorage. */
export function browserTransferStore(factory: IDBFactory | null | undefined, legacy: KeyedStorage | null): TransferStore {
  return factory ? new IndexedDbTransferStore(factory, legacy) : new StorageTransferStore(legacy);
}
