import { describe, expect, it } from 'vitest';
import { EMPTY_ICE_ROW, fieldOf, fromForm, splitUrls, toForm, type IceServerRow, type SettingsForm } from '../../src/settings/validate';
import { effectiveTheme, nextTheme, loadTheme, saveTheme } from '../../src/settings/theme';

const form = (patch: Partial<SettingsForm> = {}): SettingsForm => ({ name: 'Alice', iceServers: [], timeoutSeconds: '30', relay: null, ...patch });
const row = (patch: Partial<IceServerRow> = {}): IceServerRow => ({ ...EMPTY_ICE_ROW, ...patch });

describe('settings form', () => {
  it('round-trips the daemon settings', () => {
    const settings = { name: 'Alice', iceServers: [{ urls: ['turn:198.51.100.9:3478', 'turns:198.51.100.9:5349'], username: 'u', credential: 'c' }], connectTimeoutMs: 45000 };
    const f = toForm(settings);
    expect(f.iceServers[0]!.urls).toBe('turn:198.51.100.9:3478 turns:198.51.100.9:5349');
    expect(f.timeoutSeconds).toBe('45');
    expect(fromForm(f)).toEqual({ settings, errors: null });
  });

  it('sends a server\'s shared secret back as secretSet, so the daemon keeps it', () => {
    const settings = { name: 'Alice', iceServers: [{ urls: ['turn:198.51.100.9:3478'], secretSet: true }], connectTimeoutMs: 30000 };
    expect(fromForm(toForm(settings))).toEqual({ settings, errors: null });
    // Switching the server to a username and password (the form clears the secret) replaces the secret.
    const typed = toForm(settings);
    typed.iceServers[0] = { ...typed.iceServers[0]!, auth: 'password', username: 'u', credential: 'c' };
    expect(fromForm(typed).settings?.iceServers[0]).toEqual({ urls: ['turn:198.51.100.9:3478'], username: 'u', credential: 'c' });
  });

  it('checks the name, the ICE URLs and the timeout like the daemon', () => {
    expect(fromForm(form({ name: '  ' })).errors?.name).toBeDefined();
    expect(fromForm(form({ name: 'x'.repeat(65) })).errors?.name).toMatch(/64/);
    expect(fromForm(form({ iceServers: [row({ urls: 'http://example.test' })] })).errors?.iceServers).toMatch(/stun:, turn: or turns:/);
    expect(fromForm(form({ iceServers: [row({ username: 'u' })] })).errors?.iceServers).toMatch(/no URL/);
    const many = Array.from({ length: 17 }, (_, i) => row({ urls: `stun:198.51.100.${i}:3478` }));
    expect(fromForm(form({ iceServers: many })).errors?.iceServers).toMatch(/16/);
    expect(fromForm(form({ timeoutSeconds: '4' })).errors?.connectTimeoutMs).toMatch(/between 5 and 300/);
    expect(fromForm(form({ timeoutSeconds: '301' })).errors?.connectTimeoutMs).toBeDefined();
    expect(fromForm(form({ timeoutSeconds: 'abc' })).errors?.connectTimeoutMs).toBeDefined();
    expect(fromForm(form({ timeoutSeconds: '5' })).settings?.connectTimeoutMs).toBe(5000);
  });

  it('ignores empty rows', () => {
    expect(fromForm(form({ iceServers: [row({ urls: ' ' })] })).settings?.iceServers).toEqual([]);
  });

  it('splits URLs and maps daemon fields', () => {
    expect(splitUrls('stun:a:1, stun:b:2\nturn:c:3')).toEqual(['stun:a:1', 'stun:b:2', 'turn:c:3']);
    expect(fieldOf('iceServers[2].urls')).toBe('iceServers');
    expect(fieldOf('connectTimeoutMs')).toBe('connectTimeoutMs');
    expect(fieldOf('other')).toBeNull();
  });
});

