// The messages between the UI and its own daemon (docs/protocol.md, "HTTP API" and
// "The UI's WebSocket", version 1), typed once. Incoming frames are checked by
// parseDaemonMessage before any field is used.

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
}

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
}

export interface Settings {
  name: string;
  iceServers: IceServer[];
  connectTimeoutMs: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

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
export interface PeerKeyChangedMessage {
  type: 'peer_key_changed';
  peer: string;
  error: string;
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
}

export type DaemonMessage =
  | WelcomeMessage
  | PeersMessage
  | SettingsMessage
  | AckMessage
  | DeliveredMessage
  | ExpiredMessage
  | IncomingSignalMessage
  | PeerKeyChangedMessage
  | SessionTakenMessage
  | IceServersMessage
  | ErrorMessage;

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

export type UiMessage = OutgoingSignalMessage | SessionStateMessage | GetPeersMessage | IceServersRequest;

// ---- validation of what the daemon sends ----

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function parseIceServer(value: unknown): IceServer | null {
  if (!isObject(value)) return null;
  const urls = value.urls;
  const okUrls = isString(urls) || (Array.isArray(urls) && urls.length > 0 && urls.every(isString));
  if (!okUrls) return null;
  const server: IceServer = { urls: Array.isArray(urls) ? [...(urls as string[])] : (urls as string) };
  if (isString(value.username)) server.username = value.username;
  if (isString(value.credential)) server.credential = value.credential;
  return server;
}

export function parseSettings(value: unknown): Settings | null {
  if (!isObject(value) || !isString(value.name)) return null;
  const servers = Array.isArray(value.iceServers) ? value.iceServers.map(parseIceServer) : [];
  if (servers.some((s) => s === null)) return null;
  return {
    name: value.name,
    iceServers: servers as IceServer[],
    connectTimeoutMs: isNumber(value.connectTimeoutMs) ? value.connectTimeoutMs : DEFAULT_CONNECT_TIMEOUT_MS,
  };
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
    case 'peer_key_changed':
      if (!isString(m.peer)) return null;
      return { type: 'peer_key_changed', peer: m.peer, error: isString(m.error) ? m.error : '' };
    case 'session_taken':
      if (!isString(m.peer) || !isString(m.session)) return null;
      return { type: 'session_taken', peer: m.peer, session: m.session };
    case 'ice_servers': {
      if (!isString(m.peer) || !Array.isArray(m.iceServers)) return null;
      const servers = m.iceServers.map(parseIceServer).filter((s): s is IceServer => s !== null);
      return { type: 'ice_servers', peer: m.peer, iceServers: servers, ref: m.ref };
    }
    case 'error':
      return {
        type: 'error',
        code: isString(m.code) ? m.code : 'unknown',
        error: isString(m.error) ? m.error : 'unknown error',
        ref: m.ref,
      };
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
