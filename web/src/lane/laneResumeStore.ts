// What a page keeps of the lane transfers whose bytes it uploads and has not
// finished uploading: the transfer, the peer and each file's identity (path,
// size, lastModified). If the tab closes mid-upload the transfer pauses at
// the daemon; when the page later offers the same files to the same peer it
// finds the record and continues that transfer instead of making a new one.
//
// As for the WebRTC transfers (transfer/store.ts), IndexedDB where there is
// one (a transaction is on disk when it completes; localStorage is written
// seconds late), localStorage otherwise. The database is its own
// ("peerdrop-lane"), so the WebRTC store's schema is untouched.

import type { LaneFileToSend } from '../daemon/laneProtocol';
import { isLaneTid } from '../daemon/laneProtocol';
import type { StorageLike } from '../settings/theme';
import { baseName, type PickedFile } from '../transfer/pickFiles';

export const LANE_STORE_PREFIX = 'peerdrop.lane.';
export const LANE_IDB_NAME = 'peerdrop-lane';
export const LANE_IDB_STORE = 'uploads';

export interface LaneResumeRecord {
  v: 1;
  tid: string;
  peer: string;
  /** In the order of the transfer's file indices. */
  files: LaneFileToSend[];
  createdAt: number;
}

export interface LaneResumeStore {
  /** Every record, oldest first; malformed ones are dropped. */
  load(): Promise<LaneResumeRecord[]>;
  save(record: LaneResumeRecord): void;
  remove(tid: string): void;
}

/** What the daemon is told of a picked file, and what a resume matches on. */
export function fileToSend(picked: PickedFile): LaneFileToSend {
  return { path: picked.path, size: picked.file.size, lastModified: picked.file.lastModified };
}

function identity(file: LaneFileToSend): string {
  return `${file.size}:${file.lastModified}:${file.path}`;
}

/**
 * The record's file indices of the picked files when the pick is exactly the
 * record's files (same paths, sizes and modification times, in any order);
 * else null.
 */
export function matchExactly(record: LaneResumeRecord, picked: readonly PickedFile[]): Map<number, PickedFile> | null {
  if (picked.length !== record.files.length) return null;
  const byIdentity = new Map<string, number>();
  record.files.forEach((file, index) => byIdentity.set(identity(file), index));
  const found = new Map<number, PickedFile>();
  for (const p of picked) {
    const index = byIdentity.get(identity(fileToSend(p)));
    if (index === undefined) return null;
    found.set(index, p);
  }
  return found.size === record.files.length ? found : null;
}

/**
 * The record's file indices of those picked files that are among its files.
 * A file input gives no folder path, so a picked file also matches by its
 * name, size and date when exactly one of the record's files has them.
 */
export function matchSome(record: LaneResumeRecord, picked: readonly PickedFile[]): Map<number, PickedFile> {
  const byIdentity = new Map<string, number>();
  const byName = new Map<string, number | null>();
  record.files.forEach((file, index) => {
    byIdentity.set(identity(file), index);
    const key = identity({ ...file, path: baseName(file.path) });
    byName.set(key, byName.has(key) ? null : index);
  });
  const found = new Map<number, PickedFile>();
  for (const p of picked) {
    const file = fileToSend(p);
    const index = byIdentity.get(identity(file)) ?? byName.get(identity({ ...file, path: baseName(file.path) }));
    if (index !== undefined && index !== null && !found.has(index)) found.set(index, p);
  }
  return found;
}

