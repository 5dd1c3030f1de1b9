// File transfer, version 1 (docs/protocol.md, "File transfer"): the control
// messages two pages exchange about a transfer (JSON on the "control" channel,
// told apart by "t"), the 13-byte header of a data message on an `xfer:<tid>`
// channel, and the 12-byte header of a binary frame to our own daemon. Typed
// and checked once here.

import { isObject } from '../daemon/protocol';

export const TRANSFER_VERSION = 1;
export const MAX_FILES = 10_000;
export const MAX_PATH_CHARS = 4_096;
/** A data message: u8 version | u32 file index | u64 offset | bytes. */
export const DATA_HEADER_BYTES = 13;
/** A binary frame to the daemon: u32 handle | u64 offset | bytes. */
export const DAEMON_HEADER_BYTES = 12;
export const DATA_CHANNEL_PREFIX = 'xfer:';
/** Control frames of an offer are cut to stay under every peer's message size. */
export const MAX_OFFER_FRAME_CHARS = 60_000;

const TID_PATTERN = /^[A-Za-z0-9_-]{22,32}$/;

export const isTid = (v: unknown): v is string => typeof v === 'string' && TID_PATTERN.test(v);

export function channelLabel(tid: string): string {
  return `${DATA_CHANNEL_PREFIX}${tid}`;
}

/** The tid of an `xfer:<tid>` channel label, or null. */
export function tidOfLabel(label: string): string | null {
  if (!label.startsWith(DATA_CHANNEL_PREFIX)) return null;
  const tid = label.slice(DATA_CHANNEL_PREFIX.length);
  return isTid(tid) ? tid : null;
}

/** A new transfer id: 16 random bytes as 22 characters of base64url. */
export function newTid(random: (bytes: Uint8Array<ArrayBuffer>) => void = defaultRandom): string {
  const bytes = new Uint8Array(16);
  random(bytes);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function defaultRandom(bytes: Uint8Array<ArrayBuffer>): void {
  const c = globalThis.crypto;
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
}

// ---- control messages ----

export interface OfferedFile {
  /** Index in the transfer, 0-based, in sending order. */
  i: number;
  /** Relative, '/'-separated path, e.g. "photos/a.jpg". */
  path: string;
  size: number;
  /** Unix ms, optional. */
  mtime?: number;
}

/**
 * "May I send these?" An offer of many files is cut into several frames with
 * the same tid; all but the last carry `more: true` (each frame stays under
 * every peer's message size). `total` is the whole request's size in every frame.
 */
export interface XferOffer {
  t: 'xfer_offer';
  tid: string;
  files: OfferedFile[];
  total: number;
  more?: boolean;
  /**
   * Set by parseTransferMessage, never sent: an offer with a valid tid whose
   * files this page cannot take (a path too long, not well-formed Unicode, a
   * bad index or size). The receiver declines it with `bad_offer`.
   */
  unreadable?: true;
}
export interface ResumeOffset {
  i: number;
  offset: number;
}
export interface XferAccept {
  t: 'xfer_accept';
  tid: string;
  resume: ResumeOffset[];
}
export type DeclineReason = 'declined' | 'bad_name' | 'no_space' | 'busy' | (string & {});
export interface XferDecline {
  t: 'xfer_decline';
  tid: string;
  reason: DeclineReason;
}
export interface XferCancel {
  t: 'xfer_cancel';
  tid: string;
  reason: string;
}
export interface XferResume {
  t: 'xfer_resume';
  tid: string;
}
export interface XferFileEnd {
  t: 'xfer_file_end';
  tid: string;
  i: number;
  size: number;
  sha256: string;
}
export interface XferAck {
  t: 'xfer_ack';
  tid: string;
  i: number;
  durable: number;
  credit: number;
}
export interface XferFileDone {
  t: 'xfer_file_done';
  tid: string;
  i: number;
  ok: boolean;
  error?: string;
  name?: string;
}

export type TransferControlMessage =
  | XferOffer
  | XferAccept
  | XferDecline
  | XferCancel
  | XferResume
  | XferFileEnd
  | XferAck
  | XferFileDone;

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isCode = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 64;
const isHex64 = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);

