import { describe, expect, it, vi } from 'vitest';
import { CONTROL_TOKEN_KEY, takeControlToken } from '../../src/daemon/controlToken';
import { DaemonApi } from '../../src/daemon/api';
import { defaultDaemonUrl } from '../../src/daemon/DaemonSocket';

function memory(initial: Record<string, string> = {}) {
  const map = new Map(Object.entries(initial));
  return {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
    map,
  };
}

describe('the control token', () => {
  it('is taken from the link once, kept, and cleared from the address bar', () => {
    const storage = memory();
    const replace = vi.fn();
    expect(takeControlToken({ hash: '#token=ABC234', pathname: '/', search: '?x=1' }, replace, storage)).toBe('ABC234');
    expect(storage.map.get(CONTROL_TOKEN_KEY)).toBe('ABC234');
    expect(replace).toHaveBeenCalledWith('/?x=1');
    // The next visit, without the fragment, uses the kept one and leaves the address alone.
    const again = vi.fn();
    expect(takeControlToken({ hash: '', pathname: '/', search: '' }, again, storage)).toBe('ABC234');
    expect(again).not.toHaveBeenCalled();
  });

  it('a new link replaces the kept one; without either there is none', () => {
    const storage = memory({ [CONTROL_TOKEN_KEY]: 'OLD' });
    expect(takeControlToken({ hash: '#token=NEW', pathname: '/', search: '' }, () => {}, storage)).toBe('NEW');
    expect(storage.map.get(CONTROL_TOKEN_KEY)).toBe('NEW');
    expect(takeControlToken({ hash: '#other=1', pathname: '/', search: '' }, () => {}, memory())).toBeNull();
    expect(takeControlToken({ hash: '', pathname: '/', search: '' }, () => {}, null)).toBeNull();
  });

  it('goes with every API request as a Bearer header, with the WebSocket and download links in the query', async () => {
    const fetcher = vi.fn(async (_input: string, _init?: RequestInit) => new Response('[]', { status: 200 }));
    await new DaemonApi(fetcher, 'K3Y').getPeers();
    expect((fetcher.mock.calls[0]![1]!.headers as Record<string, string>).Authorization).toBe('Bearer K3Y');
    expect(new DaemonApi(fetcher, 'K3Y').downloadUrl('a b')).toBe('/api/files/download?name=a%20b&token=K3Y');
    vi.stubGlobal('location', { protocol: 'http:', host: '127.0.0.1:3001' });
    try {
      expect(defaultDaemonUrl('K3Y')).toBe('ws://127.0.0.1:3001/ws?token=K3Y');
      expect(defaultDaemonUrl(null)).toBe('ws://127.0.0.1:3001/ws');
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