export function parseLaneRecord(text: unknown): LaneResumeRecord | null {
  if (typeof text !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (v.v !== 1 || !isLaneTid(v.tid) || typeof v.peer !== 'string' || !Array.isArray(v.files)) return null;
  const files: LaneFileToSend[] = [];
  for (const f of v.files as unknown[]) {
    if (typeof f !== 'object' || f === null) return null;
    const { path, size, lastModified } = f as Record<string, unknown>;
    if (typeof path !== 'string' || typeof size !== 'number' || typeof lastModified !== 'number') return null;
    files.push({ path, size, lastModified });
  }
  return { v: 1, tid: v.tid, peer: v.peer, files, createdAt: typeof v.createdAt === 'number' ? v.createdAt : 0 };
}

type KeyedStorage = StorageLike & { readonly length?: number; key?(index: number): string | null };

/** Over a synchronous Storage (localStorage; a Map in tests). */
export class StorageLaneResumeStore implements LaneResumeStore {
  constructor(private readonly storage: KeyedStorage | null) {}

  async load(): Promise<LaneResumeRecord[]> {
    return this.loadNow();
  }

  loadNow(): LaneResumeRecord[] {
    const storage = this.storage;
    if (!storage || typeof storage.key !== 'function' || typeof storage.length !== 'number') return [];
    const records: LaneResumeRecord[] = [];
    try {
      const keys: string[] = [];
      for (let k = 0; k < storage.length; k++) {
        const key = storage.key(k);
        if (key?.startsWith(LANE_STORE_PREFIX)) keys.push(key);
      }
      for (const key of keys) {
        const record = parseLaneRecord(storage.getItem(key));
        if (record && key === LANE_STORE_PREFIX + record.tid) records.push(record);
        else storage.removeItem(key);
      }
    } catch {
      return records;
    }
    return records.sort((a, b) => a.createdAt - b.createdAt);
  }

  save(record: LaneResumeRecord): void {
    try {
      this.storage?.setItem(LANE_STORE_PREFIX + record.tid, JSON.stringify(record));
    } catch {
      // Full or unavailable: this transfer cannot be resumed after the tab closes.
    }
  }

  remove(tid: string): void {
    try {
      this.storage?.removeItem(LANE_STORE_PREFIX + tid);
    } catch {
      // unavailable
    }
  }
}

function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

/** IndexedDB: database "peerdrop-lane", object store "uploads", each record's JSON under its tid. */
export class IndexedDbLaneResumeStore implements LaneResumeStore {
  private readonly db: Promise<IDBDatabase | null>;
  private readonly fallback: StorageLaneResumeStore;
  private lastWrite: Promise<void> = Promise.resolve();

  constructor(factory: IDBFactory, fallback: KeyedStorage | null) {
    this.fallback = new StorageLaneResumeStore(fallback);
    this.db = new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(LANE_IDB_NAME, 1);
      request.onupgradeneeded = () => {
        if (!request.result.objectStoreNames.contains(LANE_IDB_STORE)) request.result.createObjectStore(LANE_IDB_STORE);
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('IndexedDB cannot be opened'));
    }).catch(() => null);
  }

  async load(): Promise<LaneResumeRecord[]> {
    const db = await this.db;
    if (!db) return this.fallback.loadNow();
    try {
      const values = await requestResult(db.transaction(LANE_IDB_STORE, 'readonly').objectStore(LANE_IDB_STORE).getAll());
      return values
        .map(parseLaneRecord)
        .filter((r): r is LaneResumeRecord => r !== null)
        .sort((a, b) => a.createdAt - b.createdAt);
    } catch {
      return this.fallback.loadNow();
    }
  }

  save(record: LaneResumeRecord): void {
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
    this.lastWrite = this.db
      .then(
        (db) =>
          new Promise<void>((resolve) => {
            if (!db) {
              otherwise();
              resolve();
              return;
            }
            try {
              const transaction = db.transaction(LANE_IDB_STORE, 'readwrite');
              change(transaction.objectStore(LANE_IDB_STORE));
              transaction.oncomplete = () => resolve();
              transaction.onerror = () => resolve();
              transaction.onabort = () => resolve();
            } catch {
              otherwise();
              resolve();
            }
          }),
      )
      .then(() => previous);
  }
}

/** The store a browser page uses: IndexedDB where there is one, else localStorage. */
export function browserLaneResumeStore(factory: IDBFactory | null | undefined, fallback: KeyedStorage | null): LaneResumeStore {
  return factory ? new IndexedDbLaneResumeStore(factory, fallback) : new StorageLaneResumeStore(fallback);
}
