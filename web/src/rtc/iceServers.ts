// What a list of ICE servers says about relays (TURN): which URLs are relays
// and which hosts they are on, for the "no route" message and the settings.

import type { IceServer } from '../daemon/protocol';

export function urlsOf(server: IceServer): string[] {
  return Array.isArray(server.urls) ? server.urls : [server.urls];
}

/** A TURN URL (RFC 7065: turn: or turns:). */
export function isRelayUrl(url: string): boolean {
  const lower = url.trim().toLowerCase();
  return lower.startsWith('turn:') || lower.startsWith('turns:');
}

/** "turn:198.51.100.12:3478?transport=udp" → "198.51.100.12"; "turns:[2001:db8::1]:5349" → "2001:db8::1". */
export function relayHost(url: string): string | null {
  if (!isRelayUrl(url)) return null;
  let rest = url.trim().replace(/^turns?:/i, '').replace(/^\/\//, '');
  rest = rest.split('?')[0] ?? '';
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    return end > 1 ? rest.slice(1, end) : null;
  }
  const colon = rest.lastIndexOf(':');
  const host = colon >= 0 && rest.indexOf(':') === colon ? rest.slice(0, colon) : rest;
  return host || null;
}

/** The hosts of the relays among `servers`, each once, in the list's order. */
export function relayHosts(servers: readonly IceServer[]): string[] {
  const hosts: string[] = [];
  for (const server of servers) {
    for (const url of urlsOf(server)) {
      const host = relayHost(url);
      if (host && !hosts.includes(host)) hosts.push(host);
    }
  }
  return hosts;
}
