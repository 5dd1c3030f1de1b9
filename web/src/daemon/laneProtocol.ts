// The transfer lane as the page sees it (docs/protocol.md, "Transfers daemon
// to daemon"): the daemon's `transfers` push and the bodies of /api/transfers
// and /api/offers, typed once and checked before any field is used. A
// malformed entry is left out; a malformed message is ignored.

export type LaneState = 'offered' | 'accepted' | 'done' | 'declined' | 'expired' | 'cancelled' | 'failed';
export type LaneDirection = 'incoming' | 'outgoing';
export type LaneAnsweredBy = 'trust' | 'tab' | 'command line' | 'notification';

export interface LaneTransfer {
  tid: string;
  direction: LaneDirection;
  /** The other computer's peer id. */
  peer: string;
  peerName: string;
  state: LaneState;
  fileCount: number;
  totalBytes: number;
  /** Bytes the receiving daemon holds (never more than totalBytes here). */
  doneBytes: number;
  filesLanded: number;
  /** Unix ms. */
  createdAt: number;
  updatedAt: number;
  /** While offered: when the offer expires (Unix ms). */
  expiresAt?: number;
  /** Why it ended other than done: a code and a sentence for a person. */
  code?: string;
  reason?: string;
  answeredBy?: LaneAnsweredBy;
  /** Why bytes do not flow now, in words (e.g. the receiver's disk is full). */
  stalled?: string;
  /** 'page': a page uploads its bytes to the sending daemon. */
  source?: string;
}

export interface LaneOfferedFile {
  path: string;
  size: number;
}

/** An incoming offer waiting for an answer here, with its first files. */
export interface LaneOffer extends LaneTransfer {
  files: LaneOfferedFile[];
}

/** A file of a transfer whose bytes the page uploads (POST and GET /api/transfers). */
export interface LaneUploadFile {
  index: number;
  path: string;
  size: number;
  /** Bytes of it the sending daemon holds. */
  uploaded: number;
}

export interface LaneUploadTransfer extends LaneTransfer {
  files: LaneUploadFile[];
}

export interface TransfersMessage {
  type: 'transfers';
  transfers: LaneTransfer[];
  offers: LaneOffer[];
}

/** What the page offers in POST /api/transfers. */
export interface LaneFileToSend {
  path: string;
  size: number;
  lastModified: number;
}

const STATES: readonly string[] = ['offered', 'accepted', 'done', 'declined', 'expired', 'cancelled', 'failed'];
const ANSWERED_BY: readonly string[] = ['trust', 'tab', 'command line', 'notification'];
const FINAL: readonly LaneState[] = ['done', 'declined', 'expired', 'cancelled', 'failed'];

/** At most this many transfers, offers and files per offer are read from one message. */
export const MAX_LISTED = 1_000;
export const MAX_OFFER_FILES = 100;
/** Upload lists can be long (a folder of 10,000 files). */
export const MAX_UPLOAD_FILES = 100_000;
const MAX_TEXT = 500;
const MAX_PATH = 4096;

export function isFinalLaneState(state: LaneState): boolean {
  return FINAL.includes(state);
}

type Json = { [key: string]: unknown };

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : null;
}

function text(value: unknown, max = MAX_TEXT): string | null {
  if (typeof value !== 'string') return null;
  return value.length > max ? `${value.slice(0, max)}\u2026` : value;
}

/** A transfer id as it goes into a URL path: short, letters, digits, '-' and '_'. */
export function isLaneTid(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(value);
}

