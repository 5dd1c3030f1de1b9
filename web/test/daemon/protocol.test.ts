import { describe, expect, it } from 'vitest';
import { parseDaemonMessage, parseSettings, sortPeers, type Peer } from '../../src/daemon/protocol';

const peer = (id: string, name: string, online: boolean, lastConnected: number): Peer => ({
  id,
  name,
  online,
  lastConnected,
  addresses: [],
  sources: [],
  lastSeen: 0,
  verified: true,
  outdated: false,
  firstSeen: 0,
  confirmed: false,
});

describe('daemon protocol', () => {
  it('parses every daemon message type', () => {
    const cases: [unknown, unknown][] = [
      [
        { type: 'welcome', protocol: 1, self: { id: 'I', name: 'A', version: '0.1.0', port: 3001, discoveryPort: 3001 }, settings: { name: 'A', iceServers: [{ urls: ['stun:198.51.100.9:3478'], username: 'u', credential: 'c' }], connectTimeoutMs: 30000 } },
        { type: 'welcome', protocol: 1, self: { id: 'I', name: 'A', version: '0.1.0', port: 3001, discoveryPort: 3001 }, settings: { name: 'A', iceServers: [{ urls: ['stun:198.51.100.9:3478'], username: 'u', credential: 'c' }], connectTimeoutMs: 30000 } },
      ],
      [
        { type: 'peers', peers: [{ id: 'P', name: 'Bob', addresses: ['198.51.100.2:3001'], online: true, sources: ['broadcast'], lastSeen: 5, lastConnected: 7, verified: true }, { bogus: 1 }] },
        { type: 'peers', peers: [{ id: 'P', name: 'Bob', addresses: ['198.51.100.2:3001'], online: true, sources: ['broadcast'], lastSeen: 5, lastConnected: 7, verified: true, outdated: false, firstSeen: 0, confirmed: false }] },
      ],
      [{ type: 'settings', settings: { name: 'B', iceServers: [], connectTimeoutMs: 5000 } }, { type: 'settings', settings: { name: 'B', iceServers: [], connectTimeoutMs: 5000 } }],
      [{ type: 'ack', ref: 's1', seq: 3, to: 'P', peerOnline: false }, { type: 'ack', ref: 's1', seq: 3, to: 'P', peerOnline: false }],
      [{ type: 'delivered', ref: 's1' }, { type: 'delivered', ref: 's1' }],
      [{ type: 'expired', ref: 's1', to: 'P', error: 'too late' }, { type: 'expired', ref: 's1', to: 'P', error: 'too late' }],
      [
        { type: 'signal', from: 'P', kind: 'offer', session: 'x', payload: { type: 'offer', sdp: 'v=0' }, seq: 9 },
        { type: 'signal', from: 'P', kind: 'offer', session: 'x', payload: { type: 'offer', sdp: 'v=0' }, seq: 9 },
      ],
      [{ type: 'session_taken', peer: 'P', session: 'r1' }, { type: 'session_taken', peer: 'P', session: 'r1' }],
      [{ type: 'ice_servers', peer: 'P', ref: 'i1', iceServers: [{ urls: 'stun:198.51.100.1:3001' }, { nope: 1 }] }, { type: 'ice_servers', peer: 'P', ref: 'i1', iceServers: [{ urls: 'stun:198.51.100.1:3001' }] }],
      [{ type: 'error', code: 'unknown_peer', error: 'no', ref: 's2' }, { type: 'error', code: 'unknown_peer', error: 'no', ref: 's2' }],
    ];
    for (const [input, expected] of cases) expect(parseDaemonMessage(JSON.stringify(input))).toEqual(expected);
  });

  it('fills lastConnected with 0 for daemons that do not send it', () => {
    const m = parseDaemonMessage(JSON.stringify({ type: 'peers', peers: [{ id: 'P', name: 'Bob' }] }));
    expect(m).toEqual({ type: 'peers', peers: [{ id: 'P', name: 'Bob', addresses: [], online: false, sources: [], lastSeen: 0, lastConnected: 0, verified: false, outdated: false, firstSeen: 0, confirmed: false }] });
  });

  it('reads when a peer was first seen, whether the user verified it, and its 6-digit code only', () => {
    const parse = (fields: object) => {
      const m = parseDaemonMessage(JSON.stringify({ type: 'peers', peers: [{ id: 'P', name: 'Bob', ...fields }] }));
      return m?.type === 'peers' ? m.peers[0] : undefined;
    };
    expect(parse({ firstSeen: 1764000000000, confirmed: true, verificationCode: '054631' })).toMatchObject({
      firstSeen: 1764000000000,
      confirmed: true,
      verificationCode: '054631',
    });
    for (const code of [54631, '54631', '0546311', '05463a', '', null]) {
      expect(parse({ verificationCode: code })?.verificationCode, String(code)).toBeUndefined();
    }
    expect(parse({ confirmed: 'true', firstSeen: '5' })).toMatchObject({ confirmed: false, firstSeen: 0 });
  });

  it('refuses malformed frames', () => {
    for (const bad of ['', 'x', '[]', '{"type":5}', '{"type":"welcome"}', '{"type":"signal","kind":"offer"}', '{"type":"peers"}', '{"type":"what"}', '{"type":"settings","settings":{"iceServers":[]}}']) {
      expect(parseDaemonMessage(bad), bad).toBeNull();
    }
  });

  it('settings default the timeout and refuse malformed servers', () => {
    expect(parseSettings({ name: 'A' })).toEqual({ name: 'A', iceServers: [], connectTimeoutMs: 30000 });
    expect(parseSettings({ name: 'A', iceServers: [{ urls: 5 }] })).toBeNull();
  });

  it('sorts recently connected first, then online, then by name', () => {
    const sorted = sortPeers([
      peer('1', 'Zed', true, 0),
      peer('2', 'Amy', false, 0),
      peer('3', 'Old', false, 100),
      peer('4', 'New', false, 200),
      peer('5', 'Bea', true, 0),
    ]);
    expect(sorted.map((p) => p.name)).toEqual(['New', 'Old', 'Bea', 'Zed', 'Amy']);
  });

  it('the relay message: on with its addresses, off, and malformed ones refused', () => {
    expect(
      parseDaemonMessage(
        JSON.stringify({ type: 'relay', relay: { enabled: true, state: 'running', port: 3478, addresses: ['198.51.100.12', 5], restarts: 0 } }),
      ),
    ).toEqual({ type: 'relay', relay: { enabled: true, state: 'running', port: 3478, addresses: ['198.51.100.12'], restarts: 0 } });
    expect(parseDaemonMessage(JSON.stringify({ type: 'relay', relay: { enabled: false, state: 'off' } }))).toEqual({
      type: 'relay',
      relay: { enabled: false, state: 'off', port: 0, addresses: [], restarts: 0 },
    });
    expect(
      parseDaemonMessage(JSON.stringify({ type: 'relay', relay: { enabled: true, state: 'restarting', reason: 'exited with code 1 after 0.3 s', restarts: 2 } })),
    ).toMatchObject({ relay: { state: 'restarting', reason: 'exited with code 1 after 0.3 s', restarts: 2 } });
    for (const bad of ['{"type":"relay"}', '{"type":"relay","relay":{"state":"running"}}', '{"type":"relay","relay":[]}']) {
      expect(parseDaemonMessage(bad), bad).toBeNull();
    }
  });

  it('a peer\u2019s relay ("offered", "ready"; anything else dropped) and the relay setting', () => {
    const peers = parseDaemonMessage(
      JSON.stringify({ type: 'peers', peers: [{ id: 'P', name: 'Bob', relay: 'ready' }, { id: 'Q', name: 'Carol', relay: 'offered' }, { id: 'R', name: 'Dan', relay: 'maybe' }] }),
    );
    expect(peers?.type === 'peers' && peers.peers.map((p) => p.relay)).toEqual(['ready', 'offered', undefined]);
    expect(parseSettings({ name: 'A', relay: true })?.relay).toBe(true);
    expect(parseSettings({ name: 'A' })).not.toHaveProperty('relay');
    expect(parseSettings({ name: 'A', iceServers: [{ urls: ['turn:198.51.100.9:3478'], secretSet: true }] })?.iceServers).toEqual([
      { urls: ['turn:198.51.100.9:3478'], secretSet: true },
    ]);
  });
});