/** A lone surrogate: no file name has one (File names are USVStrings), and JSON to the daemon could not carry it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function parseFile(value: unknown): OfferedFile | null {
  if (!isObject(value) || !isCount(value.i) || value.i >= MAX_FILES || !isCount(value.size)) return null;
  if (typeof value.path !== 'string' || value.path.length === 0 || value.path.length > MAX_PATH_CHARS) return null;
  if (LONE_SURROGATE.test(value.path)) return null;
  const file: OfferedFile = { i: value.i, path: value.path, size: value.size };
  if (typeof value.mtime === 'number' && Number.isFinite(value.mtime)) file.mtime = value.mtime;
  return file;
}

/** Checks a control frame already parsed as an object with a string `t`; null if it is no valid transfer message. */
export function parseTransferMessage(value: Record<string, unknown>): TransferControlMessage | null {
  const tid = value.tid;
  if (!isTid(tid)) return null;
  switch (value.t) {
    case 'xfer_offer': {
      if (!Array.isArray(value.files) || value.files.length > MAX_FILES || !isCount(value.total)) return null;
      const files = value.files.map(parseFile);
      if (files.some((f) => f === null)) return { t: 'xfer_offer', tid, files: [], total: value.total, unreadable: true };
      const offer: XferOffer = { t: 'xfer_offer', tid, files: files as OfferedFile[], total: value.total };
      if (value.more === true) offer.more = true;
      return offer;
    }
    case 'xfer_accept': {
      if (!Array.isArray(value.resume) || value.resume.length > MAX_FILES) return null;
      const resume: ResumeOffset[] = [];
      for (const r of value.resume) {
        if (!isObject(r) || !isCount(r.i) || !isCount(r.offset)) return null;
        resume.push({ i: r.i, offset: r.offset });
      }
      return { t: 'xfer_accept', tid, resume };
    }
    case 'xfer_decline':
      return { t: 'xfer_decline', tid, reason: isCode(value.reason) ? value.reason : 'declined' };
    case 'xfer_cancel':
      return { t: 'xfer_cancel', tid, reason: isCode(value.reason) ? value.reason : 'cancelled' };
    case 'xfer_resume':
      return { t: 'xfer_resume', tid };
    case 'xfer_file_end':
      if (!isCount(value.i) || !isCount(value.size) || !isHex64(value.sha256)) return null;
      return { t: 'xfer_file_end', tid, i: value.i, size: value.size, sha256: value.sha256 };
    case 'xfer_ack':
      if (!isCount(value.i) || !isCount(value.durable) || !isCount(value.credit)) return null;
      return { t: 'xfer_ack', tid, i: value.i, durable: value.durable, credit: value.credit };
    case 'xfer_file_done': {
      if (!isCount(value.i) || typeof value.ok !== 'boolean') return null;
      const done: XferFileDone = { t: 'xfer_file_done', tid, i: value.i, ok: value.ok };
      if (isCode(value.error)) done.error = value.error;
      if (typeof value.name === 'string' && value.name.length <= MAX_PATH_CHARS) done.name = value.name;
      if (!done.ok && !done.error) done.error = 'failed';
      return done;
    }
    default:
      return null;
  }
}

export function isTransferType(t: unknown): boolean {
  return typeof t === 'string' && t.startsWith('xfer_');
}

/**
 * The frames of an offer: files in order, cut so that no frame's JSON is over
 * `maxChars`; every frame but the last has `more: true`.
 */
export function offerFrames(tid: string, files: readonly OfferedFile[], maxChars = MAX_OFFER_FRAME_CHARS): string[] {
  const total = files.reduce((sum, f) => sum + f.size, 0);
  const frames: string[] = [];
  let batch: string[] = [];
  let length = 0;
  const frame = (parts: string[], more: boolean) =>
    `{"t":"xfer_offer","tid":${JSON.stringify(tid)},"files":[${parts.join(',')}],"total":${total}${more ? ',"more":true' : ''}}`;
  const overhead = frame([], true).length;
  for (const file of files) {
    const json = JSON.stringify(file);
    if (batch.length > 0 && overhead + length + json.length + 1 > maxChars) {
      frames.push(frame(batch, true));
      batch = [];
      length = 0;
    }
    batch.push(json);
    length += json.length + 1;
  }
  frames.push(frame(batch, false));
  return frames;
}

