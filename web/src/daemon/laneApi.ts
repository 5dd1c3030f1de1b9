// The transfer lane's part of the daemon's HTTP control API (same origin,
// `Authorization: Bearer` with the control token): sending from the page,
// uploading each file's bytes, answering offers, cancelling.

import type { FetchLike } from './api';
import { parseLaneUploadTransfer, type LaneFileToSend, type LaneUploadTransfer } from './laneProtocol';

/** A refusal or failure, with the daemon's code and sentence (status 0: the daemon did not answer). */
export class LaneApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = 'LaneApiError';
  }
}

/** What a PUT of a file's bytes came to. */
export type UploadResult =
  /** The daemon holds the whole file (204). */
  | { type: 'done' }
  /** The daemon holds `uploaded` bytes of it, not what we started from (409 offset): go on from there. */
  | { type: 'offset'; uploaded: number };

/** The body of an upload: a File or a slice of one (Chromium streams a Blob body without copies in JavaScript). */
export type UploadBody = Blob;

export class LaneApi {
  constructor(
    private readonly fetcher: FetchLike = (input, init) => globalThis.fetch(input, init),
    private readonly token: string | null = null,
  ) {}

  /** POST /api/transfers: offers these files to `peer`; the transfer, with each file's `uploaded`. */
  async send(peer: string, files: readonly LaneFileToSend[]): Promise<LaneUploadTransfer> {
    return this.transfer(await this.json('POST', '/api/transfers', { to: peer, files }));
  }

  /** GET /api/transfers/TID: where it stands, with each file's `uploaded` for one the page sends. */
  async get(tid: string): Promise<LaneUploadTransfer> {
    return this.transfer(await this.json('GET', `/api/transfers/${encodeURIComponent(tid)}`));
  }

  /** PUT /api/transfers/TID/files/INDEX?offset=N with the bytes from N on. */
  async upload(tid: string, index: number, offset: number, body: UploadBody, signal?: AbortSignal): Promise<UploadResult> {
    const path = `/api/transfers/${encodeURIComponent(tid)}/files/${index}?offset=${offset}`;
    const init: RequestInit = { method: 'PUT', headers: this.headers({ 'Content-Type': 'application/octet-stream' }), body };
    if (signal) init.signal = signal;
    const response = await this.fetch(path, init);
    if (response.status === 204 || response.status === 200) return { type: 'done' };
    const parsed = await readJson(response);
    if (response.status === 409 && isRecord(parsed) && parsed.code === 'offset' && isCount(parsed.uploaded)) {
      return { type: 'offset', uploaded: parsed.uploaded };
    }
    throw errorOf(response.status, parsed);
  }

  /** POST /api/offers/TID/accept (or decline), said to come from a tab. */
  async answer(tid: string, accept: boolean): Promise<void> {
    await this.json('POST', `/api/offers/${encodeURIComponent(tid)}/${accept ? 'accept' : 'decline'}`, { via: 'tab' });
  }

  /** DELETE /api/transfers/TID: cancels it, either direction. */
  async cancel(tid: string): Promise<void> {
    await this.json('DELETE', `/api/transfers/${encodeURIComponent(tid)}`);
  }

  private transfer(value: unknown): LaneUploadTransfer {
    const transfer = parseLaneUploadTransfer(value);
    if (!transfer) throw new LaneApiError('PeerDrop on this computer answered with a transfer this page does not understand.', 500, 'bad_answer');
    return transfer;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = { Accept: 'application/json', ...extra };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    return headers;
  }

  private async fetch(path: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetcher(path, init);
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new LaneApiError('PeerDrop on this computer does not answer. Is peerdropd still running?', 0, 'network');
    }
  }

  private async json(method: string, path: string, body?: unknown): Promise<unknown> {
    const init: RequestInit = { method, headers: this.headers(body === undefined ? {} : { 'Content-Type': 'application/json' }) };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await this.fetch(path, init);
    if (response.status === 204) return null;
    const parsed = await readJson(response);
    if (!response.ok) throw errorOf(response.status, parsed);
    return parsed;
  }
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function errorOf(status: number, body: unknown): LaneApiError {
  const sentence = isRecord(body) && typeof body.error === 'string' ? body.error : `HTTP ${status}`;
  const code = isRecord(body) && typeof body.code === 'string' ? body.code : 'http_error';
  return new LaneApiError(sentence.length > 0 ? sentence[0]!.toUpperCase() + sentence.slice(1) : sentence, status, code);
}
