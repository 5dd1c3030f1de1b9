import { describe, expect, it } from 'vitest';
import { fieldOf, fromForm, splitUrls, toForm } from '../../src/settings/validate';
import { effectiveTheme, nextTheme, loadTheme, saveTheme, autoAcceptEnabled } from '../../src/settings/theme';

const form = (patch = {}) => ({ name: 'Alice', iceServers: [], timeoutSeconds: '30', ...patch });

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
    // A username and credential typed in replace the secret.
    const typed = toForm(settings);
    typed.iceServers[0] = { ...typed.iceServers[0]!, username: 'u', credential: 'c' };
    expect(fromForm(typed).settings?.iceServers[0]).toEqual({ urls: ['turn:198.51.100.9:3478'], username: 'u', credential: 'c' });
  });

  it('checks the name, the ICE URLs and the timeout like the daemon', () => {
    expect(fromForm(form({ name: '  ' })).errors?.name).toBeDefined();
    expect(fromForm(form({ name: 'x'.repeat(65) })).errors?.name).toMatch(/64/);
    expect(fromForm(form({ iceServers: [{ urls: 'http://example.test', username: '', credential: '' }] })).errors?.iceServers).toMatch(/stun:, turn: or turns:/);
    expect(fromForm(form({ iceServers: [{ urls: '', username: 'u', credential: '' }] })).errors?.iceServers).toMatch(/no URL/);
    const many = Array.from({ length: 17 }, (_, i) => ({ urls: `stun:198.51.100.${i}:3478`, username: '', credential: '' }));
    expect(fromForm(form({ iceServers: many })).errors?.iceServers).toMatch(/16/);
    expect(fromForm(form({ timeoutSeconds: '4' })).errors?.connectTimeoutMs).toMatch(/between 5 and 300/);
    expect(fromForm(form({ timeoutSeconds: '301' })).errors?.connectTimeoutMs).toBeDefined();
    expect(fromForm(form({ timeoutSeconds: 'abc' })).errors?.connectTimeoutMs).toBeDefined();
    expect(fromForm(form({ timeoutSeconds: '5' })).settings?.connectTimeoutMs).toBe(5000);
  });

  it('ignores empty rows', () => {
    expect(fromForm(form({ iceServers: [{ urls: ' ', username: '', credential: '' }] })).settings?.iceServers).toEqual([]);
  });

  it('splits URLs and maps daemon fields', () => {
    expect(splitUrls('stun:a:1, stun:b:2\nturn:c:3')).toEqual(['stun:a:1', 'stun:b:2', 'turn:c:3']);
    expect(fieldOf('iceServers[2].urls')).toBe('iceServers');
    expect(fieldOf('connectTimeoutMs')).toBe('connectTimeoutMs');
    expect(fieldOf('other')).toBeNull();
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

  it('auto-accept only with peerdrop.autoAccept = 1', () => {
    const s = memory();
    expect(autoAcceptEnabled(s)).toBe(false);
    s.setItem('peerdrop.autoAccept', 'true');
    expect(autoAcceptEnabled(s)).toBe(false);
    s.setItem('peerdrop.autoAccept', '1');
    expect(autoAcceptEnabled(s)).toBe(true);
    expect(autoAcceptEnabled(null)).toBe(false);
  });
});