describe('settings form: TURN shared secrets and the relay switch', () => {
  const TURN = 'turn:198.51.100.9:3478';

  it('a new secret is sent as secret; a stored one left empty as secretSet', () => {
    expect(fromForm(form({ iceServers: [row({ urls: TURN, auth: 'secret', secret: 's3cret' })] })).settings?.iceServers).toEqual([
      { urls: [TURN], secret: 's3cret' },
    ]);
    const stored = toForm({ name: 'Alice', iceServers: [{ urls: [TURN], secretSet: true }], connectTimeoutMs: 30000 });
    expect(stored.iceServers[0]).toMatchObject({ auth: 'secret', secret: '', secretSet: true });
    expect(fromForm(stored).settings?.iceServers).toEqual([{ urls: [TURN], secretSet: true }]);
    // A secret typed over the stored one replaces it.
    stored.iceServers[0]!.secret = 'new one';
    expect(fromForm(stored).settings?.iceServers).toEqual([{ urls: [TURN], secret: 'new one' }]);
  });

  it('what was just saved (with its secret) comes back to the form as stored, never as text', () => {
    const f = toForm({ name: 'Alice', iceServers: [{ urls: [TURN], secret: 's3cret' }], connectTimeoutMs: 30000 });
    expect(f.iceServers[0]).toMatchObject({ auth: 'secret', secret: '', secretSet: true });
  });

  it('a secret only for turn:/turns: servers, and not with a username and password', () => {
    expect(fromForm(form({ iceServers: [row({ urls: 'stun:198.51.100.9:3478', auth: 'secret', secret: 'x' })] })).errors?.iceServers).toBe(
      'Server 1: a shared secret is only for TURN servers (turn: or turns: URLs), not "stun:198.51.100.9:3478".',
    );
    expect(
      fromForm(form({ iceServers: [row({ urls: TURN, auth: 'secret', secret: 'x', username: 'u', credential: 'c' })] })).errors?.iceServers,
    ).toBe('Server 1 has both a username/password and a shared secret: use one or the other.');
    expect(fromForm(form({ iceServers: [row({ urls: TURN, auth: 'secret' })] })).errors?.iceServers).toBe(
      'Server 1: enter its shared secret, or choose username and password.',
    );
    expect(fromForm(form({ iceServers: [row({ urls: `turns:198.51.100.9:5349`, auth: 'secret', secret: 'x'.repeat(257) })] })).errors?.iceServers).toMatch(
      /at most 256 bytes/,
    );
    expect(fromForm(form({ iceServers: [row({ urls: TURN, auth: 'secret', secret: 'a\nb' })] })).errors?.iceServers).toMatch(/control characters/);
  });

  it('a TURN server needs both a username and a password, or neither', () => {
    expect(fromForm(form({ iceServers: [row({ urls: TURN, username: 'u' })] })).errors?.iceServers).toBe(
      'Server 1: a TURN server needs both a username and a password, or neither.',
    );
    expect(fromForm(form({ iceServers: [row({ urls: 'stun:198.51.100.9:3478', username: 'u' })] })).errors).toBeNull();
  });

  it('the relay switch round-trips when the daemon has it, and is left out when it does not', () => {
    const on = toForm({ name: 'Alice', iceServers: [], connectTimeoutMs: 30000, relay: true });
    expect(on.relay).toBe(true);
    expect(fromForm({ ...on, relay: false }).settings).toEqual({ name: 'Alice', iceServers: [], connectTimeoutMs: 30000, relay: false });
    const old = toForm({ name: 'Alice', iceServers: [], connectTimeoutMs: 30000 });
    expect(old.relay).toBeNull();
    expect(fromForm(old).settings).not.toHaveProperty('relay');
  });
});

describe('theme and bench switches', () => {
  const memory = () => {
    const data = new Map<string, string>();
    return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) };
  };

  it('toggles away from the system theme and back', () => {
    expect(nextTheme('system', false)).toBe('dark');
    expect(nextTheme('dark', false)).toBe('system');
    expect(nextTheme('system', true)).toBe('light');
    expect(effectiveTheme('system', true)).toBe('dark');
    const s = memory();
    saveTheme(s, 'dark');
    expect(loadTheme(s)).toBe('dark');
    saveTheme(s, 'system');
    expect(loadTheme(s)).toBe('system');
  });
});
