// Unfinished transfers kept in localStorage (one key per transfer), so that a
// reloaded page can resume them: the sender asks for the files again, the
// receiver answers the sender's xfer_resume from its daemon's offsets.

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
