// The messages between the UI and its own daemon (docs/protocol.md, "HTTP API" and
// "The UI's WebSocket", version 1), typed once. Incoming frames are checked by
// parseDaemonMessage before any field is used.

import { parseTransfersMessage, type TransfersMessage } from './laneProtocol';

export type PeerSource = 'broadcast' | 'scan' | 'manual' | 'inbound' | 'persisted' | (string & {});

export interface Peer {
  id: string;
  name: string;
  addresses: string[];
  online: boolean;
  sources: PeerSource[];
  lastSeen: number;
  /** Unix ms of the last established connection, 0 if never. */
  lastConnected: number;
  /** A handshake with its daemon proved who it is: only such peers are listed. */
  verified: boolean;
  /** Unix ms this daemon first saw it; 0 if it knew it before it kept the date. */
  firstSeen: number;
  /** The user compared verification codes and marked it verified ("Verified ✓"). */
  confirmed: boolean;
  /** The 6 digits both users compare (docs/protocol.md, "Verification code"); only for verified peers. */
  verificationCode?: string;
  /** Its PeerDrop is too old to talk to (daemon protocol version 1). */
  outdated: boolean;
  /**
   * That computer runs a relay (TURN): "offered", or "ready" once this daemon
   * holds credentials for it. Absent: it runs none (or the daemon is older).
   */
  relay?: PeerRelay;
}

export type PeerRelay = 'offered' | 'ready';

export interface SelfInfo {
  id: string;
  name: string;
  version: string;
  port: number;
  discoveryPort: number;
}

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
  /** A TURN REST API shared secret, only ever sent (PUT /api/settings); the daemon never answers it. */
  secret?: string;
  /** The daemon holds a TURN shared secret for this server (never shown); sending it back keeps the secret. */
  secretSet?: boolean;
}

export interface Settings {
  name: string;
  iceServers: IceServer[];
  connectTimeoutMs: number;
  /** Where received files land (read-only in version 1); absent from an older daemon. */
  downloadDir?: string;
  /** Peer ids whose file requests are accepted without asking. */
  autoAccept?: string[];
  /** "Run a relay on this computer"; absent from an older daemon (no switch then). */
  relay?: boolean;
}

/** What PUT /api/settings takes: every field but the read-only ones, each optional. */
export type SettingsPatch = Partial<Omit<Settings, 'downloadDir'>>;

