// Settings as the form edits them, checked with the daemon's rules before they
// are sent (the daemon checks again and its answer wins).

import type { IceServer, Settings } from '../daemon/protocol';
import { isRelayUrl } from '../rtc/iceServers';

export const NAME_MAX = 64;
export const MAX_ICE_SERVERS = 16;
export const TIMEOUT_MIN_S = 5;
export const TIMEOUT_MAX_S = 300;
export const SECRET_MAX = 256;
const ICE_SCHEMES = ['stun:', 'turn:', 'turns:'];

/** How a TURN server checks who uses it: a username and password, or a TURN REST API shared secret. */
export type IceAuth = 'password' | 'secret';

export interface IceServerRow {
  /** URLs separated by spaces, commas or new lines. */
  urls: string;
  auth: IceAuth;
  username: string;
  credential: string;
  /** A new shared secret as typed; empty keeps the stored one (secretSet). */
  secret: string;
  /** The daemon keeps a shared secret for this server; it is sent back as `secretSet` so it stays. */
  secretSet?: boolean;
}

export interface SettingsForm {
  name: string;
  iceServers: IceServerRow[];
  /** Seconds, as typed. */
  timeoutSeconds: string;
  /** "Run a relay on this computer"; null when the daemon has no such setting (older daemon). */
  relay: boolean | null;
}

export const EMPTY_ICE_ROW: IceServerRow = { urls: '', auth: 'password', username: '', credential: '', secret: '' };

export type SettingsField = 'name' | 'iceServers' | 'connectTimeoutMs';

export type FieldErrors = Partial<Record<SettingsField, string>>;

export function toForm(settings: Settings): SettingsForm {
  return {
    name: settings.name,
    iceServers: settings.iceServers.map((server) => {
      // What was just saved carries the secret itself; the daemon answers secretSet.
      const secretSet = server.secretSet === true || (server.secret ?? '') !== '';
      return {
        urls: (Array.isArray(server.urls) ? server.urls : [server.urls]).join(' '),
        auth: secretSet ? ('secret' as const) : ('password' as const),
        username: server.username ?? '',
        credential: server.credential ?? '',
        secret: '',
        ...(secretSet ? { secretSet: true } : {}),
      };
    }),
    timeoutSeconds: String(Math.round(settings.connectTimeoutMs / 1000)),
    relay: typeof settings.relay === 'boolean' ? settings.relay : null,
  };
}

export function splitUrls(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
}

/** The form as the settings object to PUT, or the errors per field. */
export function fromForm(form: SettingsForm): { settings: Settings; errors: null } | { settings: null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const name = form.name.trim();
  if (name.length === 0) errors.name = 'Give this computer a name.';
  else if ([...name].length > NAME_MAX) errors.name = `The name can have at most ${NAME_MAX} characters.`;
  // eslint-disable-next-line no-control-regex
  else if (/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u.test(name)) {
    errors.name = 'The name cannot contain control characters.';
  }

  const rows = form.iceServers.filter((row) => row.urls.trim() || row.username.trim() || row.credential.trim() || row.secret);
  const iceServers: IceServer[] = [];
  if (rows.length > MAX_ICE_SERVERS) errors.iceServers = `At most ${MAX_ICE_SERVERS} ICE servers.`;
  for (const [index, row] of rows.entries()) {
    const checked = checkIceRow(row, index + 1);
    if (typeof checked === 'string') errors.iceServers ??= checked;
    else iceServers.push(checked);
  }

  const seconds = Number(form.timeoutSeconds.trim());
  if (!form.timeoutSeconds.trim() || !Number.isFinite(seconds)) {
    errors.connectTimeoutMs = 'The timeout must be a number of seconds.';
  } else if (seconds < TIMEOUT_MIN_S || seconds > TIMEOUT_MAX_S) {
    errors.connectTimeoutMs = `The timeout must be between ${TIMEOUT_MIN_S} and ${TIMEOUT_MAX_S} seconds.`;
  }

  if (Object.keys(errors).length > 0) return { settings: null, errors };
  const settings: Settings = { name, iceServers, connectTimeoutMs: Math.round(seconds * 1000) };
  if (form.relay !== null) settings.relay = form.relay;
  return { settings, errors: null };
}

/**
 * One server row as the daemon takes it, or why not. A server has either a
 * username and password or a shared secret; a secret only for TURN URLs.
 */
function checkIceRow(row: IceServerRow, n: number): IceServer | string {
  const urls = splitUrls(row.urls);
  if (urls.length === 0) return `Server ${n} has no URL.`;
  const bad = urls.find((u) => !ICE_SCHEMES.some((scheme) => u.toLowerCase().startsWith(scheme)));
  if (bad) return `"${bad}" is not a STUN or TURN URL (it must start with stun:, turn: or turns:).`;
  const username = row.username.trim();
  const hasPassword = username !== '' || row.credential !== '';
  const keepSecret = row.auth === 'secret' && row.secret === '' && row.secretSet === true;
  const hasSecret = row.secret !== '' || keepSecret;
  if (hasPassword && hasSecret) {
    return `Server ${n} has both a username/password and a shared secret: use one or the other.`;
  }
  if (row.auth === 'secret' && !hasSecret) return `Server ${n}: enter its shared secret, or choose username and password.`;
  if (hasSecret) {
    const notTurn = urls.find((u) => !isRelayUrl(u));
    if (notTurn) return `Server ${n}: a shared secret is only for TURN servers (turn: or turns: URLs), not "${notTurn}".`;
    if (new TextEncoder().encode(row.secret).length > SECRET_MAX) {
      return `Server ${n}: the shared secret can have at most ${SECRET_MAX} bytes.`;
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f-\u009f]/u.test(row.secret)) return `Server ${n}: the shared secret cannot contain control characters.`;
    return keepSecret ? { urls, secretSet: true } : { urls, secret: row.secret };
  }
  if (urls.some(isRelayUrl) && (username === '') !== (row.credential === '')) {
    return `Server ${n}: a TURN server needs both a username and a password, or neither.`;
  }
  const server: IceServer = { urls };
  if (username) server.username = username;
  if (row.credential) server.credential = row.credential;
  return server;
}

/** Maps a daemon error's `field` to the form field it concerns. */
export function fieldOf(field: string | undefined): SettingsField | null {
  if (!field) return null;
  if (field === 'name') return 'name';
  if (field.startsWith('iceServers')) return 'iceServers';
  if (field === 'connectTimeoutMs') return 'connectTimeoutMs';
  return null;
}
