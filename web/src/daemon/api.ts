// The daemon's HTTP control API (same origin), with errors as sentences.

import {
  isObject,
  parsePeer,
  parseReceivedFiles,
  parsePeerMessage,
  parseSettings,
  type Peer,
  type PeerMessage,
  type ReceivedFile,
  type Settings,
  type SettingsPatch,
} from './protocol';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ScanStatus {
  running: boolean;
  startedAt: number;
  durationMs: number;
  probed: number;
  found: number;
  subnets: string[];
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export class DaemonApi {
  /** `token`: the daemon's control token (controlToken.ts), sent with every request. */
  constructor(
    private readonly fetcher: FetchLike = (input, init) => globalThis.fetch(input, init),
    private readonly token: string | null = null,
  ) {}

  /** Where a received file (relative name) is downloaded from: a link carries the token in its query. */
  downloadUrl(name: string): string {
    const token = this.token ? `&token=${encodeURIComponent(this.token)}` : '';
    return `/api/files/download?name=${encodeURIComponent(name)}${token}`;
  }

  async getPeers(): Promise<Peer[]> {
    const body = await this.request('GET', '/api/peers');
    return Array.isArray(body) ? body.map(parsePeer).filter((p): p is Peer => p !== null) : [];
  }

  /** Probes host[:port] and adds it; ApiError with code peer_unreachable (502) if nothing answers. */
  async addPeer(address: string): Promise<Peer> {
    try {
      const peer = parsePeer(await this.request('POST', '/api/peers', { address }));
      if (!peer) throw new ApiError('The daemon answered with something that is not a peer.', 500, 'bad_answer');
      return peer;
    } catch (error) {
      if (error instanceof ApiError && error.status === 502) {
        throw new ApiError(`Nothing answered as PeerDrop at ${address}`, 502, error.code);
      }
      throw error;
    }
  }

  /** Marks the peer verified by the user (`confirmed`) or takes that back; the peer as the daemon has it now. */
  async setConfirmed(id: string, confirmed: boolean): Promise<Peer> {
    const peer = parsePeer(await this.request('PUT', `/api/peers/${encodeURIComponent(id)}`, { confirmed }));
    if (!peer) throw new ApiError('The daemon answered with something that is not a peer.', 500, 'bad_answer');
    return peer;
  }

  async forgetPeer(id: string): Promise<void> {
    await this.request('DELETE', `/api/peers/${encodeURIComponent(id)}`);
  }

  async scan(): Promise<ScanStatus | null> {
    return parseScan(await this.request('POST', '/api/scan'));
  }

  async getScan(): Promise<ScanStatus | null> {
    return parseScan(await this.request('GET', '/api/scan'));
  }

  async getSettings(): Promise<Settings> {
    const settings = parseSettings(await this.request('GET', '/api/settings'));
    if (!settings) throw new ApiError('The daemon answered with settings this page does not understand.', 500, 'bad_answer');
    return settings;
  }

  /** Saves a partial settings object; ApiError with `field` when the daemon refuses one. */
  async putSettings(patch: SettingsPatch): Promise<Settings> {
    const settings = parseSettings(await this.request('PUT', '/api/settings', patch));
    if (!settings) throw new ApiError('The daemon answered with settings this page does not understand.', 500, 'bad_answer');
    return settings;
  }

  /** The last received files, newest first as the daemon lists them. */
  async getFiles(): Promise<ReceivedFile[]> {
    return parseReceivedFiles(await this.request('GET', '/api/files'));
  }

  /** The conversation with `peer`, oldest first: its newest `limit` messages, or those before `before` (a seq). */
  async getMessages(peer: string, options: { before?: number; limit?: number } = {}): Promise<PeerMessage[]> {
    const query = new URLSearchParams({ peer });
    if (options.before !== undefined) query.set('before', String(options.before));
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    return parseMessages(await this.request('GET', `/api/messages?${query.toString()}`));
  }

  /** Queues a message for `to` at this computer's daemon, which delivers it when `to`'s daemon is reachable. */
  async sendMessage(to: string, text: string): Promise<PeerMessage> {
    const message = parsePeerMessage(await this.request('POST', '/api/messages', { to, text }));
    if (!message) throw new ApiError('The daemon answered with something that is not a message.', 500, 'bad_answer');
    return message;
  }

  /** Marks the messages from `peer` read. */
  async markMessagesRead(peer: string): Promise<void> {
    await this.request('POST', '/api/messages/read', { peer });
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (this.token) headers.Authorization = `Bearer ${this.token}`;
      const init: RequestInit = { method, headers };
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
      response = await this.fetcher(path, init);
    } catch {
      throw new ApiError('PeerDrop on this computer does not answer. Is peerdropd still running?', 0, 'network');
    }
    if (response.status === 204) return null;
    let parsed: unknown = null;
    try {
      parsed = await response.json();
    } catch {
      parsed = null;
    }
    if (!response.ok) {
      const error = isObject(parsed) && typeof parsed.error === 'string' ? parsed.error : `HTTP ${response.status}`;
      const code = isObject(parsed) && typeof parsed.code === 'string' ? parsed.code : 'http_error';
      const field = isObject(parsed) && typeof parsed.field === 'string' ? parsed.field : undefined;
      throw new ApiError(capitalize(error), response.status, code, field);
    }
    return parsed;
  }
}

function parseMessages(value: unknown): PeerMessage[] {
  if (!isObject(value) || !Array.isArray(value.messages)) return [];
  return value.messages.map(parsePeerMessage).filter((m): m is PeerMessage => m !== null);
}

function parseScan(value: unknown): ScanStatus | null {
  if (!isObject(value)) return null;
  const num = (v: unknown) => (typeof v === 'number' ? v : 0);
  return {
    running: value.running === true,
    startedAt: num(value.startedAt),
    durationMs: num(value.durationMs),
    probed: num(value.probed),
    found: num(value.found),
    subnets: Array.isArray(value.subnets) ? value.subnets.filter((s): s is string => typeof s === 'string') : [],
  };
}

function capitalize(text: string): string {
  return text.length > 0 ? text[0]!.toUpperCase() + text.slice(1) : text;
}
