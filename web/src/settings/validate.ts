// Settings as the form edits them, checked with the daemon's rules before they
// are sent (the daemon checks again and its answer wins).

import type { IceServer, Settings } from '../daemon/protocol';

export const NAME_MAX = 64;
export const MAX_ICE_SERVERS = 16;
export const TIMEOUT_MIN_S = 5;
export const TIMEOUT_MAX_S = 300;
const ICE_SCHEMES = ['stun:', 'turn:', 'turns:'];

export interface IceServerRow {
  /** URLs separated by spaces, commas or new lines. */
  urls: string;
  username: string;
  credential: string;
  /** The daemon keeps a shared secret for this server; it is sent back as `secretSet` so it stays. */
  secretSet?: boolean;
}

export interface SettingsForm {
  name: string;
  iceServers: IceServerRow[];
  /** Seconds, as typed. */
  timeoutSeconds: string;
}

export type SettingsField = 'name' | 'iceServers' | 'connectTimeoutMs';

export type FieldErrors = Partial<Record<SettingsField, string>>;

export function toForm(settings: Settings): SettingsForm {
  return {
    name: settings.name,
    iceServers: settings.iceServers.map((server) => ({
      urls: (Array.isArray(server.urls) ? server.urls : [server.urls]).join(' '),
      username: server.username ?? '',
      credential: server.credential ?? '',
      ...(server.secretSet ? { secretSet: true } : {}),
    })),
    timeoutSeconds: String(Math.round(settings.connectTimeoutMs / 1000)),
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

  const rows = form.iceServers.filter((row) => row.urls.trim() || row.username.trim() || row.credential.trim());
  const iceServers: IceServer[] = [];
  if (rows.length > MAX_ICE_SERVERS) errors.iceServers = `At most ${MAX_ICE_SERVERS} ICE servers.`;
  for (const [index, row] of rows.entries()) {
    const urls = splitUrls(row.urls);
    if (urls.length === 0) {
      errors.iceServers ??= `Server ${index + 1} has no URL.`;
      continue;
    }
    const bad = urls.find((u) => !ICE_SCHEMES.some((scheme) => u.toLowerCase().startsWith(scheme)));
    if (bad) {
      errors.iceServers ??= `"${bad}" is not a STUN or TURN URL (it must start with stun:, turn: or turns:).`;
      continue;
    }
    const server: IceServer = { urls };
    if (row.username.trim()) server.username = row.username.trim();
    if (row.credential) server.credential = row.credential;
    if (row.secretSet && !server.username && !server.credential) server.secretSet = true;
    iceServers.push(server);
  }

  const seconds = Number(form.timeoutSeconds.trim());
  if (!form.timeoutSeconds.trim() || !Number.isFinite(seconds)) {
    errors.connectTimeoutMs = 'The timeout must be a number of seconds.';
  } else if (seconds < TIMEOUT_MIN_S || seconds > TIMEOUT_MAX_S) {
    errors.connectTimeoutMs = `The timeout must be between ${TIMEOUT_MIN_S} and ${TIMEOUT_MAX_S} seconds.`;
  }

  if (Object.keys(errors).length > 0) return { settings: null, errors };
  return { settings: { name, iceServers, connectTimeoutMs: Math.round(seconds * 1000) }, errors: null };
}

/** Maps a daemon error's `field` to the form field it concerns. */
export function fieldOf(field: string | undefined): SettingsField | null {
  if (!field) return null;
  if (field === 'name') return 'name';
  if (field.startsWith('iceServers')) return 'iceServers';
  if (field === 'connectTimeoutMs') return 'connectTimeoutMs';
  return null;
}