/** One transfer entry, or null if a required field is missing or of the wrong type. */
export function parseLaneTransfer(value: unknown): LaneTransfer | null {
  if (!isObject(value)) return null;
  const v = value;
  if (!isLaneTid(v.tid) || typeof v.peer !== 'string' || v.peer.length === 0 || v.peer.length > 256) return null;
  if (v.direction !== 'incoming' && v.direction !== 'outgoing') return null;
  if (typeof v.state !== 'string' || !STATES.includes(v.state)) return null;
  const fileCount = count(v.file_count);
  const totalBytes = count(v.total_bytes);
  if (fileCount === null || totalBytes === null) return null;
  const transfer: LaneTransfer = {
    tid: v.tid,
    direction: v.direction,
    peer: v.peer,
    peerName: text(v.peer_name, 128) ?? v.peer.slice(0, 8),
    state: v.state as LaneState,
    fileCount,
    totalBytes,
    doneBytes: Math.min(count(v.done_bytes) ?? 0, totalBytes),
    filesLanded: Math.min(count(v.files_landed) ?? 0, fileCount),
    createdAt: count(v.created_at) ?? 0,
    updatedAt: count(v.updated_at) ?? 0,
  };
  const expiresAt = count(v.expires_at);
  if (expiresAt !== null) transfer.expiresAt = expiresAt;
  const code = text(v.code, 64);
  if (code !== null) transfer.code = code;
  const reason = text(v.reason);
  if (reason) transfer.reason = reason;
  if (typeof v.answered_by === 'string' && ANSWERED_BY.includes(v.answered_by)) transfer.answeredBy = v.answered_by as LaneAnsweredBy;
  const stalled = text(v.stalled);
  if (stalled) transfer.stalled = stalled;
  const source = text(v.source, 32);
  if (source !== null) transfer.source = source;
  return transfer;
}

function parseOfferedFile(value: unknown): LaneOfferedFile | null {
  if (!isObject(value)) return null;
  const path = text(value.path, MAX_PATH);
  const size = count(value.size);
  return path !== null && path.length > 0 && size !== null ? { path, size } : null;
}

export function parseLaneOffer(value: unknown): LaneOffer | null {
  const transfer = parseLaneTransfer(value);
  if (!transfer || !isObject(value)) return null;
  const raw = Array.isArray(value.files) ? value.files.slice(0, MAX_OFFER_FILES) : [];
  const files = raw.map(parseOfferedFile).filter((f): f is LaneOfferedFile => f !== null);
  return { ...transfer, files };
}

function parseUploadFile(value: unknown): LaneUploadFile | null {
  if (!isObject(value)) return null;
  const index = count(value.index);
  const path = text(value.path, MAX_PATH);
  const size = count(value.size);
  if (index === null || path === null || size === null) return null;
  return { index, path, size, uploaded: Math.min(count(value.uploaded) ?? 0, size) };
}

/** The answer to POST /api/transfers or GET /api/transfers/TID (with its files). */
export function parseLaneUploadTransfer(value: unknown): LaneUploadTransfer | null {
  const transfer = parseLaneTransfer(value);
  if (!transfer || !isObject(value)) return null;
  const raw = Array.isArray(value.files) ? value.files.slice(0, MAX_UPLOAD_FILES) : [];
  const files = raw.map(parseUploadFile).filter((f): f is LaneUploadFile => f !== null);
  return { ...transfer, files };
}

/** The `transfers` push (its `type` already read); null when its lists are not lists. */
export function parseTransfersMessage(value: Json): TransfersMessage | null {
  if (!Array.isArray(value.transfers)) return null;
  const offers = Array.isArray(value.offers) ? value.offers : [];
  return {
    type: 'transfers',
    transfers: unique(value.transfers.slice(0, MAX_LISTED).map(parseLaneTransfer)),
    offers: unique(offers.slice(0, MAX_LISTED).map(parseLaneOffer)).filter((o) => o.direction === 'incoming' && o.state === 'offered'),
  };
}

/** The valid entries, each tid once (the first). */
function unique<T extends LaneTransfer>(entries: (T | null)[]): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const entry of entries) {
    if (!entry || seen.has(entry.tid)) continue;
    seen.add(entry.tid);
    out.push(entry);
  }
  return out;
}
