import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IceServer, Peer } from '../../src/daemon/protocol';
import { FORCE_RELAY_KEY, PeerController, type OutgoingSignal } from '../../src/peer/PeerController';
import { routeText } from '../../src/rtc/quality';
import type { StorageLike } from '../../src/settings/theme';
import { FakeRtcNetwork, flushMicrotasks } from '../support/fakeRtc';

const ALICE = 'AAAAALICE';
const BOB = 'ZZZZBOB';

const peer = (id: string, name: string): Peer => ({
  id,
  name,
  addresses: ['198.51.100.2:3001'],
  online: true,
  sources: ['broadcast'],
  lastSeen: 1,
  lastConnected: 0,
  verified: true,
  outdated: false,
});

/**
 * Two UIs (Alice, Bob), each with a PeerController for the other, joined by a
 * fake daemon pair that carries signals in order after `latencyMs`, and a fake
 * WebRTC network.
 */
const STUN: IceServer = { urls: 'stun:198.51.100.2:3001' };
const RELAY: IceServer = {
  urls: ['turn:198.51.100.12:3478?transport=udp', 'turn:198.51.100.12:3478?transport=tcp'],
  username: '1764086400:CAROL',
  credential: 'derived',
};

function memoryStorage(): StorageLike & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

interface PairOptions {
  latencyMs?: number;
  autoAcceptBob?: boolean;
  timeoutMs?: number;
  /** What each side's daemon answers to ice_servers (default: a STUN responder); may change between asks. */
  servers?: { alice?: () => IceServer[]; bob?: () => IceServer[] };
  /** Alice's sessionStorage. */
  storage?: StorageLike;
}

function pair(opts: PairOptions = {}) {
  const net = new FakeRtcNetwork();
  const sessions: Record<string, string[]> = { [ALICE]: [], [BOB]: [] };
  const wire: { from: string; signal: OutgoingSignal }[] = [];
  const controllers: Record<string, PeerController> = {};
  let daemonUp = true;
  let ids = 0;
  const iceAsks: Record<string, number> = { alice: 0, bob: 0 };
  const make = (selfId: string, selfName: string, other: Peer, side: 'alice' | 'bob', autoAccept = false) =>
    new PeerController(other, {
      selfId,
      selfName: () => selfName,
      sendSignal: (to, signal) => {
        if (!daemonUp) return false;
        wire.push({ from: selfId, signal });
        const deliver = () =>
          controllers[to]?.handleSignal({
            type: 'signal',
            from: selfId,
            kind: signal.kind,
            session: signal.session,
            payload: signal.payload,
            seq: wire.length,
          });
        if (opts.latencyMs) setTimeout(deliver, opts.latencyMs);
        else queueMicrotask(deliver);
        return true;
      },
      reportSession: (_peerId, state) => sessions[selfId]!.push(state),
      requestIceServers: () => {
        iceAsks[side]! += 1;
        return Promise.resolve(opts.servers?.[side]?.() ?? [STUN]);
      },
      ...(side === 'alice' && opts.storage ? { storage: opts.storage } : {}),
      createPeerConnection: net.factory(side),
      timeoutMs: opts.timeoutMs ?? 30_000,
      autoAccept: () => autoAccept,
      createSessionId: () => `${side}-session-${++ids}`,
      createChatId: () => `${side}-msg-${++ids}`,
      monotonicNow: () => Date.now(),
    });
  // Controllers are keyed by the id of the UI that owns them ("to" of a signal).
  const alice = make(ALICE, 'Alice', peer(BOB, 'Bob'), 'alice');
  const bob = make(BOB, 'Bob', peer(ALICE, 'Alice'), 'bob', opts.autoAcceptBob ?? false);
  controllers[ALICE] = alice;
  controllers[BOB] = bob;
  return { net, alice, bob, wire, sessions, iceAsks, setDaemonUp: (v: boolean) => (daemonUp = v) };
}

async function settle(ms = 0): Promise<void> {
  await flushMicrotasks(100);
  if (ms) await vi.advanceTimersByTimeAsync(ms);
  await flushMicrotasks(100);
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_764_000_000_000);
});
afterEach(() => vi.useRealTimers());

