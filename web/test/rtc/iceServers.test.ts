import { describe, expect, it } from 'vitest';
import { isRelayUrl, relayHost, relayHosts } from '../../src/rtc/iceServers';

describe('ICE servers: relays', () => {
  it('tells TURN URLs from STUN ones', () => {
    expect(isRelayUrl('turn:198.51.100.12:3478?transport=udp')).toBe(true);
    expect(isRelayUrl('TURNS:relay.example.test:5349')).toBe(true);
    expect(isRelayUrl('stun:198.51.100.12:3478')).toBe(false);
  });

  it('finds the host of a TURN URL', () => {
    expect(relayHost('turn:198.51.100.12:3478?transport=udp')).toBe('198.51.100.12');
    expect(relayHost('turn:198.51.100.12')).toBe('198.51.100.12');
    expect(relayHost('turns:[2001:db8::1]:5349')).toBe('2001:db8::1');
    expect(relayHost('turn:relay.example.test?transport=tcp')).toBe('relay.example.test');
    expect(relayHost('stun:198.51.100.12:3478')).toBeNull();
  });

  it('lists each relay once, in order, from the daemon\u2019s ice_servers answer', () => {
    expect(
      relayHosts([
        { urls: 'stun:198.51.100.2:3001' },
        { urls: ['turn:198.51.100.12:3478?transport=udp', 'turn:198.51.100.12:3478?transport=tcp'], username: 'u', credential: 'c' },
        { urls: ['turn:203.0.113.20:3478?transport=udp'], username: 'u', credential: 'c' },
      ]),
    ).toEqual(['198.51.100.12', '203.0.113.20']);
    expect(relayHosts([{ urls: 'stun:198.51.100.2:3001' }])).toEqual([]);
  });
});