/** One entry of GET /api/files (and the `files` push): a received, verified file. */
export interface ReceivedFile {
  /** Relative path inside the download folder, '/'-separated. */
  name: string;
  size: number;
  sha256: string;
  /** The sending peer's id. */
  from: string;
  /** Unix ms. */
  receivedAt: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

/** The relay's state as the daemon reports it (`off` when the setting is off). */
export type RelayState = 'off' | 'running' | 'restarting' | 'failed' | 'stopping' | 'stopped' | (string & {});

/** This computer's relay (TURN, coturn run by the daemon): the `relay` message. */
export interface RelayStatus {
  enabled: boolean;
  state: RelayState;
  /** The port it listens on (3478), 0 when not said. */
  port: number;
  /** This computer's addresses the relay listens on. */
  addresses: string[];
  /** Why it is not running, in the daemon's words. */
  reason?: string;
  /** Starts after the first. */
  restarts: number;
}

export type SignalKind =
  | 'connection_request'
  | 'connection_accept'
  | 'connection_decline'
  | 'offer'
  | 'answer'
  | 'ice_candidate'
  | 'bye'
  | `app:${string}`;

export type JsonObject = { [key: string]: unknown };

// ---- daemon to UI ----

export interface WelcomeMessage {
  type: 'welcome';
  protocol: number;
  self: SelfInfo;
  settings?: Settings;
}
export interface PeersMessage {
  type: 'peers';
  peers: Peer[];
}
export interface SettingsMessage {
  type: 'settings';
  settings: Settings;
}
export interface AckMessage {
  type: 'ack';
  ref?: unknown;
  seq: number;
  to: string;
  peerOnline: boolean;
}
export interface DeliveredMessage {
  type: 'delivered';
  ref?: unknown;
}
export interface ExpiredMessage {
  type: 'expired';
  ref?: unknown;
  to: string;
  error: string;
}
export interface IncomingSignalMessage {
  type: 'signal';
  from: string;
  kind: string;
  session: string;
  payload: JsonObject;
  seq: number;
}
/** Another tab of this machine answered (owns) `session`: e.g. withdraw its request dialog here. */
export interface SessionTakenMessage {
  type: 'session_taken';
  peer: string;
  session: string;
}
export interface IceServersMessage {
  type: 'ice_servers';
  peer: string;
  iceServers: IceServer[];
  ref?: unknown;
}
export interface ErrorMessage {
  type: 'error';
  code: string;
  error: string;
  ref?: unknown;
  /** A binary file frame was refused (unknown_handle, out_of_order, too_large). */
  handle?: number;
}
/** Answer to file_open: the file is open under `handle`; `offset` bytes are already held durably. */
export interface FileOpenedMessage {
  type: 'file_opened';
  ref?: unknown;
  tid: string;
  i: number;
  handle: number;
  offset: number;
  /** The sanitized relative path. */
  name: string;
}
/** Answer to file_finish: verified and in place under `name`, or not (`code`, `error`). */
export interface FileFinishedMessage {
  type: 'file_finished';
  ref?: unknown;
  tid: string;
  i: number;
  ok: boolean;
  name?: string;
  code?: string;
  error?: string;
}
/** After every checkpoint of an open file. */
export interface FileProgressMessage {
  type: 'file_progress';
  /** The sending peer (a tid is unique per peer only); absent from older daemons. */
  peer?: string;
  tid: string;
  i: number;
  received: number;
  durable: number;
}
/** The list of received files changed (same entries as GET /api/files). */
export interface FilesMessage {
  type: 'files';
  files: ReceivedFile[];
}
/** This computer's relay: on connect and whenever its state changes (never from an older daemon). */
export interface RelayMessage {
  type: 'relay';
  relay: RelayStatus;
}

/**
 * A message daemon to daemon, as GET /api/messages lists it and the `message`
 * push carries it (docs/protocol.md, "Messages").
 */
export interface PeerMessage {
  /** This daemon's order of its history (pages go by it). */
  seq: number;
  id: string;
  peer: string;
  direction: 'in' | 'out';
  text: string;
  sentAt: number;
  /** out: queued until the peer's daemon has it (delivered) or its TTL ran out (expired); in: received. */
  state: 'queued' | 'delivered' | 'expired' | 'received';
  read: boolean;
  /** When it was delivered, expired or received (Unix ms); absent while queued. */
  doneAt?: number;
}
/** A message of a conversation was added or changed state. */
export interface PeerMessageMessage {
  type: 'message';
  message: PeerMessage;
}
/** Unread incoming messages per peer id: on connect and whenever they change. */
export interface UnreadMessagesMessage {
  type: 'unread_messages';
  unread: Record<string, number>;
}

export type DaemonMessage =
  | PeerMessageMessage
  | UnreadMessagesMessage
  | WelcomeMessage
  | PeersMessage
  | SettingsMessage
  | AckMessage
  | DeliveredMessage
  | ExpiredMessage
  | IncomingSignalMessage
  | SessionTakenMessage
  | IceServersMessage
  | ErrorMessage
  | FileOpenedMessage
  | FileFinishedMessage
  | FileProgressMessage
  | FilesMessage
  | RelayMessage
  | TransfersMessage;

// ---- UI to daemon ----

export interface OutgoingSignalMessage {
  type: 'signal';
  ref?: string | number;
  to: string;
  kind: SignalKind;
  session?: string;
  payload?: JsonObject;
  ttlMs?: number;
}
export interface SessionStateMessage {
  type: 'session';
  peer: string;
  state: 'connecting' | 'established' | 'closed';
}
export interface GetPeersMessage {
  type: 'get_peers';
}
export interface IceServersRequest {
  type: 'ice_servers';
  peer: string;
  ref?: string | number;
}

/** Opens (or re-opens, for a resume) the partial file of file `i` of transfer `tid` from `peer`. */
export interface FileOpenRequest {
  type: 'file_open';
  ref: string | number;
  peer: string;
  tid: string;
  i: number;
  path: string;
  size: number;
}
/** Every byte of the file was sent (as binary frames): verify it against `sha256` and move it in place. */
export interface FileFinishRequest {
  type: 'file_finish';
  ref: string | number;
  handle: number;
  size: number;
  sha256: string;
}
/** Closes and discards every partial file of the transfer; no answer. */
export interface FileCancelRequest {
  type: 'file_cancel';
  peer: string;
  tid: string;
}

export type UiMessage =
  | OutgoingSignalMessage
  | SessionStateMessage
  | GetPeersMessage
  | IceServersRequest
  | FileOpenRequest
  | FileFinishRequest
  | FileCancelRequest;

// ---- validation of what the daemon sends ----

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function parseIceServer(value: unknown): IceServer | null {
  if (!isObject(value)) return null;
  const urls = value.urls;
  const okUrls = isString(urls) || (Array.isArray(urls) && urls.length > 0 && urls.every(isString));
  if (!okUrls) return null;
  const server: IceServer = { urls: Array.isArray(urls) ? [...(urls as string[])] : (urls as string) };
  if (isString(value.username)) server.username = value.username;
  if (isString(value.credential)) server.credential = value.credential;
  if (value.secretSet === true) server.secretSet = true;
  return server;
}

export function parseSettings(value: unknown): Settings | null {
  if (!isObject(value) || !isString(value.name)) return null;
  const servers = Array.isArray(value.iceServers) ? value.iceServers.map(parseIceServer) : [];
  if (servers.some((s) => s === null)) return null;
  const settings: Settings = {
    name: value.name,
    iceServers: servers as IceServer[],
    connectTimeoutMs: isNumber(value.connectTimeoutMs) ? value.connectTimeoutMs : DEFAULT_CONNECT_TIMEOUT_MS,
  };
  if (isString(value.downloadDir)) settings.downloadDir = value.downloadDir;
  if (Array.isArray(value.autoAccept)) settings.autoAccept = value.autoAccept.filter(isString);
  if (typeof value.relay === 'boolean') settings.relay = value.relay;
  return settings;
}

export function parseRelayStatus(value: unknown): RelayStatus | null {
  if (!isObject(value) || typeof value.enabled !== 'boolean') return null;
  const state = isString(value.state) && value.state ? value.state : value.enabled ? 'stopped' : 'off';
  const status: RelayStatus = {
    enabled: value.enabled,
    state,
    port: isCount(value.port) ? value.port : 0,
    addresses: Array.isArray(value.addresses) ? value.addresses.filter(isString) : [],
    restarts: isCount(value.restarts) ? value.restarts : 0,
  };
  if (isString(value.reason) && value.reason) status.reason = value.reason;
  return status;
}

export function parseReceivedFile(value: unknown): ReceivedFile | null {
  if (!isObject(value) || !isString(value.name) || !isCount(value.size)) return null;
  return {
    name: value.name,
    size: value.size,
    sha256: isString(value.sha256) ? value.sha256 : '',
    from: isString(value.from) ? value.from : '',
    receivedAt: isNumber(value.receivedAt) ? value.receivedAt : 0,
  };
}

export function parseReceivedFiles(value: unknown): ReceivedFile[] {
  return Array.isArray(value) ? value.map(parseReceivedFile).filter((f): f is ReceivedFile => f !== null) : [];
}

export function parsePeer(value: unknown): Peer | null {
  if (!isObject(value) || !isString(value.id) || !isString(value.name)) return null;
  return {
    id: value.id,
    name: value.name,
    addresses: Array.isArray(value.addresses) ? value.addresses.filter(isString) : [],
    online: value.online === true,
    sources: Array.isArray(value.sources) ? value.sources.filter(isString) : [],
    lastSeen: isNumber(value.lastSeen) ? value.lastSeen : 0,
    lastConnected: isNumber(value.lastConnected) ? value.lastConnected : 0,
    verified: value.verified === true,
    outdated: value.outdated === true,
    firstSeen: isNumber(value.firstSeen) ? value.firstSeen : 0,
    confirmed: value.confirmed === true,
    ...(isString(value.verificationCode) && /^[0-9]{6}$/.test(value.verificationCode)
      ? { verificationCode: value.verificationCode }
      : {}),
    ...(value.relay === 'offered' || value.relay === 'ready' ? { relay: value.relay } : {}),
  };
}

function parseSelf(value: unknown): SelfInfo | null {
  if (!isObject(value) || !isString(value.id) || !isString(value.name)) return null;
  return {
    id: value.id,
    name: value.name,
    version: isString(value.version) ? value.version : '',
    port: isNumber(value.port) ? value.port : 0,
    discoveryPort: isNumber(value.discoveryPort) ? value.discoveryPort : 0,
  };
}

const kMessageStates: readonly PeerMessage['state'][] = ['queued', 'delivered', 'expired', 'received'];

/** A message of GET /api/messages or the `message` push; null if a field is missing or of another type. */
export function parsePeerMessage(value: unknown): PeerMessage | null {
  if (!isObject(value)) return null;
  const v = value;
  if (!isCount(v.seq) || !isString(v.id) || !isString(v.peer) || !isString(v.text) || !isCount(v.sentAt)) return null;
  if (v.direction !== 'in' && v.direction !== 'out') return null;
  const state = kMessageStates.find((s) => s === v.state);
  if (!state) return null;
  const message: PeerMessage = {
    seq: v.seq, id: v.id, peer: v.peer, direction: v.direction, text: v.text, sentAt: v.sentAt, state, read: v.read === true,
  };
  const doneAt = v.deliveredAt ?? v.expiredAt ?? v.receivedAt;
  if (isCount(doneAt)) message.doneAt = doneAt;
  return message;
}

/** Checks one text frame from the daemon; null for anything malformed or unknown. */
export function parseDaemonMessage(text: string): DaemonMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(value) || !isString(value.type)) return null;
  const m = value;
  switch (m.type) {
    case 'welcome': {
      const self = parseSelf(m.self);
      if (!self) return null;
      const message: WelcomeMessage = { type: 'welcome', protocol: isNumber(m.protocol) ? m.protocol : 0, self };
      const settings = m.settings === undefined ? null : parseSettings(m.settings);
      if (settings) message.settings = settings;
      return message;
    }
    case 'peers': {
      if (!Array.isArray(m.peers)) return null;
      const peers = m.peers.map(parsePeer).filter((p): p is Peer => p !== null);
      return { type: 'peers', peers };
    }
    case 'settings': {
      const settings = parseSettings(m.settings);
      return settings ? { type: 'settings', settings } : null;
    }
    case 'ack':
      if (!isString(m.to)) return null;
      return { type: 'ack', ref: m.ref, seq: isNumber(m.seq) ? m.seq : 0, to: m.to, peerOnline: m.peerOnline !== false };
    case 'delivered':
      return { type: 'delivered', ref: m.ref };
    case 'expired':
      return {
        type: 'expired',
        ref: m.ref,
        to: isString(m.to) ? m.to : '',
        error: isString(m.error) ? m.error : 'the message expired undelivered',
      };
    case 'signal':
      if (!isString(m.from) || !isString(m.kind)) return null;
      return {
        type: 'signal',
        from: m.from,
        kind: m.kind,
        session: isString(m.session) ? m.session : '',
        payload: isObject(m.payload) ? m.payload : {},
        seq: isNumber(m.seq) ? m.seq : 0,
      };
    case 'session_taken':
      if (!isString(m.peer) || !isString(m.session)) return null;
      return { type: 'session_taken', peer: m.peer, session: m.session };
    case 'ice_servers': {
      if (!isString(m.peer) || !Array.isArray(m.iceServers)) return null;
      const servers = m.iceServers.map(parseIceServer).filter((s): s is IceServer => s !== null);
      return { type: 'ice_servers', peer: m.peer, iceServers: servers, ref: m.ref };
    }
    case 'error': {
      const error: ErrorMessage = {
        type: 'error',
        code: isString(m.code) ? m.code : 'unknown',
        error: isString(m.error) ? m.error : 'unknown error',
        ref: m.ref,
      };
      if (isCount(m.handle)) error.handle = m.handle;
      return error;
    }
    case 'file_opened':
      if (!isString(m.tid) || !isCount(m.i) || !isCount(m.handle) || !isCount(m.offset)) return null;
      return {
        type: 'file_opened',
        ref: m.ref,
        tid: m.tid,
        i: m.i,
        handle: m.handle,
        offset: m.offset,
        name: isString(m.name) ? m.name : '',
      };
    case 'file_finished': {
      if (!isString(m.tid) || !isCount(m.i) || typeof m.ok !== 'boolean') return null;
      const finished: FileFinishedMessage = { type: 'file_finished', ref: m.ref, tid: m.tid, i: m.i, ok: m.ok };
      if (isString(m.name)) finished.name = m.name;
      if (isString(m.code)) finished.code = m.code;
      if (isString(m.error)) finished.error = m.error;
      return finished;
    }
    case 'file_progress':
      if (!isString(m.tid) || !isCount(m.i) || !isCount(m.durable)) return null;
      return {
        type: 'file_progress',
        ...(isString(m.peer) ? { peer: m.peer } : {}),
        tid: m.tid,
        i: m.i,
        received: isCount(m.received) ? m.received : m.durable,
        durable: m.durable,
      };
    case 'files':
      if (!Array.isArray(m.files)) return null;
      return { type: 'files', files: parseReceivedFiles(m.files) };
    case 'relay': {
      const relay = parseRelayStatus(m.relay);
      return relay ? { type: 'relay', relay } : null;
    }
    case 'transfers':
      return parseTransfersMessage(m);
    case 'message': {
      const message = parsePeerMessage(m.message);
      return message ? { type: 'message', message } : null;
    }
    case 'unread_messages': {
      if (!isObject(m.unread)) return null;
      const unread: Record<string, number> = {};
      for (const [peer, count] of Object.entries(m.unread)) if (isCount(count) && count > 0) unread[peer] = count;
      return { type: 'unread_messages', unread };
    }
    default:
      return null;
  }
}

/**
 * Peers in the order the UI lists them: recently connected first (lastConnected
 * descending), then online before offline, then by name.
 */
export function sortPeers(peers: readonly Peer[]): Peer[] {
  return [...peers].sort((a, b) => {
    if (a.lastConnected !== b.lastConnected) return b.lastConnected - a.lastConnected;
    if (a.online !== b.online) return a.online ? -1 : 1;
    const byName = a.name.localeCompare(b.name);
    return byName !== 0 ? byName : a.id.localeCompare(b.id);
  });
}