// ---- binary headers ----

const TWO_32 = 2 ** 32;

function writeU64(view: DataView, at: number, value: number): void {
  view.setUint32(at, Math.floor(value / TWO_32));
  view.setUint32(at + 4, value >>> 0);
}

function readU64(view: DataView, at: number): number {
  return view.getUint32(at) * TWO_32 + view.getUint32(at + 4);
}

/** A data message for file `index` at `offset` carrying `bytes` (one copy of the bytes). */
export function encodeDataMessage(index: number, offset: number, bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return encodeDataMessageInto(new Uint8Array(DATA_HEADER_BYTES + bytes.byteLength), index, offset, bytes);
}

/**
 * The same written into `target` (at least DATA_HEADER_BYTES + bytes.byteLength
 * long): returns the view of the message. A sender reuses one buffer for every
 * message, since send() copies what it is given.
 */
export function encodeDataMessageInto(
  target: Uint8Array<ArrayBuffer>,
  index: number,
  offset: number,
  bytes: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const length = DATA_HEADER_BYTES + bytes.byteLength;
  if (target.byteLength < length) throw new RangeError(`a data message of ${length} bytes does not fit in ${target.byteLength}`);
  const view = new DataView(target.buffer, target.byteOffset, DATA_HEADER_BYTES);
  view.setUint8(0, TRANSFER_VERSION);
  view.setUint32(1, index);
  writeU64(view, 5, offset);
  target.set(bytes, DATA_HEADER_BYTES);
  return target.subarray(0, length);
}

export interface DataHeader {
  index: number;
  offset: number;
  /** Bytes of payload after the header. */
  length: number;
}

/** The header of a data message; null if it is too short or of another version. */
export function decodeDataHeader(buffer: ArrayBuffer): DataHeader | null {
  if (buffer.byteLength < DATA_HEADER_BYTES) return null;
  const view = new DataView(buffer);
  if (view.getUint8(0) !== TRANSFER_VERSION) return null;
  return { index: view.getUint32(1), offset: readU64(view, 5), length: buffer.byteLength - DATA_HEADER_BYTES };
}

/**
 * Turns a received data message into a daemon frame in place, without copying
 * the bytes: the 12-byte daemon header is written just before the payload bytes
 * to keep (skipping `skip` bytes already held), and the view from there is returned.
 */
export function rewriteAsDaemonFrame(buffer: ArrayBuffer, handle: number, offset: number, skip = 0): Uint8Array {
  const start = DATA_HEADER_BYTES + skip - DAEMON_HEADER_BYTES;
  const view = new DataView(buffer, start, DAEMON_HEADER_BYTES);
  view.setUint32(0, handle);
  writeU64(view, 4, offset);
  return new Uint8Array(buffer, start);
}

/** A daemon frame built from scratch (tests and tools). */
export function encodeDaemonFrame(handle: number, offset: number, bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const frame = new Uint8Array(DAEMON_HEADER_BYTES + bytes.byteLength);
  const view = new DataView(frame.buffer);
  view.setUint32(0, handle);
  writeU64(view, 4, offset);
  frame.set(bytes, DAEMON_HEADER_BYTES);
  return frame;
}

export function decodeDaemonFrame(bytes: Uint8Array): { handle: number; offset: number; payload: Uint8Array } | null {
  if (bytes.byteLength < DAEMON_HEADER_BYTES) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, DAEMON_HEADER_BYTES);
  return { handle: view.getUint32(0), offset: readU64(view, 4), payload: bytes.subarray(DAEMON_HEADER_BYTES) };
}

/**
 * Bytes of file data per message: `min(maxMessageSize, 256 KiB)` minus the header,
 * 64 KiB in all when the peer's limit is unknown.
 */
export function payloadSize(maxMessageSize: number | null | undefined): number {
  const KIB = 1024;
  let total: number;
  if (typeof maxMessageSize !== 'number' || Number.isNaN(maxMessageSize) || maxMessageSize < 0) total = 64 * KIB;
  else if (maxMessageSize === 0 || maxMessageSize === Infinity) total = 256 * KIB; // 0: the peer set no limit
  else total = Math.min(maxMessageSize, 256 * KIB);
  return Math.max(1, total - DATA_HEADER_BYTES);
}