describe('PeerController: a whole connection', () => {
  it('request, accept, negotiate, open; both Connected; session states reported', async () => {
    const { alice, bob, sessions, net } = pair();
    alice.connect();
    await settle();
    expect(alice.view().connection.label).toBe('Waiting for Bob to accept');
    expect(bob.view().incoming).toEqual({ session: 'alice-session-1', name: 'Alice' });
    bob.accept();
    await settle();
    expect(alice.state).toBe('connected');
    expect(bob.state).toBe('connected');
    expect(alice.view().connection.label).toBe('Connected');
    expect(sessions[ALICE]).toEqual(['connecting', 'connecting', 'established']);
    expect(sessions[BOB]).toEqual(['connecting', 'connecting', 'established']);
    // The requester made the offer and the control channel.
    expect(net.latest('alice')!.calls[0]).toBe('local:offer');
    expect(net.latest('alice')!.channels[0]!.label).toBe('control');
    expect(net.latest('bob')!.calls).toEqual(['remote:offer', 'local:answer']);
    expect(net.latest('alice')!.config.iceServers).toEqual([{ urls: 'stun:198.51.100.2:3001' }]);
    // hello on open, both ways
    expect(alice.view().remoteName).toBe('Bob');
    expect(bob.view().remoteName).toBe('Alice');
    const timing = alice.view().timing;
    expect(timing.clickedAt).toBeDefined();
    expect(timing.openAt).toBeGreaterThanOrEqual(timing.clickedAt!);
  });

  it('file transfers hear up/down, their control messages and the peer’s xfer:<tid> channels', async () => {
    const { alice, bob } = pair({ autoAcceptBob: true });
    const aliceEvents: string[] = [];
    const bobEvents: string[] = [];
    alice.onTransfer((e) => aliceEvents.push(e.type === 'control' ? `control ${e.message.t}` : e.type === 'channel' ? `channel ${e.channel.label}` : e.type));
    bob.onTransfer((e) => bobEvents.push(e.type === 'control' ? `control ${e.message.t}` : e.type === 'channel' ? `channel ${e.channel.label}` : e.type));
    alice.connect();
    await settle();
    expect(aliceEvents).toEqual(['up']);
    expect(bob.transferLink().connected).toBe(true);
    const tid = 'abcdefghijklmnopqrstuv';
    expect(bob.transferLink().sendControl({ t: 'xfer_resume', tid })).toBe(true);
    const channel = bob.transferLink().openFileChannel(`xfer:${tid}`);
    expect(channel?.binaryType).toBe('arraybuffer');
    await settle();
    expect(aliceEvents).toEqual(['up', 'control xfer_resume', `channel xfer:${tid}`]);
    expect(alice.view().chat).toHaveLength(0);
    expect(bob.transferLink().openFileChannel('other')).toBeNull();
    alice.disconnect();
    await settle();
    expect(aliceEvents.at(-1)).toBe('down');
    expect(bobEvents).toEqual(['up', 'down']);
    expect(alice.transferLink().connected).toBe(false);
  });

  it('chat both ways with delivery acks', async () => {
    const { alice, bob } = pair({ autoAcceptBob: true });
    alice.connect();
    await settle();
    expect(bob.state).toBe('connected');
    alice.sendChat('hi Bob');
    bob.sendChat('hi Alice');
    await settle();
    expect(alice.view().chat.map((m) => `${m.direction}:${m.text}:${m.status}`)).toEqual([
      'out:hi Bob:delivered',
      'in:hi Alice:received',
    ]);
    expect(bob.view().chat.map((m) => `${m.direction}:${m.text}:${m.status}`)).toEqual([
      'out:hi Alice:delivered',
      'in:hi Bob:received',
    ]);
  });

  it('decline: the requester sees "Bob declined the connection"', async () => {
    const { alice, bob } = pair();
    alice.connect();
    await settle();
    bob.decline();
    await settle();
    expect(alice.state).toBe('declined');
    expect(alice.view().connection.detail).toBe('Bob declined the connection');
    expect(bob.state).toBe('idle');
  });

  it('disconnect: the other side shows "Alice disconnected"; reconnecting from there works', async () => {
    const { alice, bob, net } = pair({ autoAcceptBob: true });
    alice.connect();
    await settle();
    bob.disconnect();
    await settle();
    expect(bob.state).toBe('closed');
    expect(alice.state).toBe('closed');
    expect(alice.view().connection.detail).toBe('Bob disconnected');
    expect(net.pcs.every((pc) => pc.closed)).toBe(true);
    alice.connect();
    await settle();
    expect(alice.state).toBe('connected');
    expect(bob.state).toBe('connected');
  });

  it('glare: both click Connect at once; exactly one connection, both Connected', async () => {
    const { alice, bob, net, wire } = pair({ latencyMs: 20 });
    alice.connect();
    bob.connect();
    await settle(20);
    await settle(20);
    await settle(100);
    expect(alice.state).toBe('connected');
    expect(bob.state).toBe('connected');
    // Alice has the smaller id: her request lost, she accepted Bob's.
    expect(alice.context.session).toBe(bob.context.session);
    expect(alice.context.role).toBe('accepter');
    expect(bob.context.role).toBe('requester');
    const open = net.pcs.filter((pc) => !pc.closed);
    expect(open).toHaveLength(2);
    expect(wire.filter((w) => w.signal.kind === 'connection_accept')).toHaveLength(1);
  });

  it('the peer never answers: "Bob did not answer the request"; Retry works once Bob answers', async () => {
    const { alice, bob } = pair({ timeoutMs: 10_000 });
    alice.connect();
    await settle(10_000);
    expect(alice.state).toBe('failed');
    expect(alice.view().connection.detail).toBe('Bob did not answer the request');
    // Bob's dialog went away too (the request was withdrawn).
    expect(bob.state).toBe('idle');
    alice.retry();
    await settle();
    bob.accept();
    await settle();
    expect(alice.state).toBe('connected');
  });

  it('no network path and no relay: "No route to Bob", and turn on a relay', async () => {
    const { alice, net } = pair({ autoAcceptBob: true, timeoutMs: 10_000 });
    net.reachable = false;
    alice.connect();
    await settle(10_000);
    expect(alice.state).toBe('failed');
    expect(alice.view().connection.detail).toBe(
      'No route to Bob: the two computers cannot reach each other directly (a firewall may block WebRTC), and no relay ' +
        'is available. Turn on the relay (Settings \u2192 Run a relay on this computer) on one of the two computers, with \u201cAlways accept\u201d ticked there for the other, then try again.',
    );
    expect(alice.view().relays).toEqual([]);
  });

  it('the daemon is gone: the request fails with a sentence instead of waiting', async () => {
    const { alice, setDaemonUp } = pair();
    setDaemonUp(false);
    alice.connect();
    await settle();
    expect(alice.state).toBe('failed');
    expect(alice.view().connection.detail).toMatch(/Lost contact with PeerDrop on this computer/);
  });

  it('an expired request: "could not be reached"', async () => {
    const { alice } = pair();
    alice.connect();
    await settle();
    alice.signalExpired('connection_request', alice.context.session!, 'the peer did not fetch this message in time');
    expect(alice.view().connection.detail).toBe("Bob's computer could not be reached (the request was not delivered)");
  });

  it('ICE drop: restart, Reconnecting, back to Connected; chat typed meanwhile arrives once', async () => {
    const { alice, bob, net } = pair({ autoAcceptBob: true });
    alice.connect();
    await settle();
    const pa = net.latest('alice')!;
    const pb = net.latest('bob')!;
    const channel = pa.channels[0]!;
    net.reachable = false; // the network is cut
    channel.deliver = false;
    pa.setIceState('disconnected');
    await settle(5_000);
    expect(alice.state).toBe('reconnecting');
    expect(alice.view().connection.label).toBe('Reconnecting');
    expect(pa.restarts).toBe(1);
    alice.sendChat('typed during the cut');
    await settle();
    expect(alice.view().chat[0]!.status).toBe('sending');
    // The path is back: ICE reconnects, the transport delivers what it held.
    net.reachable = true;
    channel.release();
    pa.setIceState('connected');
    pb.setIceState('connected');
    await settle();
    expect(alice.state).toBe('connected');
    expect(bob.view().chat.filter((m) => m.direction === 'in').map((m) => m.text)).toEqual(['typed during the cut']);
    expect(alice.view().chat[0]!.status).toBe('delivered');
  });

  it('ICE never comes back: "Lost the connection to Bob"; unacked chat is marked failed', async () => {
    const { alice, net } = pair({ autoAcceptBob: true, timeoutMs: 10_000 });
    alice.connect();
    await settle();
    const pa = net.latest('alice')!;
    net.reachable = false;
    pa.channels[0]!.deliver = false;
    alice.sendChat('will fail');
    pa.setIceState('failed');
    await settle(10_000);
    expect(alice.state).toBe('failed');
    expect(alice.view().connection.detail).toBe('Lost the connection to Bob');
    expect(alice.view().chat[0]!.status).toBe('failed');
    expect(pa.closed).toBe(true);
  });

  it('signals of another session are ignored and logged', async () => {
    const { alice, bob } = pair({ autoAcceptBob: true });
    alice.connect();
    await settle();
    const before = bob.view().debug.length;
    bob.handleSignal({ type: 'signal', from: ALICE, kind: 'offer', session: 'stale', payload: { type: 'offer', sdp: 'v=0' }, seq: 99 });
    expect(bob.state).toBe('connected');
    expect(bob.view().debug.slice(before).map((e) => e.text).join('\n')).toMatch(/ignored offer of another session/);
  });

  it('malformed candidates show up as a warning next to the peer, never as an exception', async () => {
    const { alice, bob } = pair({ autoAcceptBob: true });
    alice.connect();
    await settle();
    const session = bob.context.session!;
    expect(() =>
      bob.handleSignal({ type: 'signal', from: ALICE, kind: 'ice_candidate', session, payload: { candidate: { candidate: 'junk' } }, seq: 100 }),
    ).not.toThrow();
    await settle();
    expect(bob.view().warnings.join(' ')).toMatch(/A network candidate from Alice was refused/);
    expect(bob.state).toBe('connected');
  });

  it('the debug text has the transitions, signals and the daemon peer', async () => {
    const { alice } = pair({ autoAcceptBob: true });
    alice.connect();
    await settle();
    const text = alice.debugText();
    expect(text).toMatch(/idle \u2192 requesting/);
    expect(text).toMatch(/requesting \u2192 connecting/);
    expect(text).toMatch(/connecting \u2192 connected.stable/);
    expect(text).toMatch(/\[signal-out\] connection_request/);
    expect(text).toMatch(/\[signal-in\] answer session=alice-se answer sdp=v=0 fake-answer/);
    expect(text).toMatch(/daemon peer: \{"id":"ZZZZBOB"/);
  });
});

describe('PeerController: relays', () => {
  const relayRoute = (c: PeerController) => {
    const route = c.view().quality?.route;
    return route ? routeText(route) : '';
  };

  it('no direct path but a relay in the list: connects through it, and the Route says relay', async () => {
    const { alice, bob, net } = pair({ autoAcceptBob: true, servers: { alice: () => [STUN, RELAY], bob: () => [STUN, RELAY] } });
    net.direct = false;
    alice.connect();
    await settle();
    expect(alice.state).toBe('connected');
    expect(bob.state).toBe('connected');
    expect(alice.view().relays).toEqual(['198.51.100.12']);
    expect(relayRoute(alice)).toMatch(/^relay via 198\.51\.100\.12 \(relay 198\.51\.100\.12:50000 \u2194 relay /);
    expect(relayRoute(bob)).toMatch(/^relay via 198\.51\.100\.12 /);
    expect(alice.debugText()).toMatch(/route: relay via 198\.51\.100\.12/);
  });

  it('a direct path: the Route says direct', async () => {
    const { alice } = pair({ autoAcceptBob: true, servers: { alice: () => [STUN, RELAY] } });
    alice.connect();
    await settle();
    expect(relayRoute(alice)).toMatch(/^direct \(host /);
  });

  it('relays in the list but unreachable: "No route to Bob, not even through the relay"', async () => {
    const { alice, net } = pair({ autoAcceptBob: true, timeoutMs: 10_000, servers: { alice: () => [STUN, RELAY] } });
    net.direct = false;
    net.relayReachable = false;
    alice.connect();
    await settle(10_000);
    expect(alice.state).toBe('failed');
    expect(alice.view().connection.detail).toBe(
      'No route to Bob, not even through the relay (198.51.100.12): check that both computers can reach it.',
    );
  });

  it('force relay before connecting: the RTCPeerConnection gets iceTransportPolicy relay; remembered for the page session', async () => {
    const storage = memoryStorage();
    const { alice, bob, net } = pair({ autoAcceptBob: true, storage, servers: { alice: () => [STUN, RELAY] } });
    expect(alice.view().forceRelay).toBe(false);
    alice.setForceRelay(true);
    expect(alice.view().forceRelay).toBe(true);
    expect(storage.data.get(`${FORCE_RELAY_KEY}${BOB}`)).toBe('1');
    alice.connect();
    await settle();
    expect(net.latest('alice')!.config).toEqual({ iceServers: [STUN, RELAY], iceTransportPolicy: 'relay' });
    expect(net.latest('bob')!.config.iceTransportPolicy).toBe('all');
    expect(alice.state).toBe('connected');
    expect(bob.state).toBe('connected');
    expect(relayRoute(alice)).toMatch(/^relay via 198\.51\.100\.12 \(relay /);
    // Bob's side sees Alice's relay candidate.
    expect(relayRoute(bob)).toMatch(/^relay via 198\.51\.100\.12 \(host .* \u2194 relay /);
    // A reloaded controller (same page session) starts with it on; turning it off forgets it.
    const again = new PeerController(peer(BOB, 'Bob'), {
      selfId: ALICE,
      selfName: () => 'Alice',
      sendSignal: () => true,
      reportSession: () => {},
      requestIceServers: () => Promise.resolve([]),
      createPeerConnection: net.factory('other'),
      storage,
    });
    expect(again.view().forceRelay).toBe(true);
    again.setForceRelay(false);
    expect(storage.data.has(`${FORCE_RELAY_KEY}${BOB}`)).toBe(false);
    again.dispose();
  });

  it('force relay flipped while connected applies from the next connection; the open one keeps its route and says so', async () => {
    const { alice, bob, net } = pair({ autoAcceptBob: true, servers: { alice: () => [STUN, RELAY] } });
    alice.connect();
    await settle();
    expect(relayRoute(alice)).toMatch(/^direct /);
    const pcs = net.pcs.length;
    alice.setForceRelay(true);
    await settle(1_000);
    expect(net.pcs).toHaveLength(pcs);
    expect(alice.state).toBe('connected');
    expect(relayRoute(alice)).toMatch(/^direct /);
    expect(alice.view().forceRelayPending).toBe(true);
    expect(alice.view().debug.at(-1)!.text).toBe('force relay on: applies from the next connection');
    // Back before reconnecting: nothing pending.
    alice.setForceRelay(false);
    expect(alice.view().forceRelayPending).toBe(false);
    alice.setForceRelay(true);
    alice.disconnect();
    await settle();
    alice.connect();
    await settle();
    expect(net.latest('alice')!.config.iceTransportPolicy).toBe('relay');
    expect(alice.state).toBe('connected');
    expect(bob.state).toBe('connected');
    expect(alice.view().forceRelayPending).toBe(false);
    expect(relayRoute(alice)).toMatch(/^relay via 198\.51\.100\.12 /);
  });

  it('force relay on with no relay in the list: the failure says so', async () => {
    const { alice, net } = pair({ autoAcceptBob: true, timeoutMs: 10_000 });
    alice.setForceRelay(true);
    alice.connect();
    await settle(10_000);
    expect(net.pcs.filter((pc) => pc.side === 'alice').at(-1)!.config.iceTransportPolicy).toBe('relay');
    expect(alice.state).toBe('failed');
    expect(alice.view().connection.detail).toMatch(/^No route to Bob: Force relay is on, but no relay is available\. /);
    expect(alice.view().relays).toEqual([]);
  });
});

