import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppController } from '../../src/app/AppController';
import { DaemonApi } from '../../src/daemon/api';
import { DaemonSocket } from '../../src/daemon/DaemonSocket';
import { FakeRtcNetwork, flushMicrotasks } from '../support/fakeRtc';
import { FakeWebSocket, fakeSocketFactory } from '../support/fakeSocket';

const SELF = { id: 'AAAASELF', name: 'Alice', version: '0.1.0', port: 3001, discoveryPort: 3001 };
const BOB = { id: 'ZZZZBOB', name: 'Bob', addresses: ['198.51.100.3:3001'], online: true, sources: ['broadcast'], lastSeen: 1, lastConnected: 0, verified: true, outdated: false, firstSeen: 0, confirmed: false };
const CAROL = { ...BOB, id: 'MMMMCAROL', name: 'Carol', lastConnected: 1_700_000_000_000, online: false };

function setup(opts: { settings?: boolean; sessionStorage?: Map<string, string> } = {}) {
  const net = new FakeRtcNetwork();
  const socket = new DaemonSocket({ url: 'ws://127.0.0.1:3001/ws', createSocket: fakeSocketFactory() });
  const fetcher = vi.fn(async () => new Response(JSON.stringify({ error: 'no such endpoint', code: 'not_found' }), { status: 404 }));
  let n = 0;
  const app = new AppController({
    socket,
    api: new DaemonApi(fetcher),
    createPeerConnection: net.factory('alice'),
    createSessionId: () => `session-${++n}`,
    ...(opts.sessionStorage
      ? {
          sessionStorage: {
            getItem: (k: string) => opts.sessionStorage!.get(k) ?? null,
            setItem: (k: string, v: string) => void opts.sessionStorage!.set(k, v),
            removeItem: (k: string) => void opts.sessionStorage!.delete(k),
          },
        }
      : {}),
  });
  app.start();
  const ws = FakeWebSocket.instances.at(-1)!;
  ws.serverOpen();
  const welcome: Record<string, unknown> = { type: 'welcome', protocol: 1, self: SELF };
  if (opts.settings !== false) welcome.settings = { name: 'Alice', iceServers: [], connectTimeoutMs: 20_000 };
  ws.serverSend(welcome);
  ws.serverSend({ type: 'peers', peers: [BOB, CAROL] });
  const sent = (type?: string) => ws.sentMessages().filter((m) => !type || m.type === type);
  return { app, ws, net, sent, fetcher };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('AppController', () => {
  it('lists the peers, recently connected first, with this machine and its settings', () => {
    const { app } = setup();
    const snap = app.getSnapshot();
    expect(snap.self?.name).toBe('Alice');
    expect(snap.settings?.connectTimeoutMs).toBe(20_000);
    expect(snap.peers.map((p) => p.peer.name)).toEqual(['Carol', 'Bob']);
    expect(app.getSnapshot()).toBe(snap); // stable while nothing changes
  });

  it('Connect sends a connection_request with our name, and the session state', () => {
    const { app, sent } = setup();
    app.connect(BOB.id);
    const signal = sent('signal')[0]!;
    expect(signal).toMatchObject({ to: BOB.id, kind: 'connection_request', session: 'session-1', payload: { name: 'Alice', v: 1 }, ttlMs: 20_000 });
    expect(sent('session')).toEqual([{ type: 'session', peer: BOB.id, state: 'connecting' }]);
    expect(app.getSnapshot().selectedPeerId).toBe(BOB.id);
  });

  it('an ack saying the peer is offline reaches the peer’s state', () => {
    const { app, ws, sent } = setup();
    app.connect(BOB.id);
    const ref = sent('signal')[0]!.ref;
    ws.serverSend({ type: 'ack', ref, seq: 1, to: BOB.id, peerOnline: false });
    expect(app.getSnapshot().peers.find((p) => p.peer.id === BOB.id)?.connection.detail).toMatch(/offline right now/);
  });

  it('an expired request fails that peer with a sentence', () => {
    const { app, ws, sent } = setup();
    app.connect(BOB.id);
    const ref = sent('signal')[0]!.ref;
    ws.serverSend({ type: 'expired', ref, to: BOB.id, error: 'not fetched in time' });
    const view = app.getSnapshot().peers.find((p) => p.peer.id === BOB.id)!;
    expect(view.connection.label).toBe('Failed');
    expect(view.connection.detail).toBe("Bob's computer could not be reached (the request was not delivered)");
  });

  it('a daemon error for our request fails it with the daemon’s sentence', () => {
    const { app, ws, sent } = setup();
    app.connect(BOB.id);
    const ref = sent('signal')[0]!.ref;
    ws.serverSend({ type: 'error', code: 'queue_full', error: 'too many messages are waiting', ref });
    expect(app.getSnapshot().peers.find((p) => p.peer.id === BOB.id)?.connection.detail).toBe(
      'Could not send to Bob: too many messages are waiting',
    );
  });

  it('an incoming request becomes the dialog; accepting asks for ICE servers and uses only those', async () => {
    const { app, ws, sent, net } = setup();
    ws.serverSend({ type: 'signal', from: BOB.id, kind: 'connection_request', session: 'bob-1', payload: { name: 'Bob' }, seq: 1 });
    expect(app.getSnapshot().incoming.map((p) => p.peer.id)).toEqual([BOB.id]);
    app.accept(BOB.id);
    expect(app.getSnapshot().incoming).toEqual([]);
    expect(sent('signal').at(-1)).toMatchObject({ kind: 'connection_accept', session: 'bob-1' });
    const ask = sent('ice_servers')[0]!;
    expect(ask).toMatchObject({ peer: BOB.id });
    // An offer that arrives before the daemon answered is kept for the peer connection.
    ws.serverSend({ type: 'signal', from: BOB.id, kind: 'offer', session: 'bob-1', payload: { type: 'offer', sdp: 'v=0 bob' }, seq: 2 });
    ws.serverSend({ type: 'ice_servers', peer: BOB.id, ref: ask.ref, iceServers: [{ urls: 'stun:198.51.100.2:3001' }, { urls: 'stun:198.51.100.3:3001' }] });
    await flushMicrotasks(100);
    const pc = net.latest('alice')!;
    expect(pc.config.iceServers).toEqual([{ urls: 'stun:198.51.100.2:3001' }, { urls: 'stun:198.51.100.3:3001' }]);
    expect(pc.calls).toEqual(['remote:offer', 'local:answer']);
    expect(sent('signal').at(-1)).toMatchObject({ kind: 'answer', session: 'bob-1' });
  });

  it('a request from a peer the user always accepts is accepted at once; any other one asks', () => {
    const { app, ws, sent } = setup();
    ws.serverSend({ type: 'settings', settings: { name: 'Alice', iceServers: [], connectTimeoutMs: 20_000, autoAccept: [CAROL.id] } });
    ws.serverSend({ type: 'signal', from: BOB.id, kind: 'connection_request', session: 'bob-1', payload: { name: 'Bob' }, seq: 1 });
    expect(app.getSnapshot().incoming.map((p) => p.peer.id)).toEqual([BOB.id]);
    ws.serverSend({ type: 'signal', from: CAROL.id, kind: 'connection_request', session: 'carol-1', payload: { name: 'Carol' }, seq: 2 });
    expect(sent('signal').at(-1)).toMatchObject({ to: CAROL.id, kind: 'connection_accept', session: 'carol-1' });
    expect(app.getSnapshot().incoming.map((p) => p.peer.id)).toEqual([BOB.id]);
  });

  it('a request from a peer not listed yet still reaches the person', () => {
    const { app, ws, sent } = setup();
    ws.serverSend({ type: 'signal', from: 'NEWPEER', kind: 'connection_request', session: 'n1', payload: { name: 'Dora' }, seq: 1 });
    expect(app.getSnapshot().incoming[0]?.incoming).toEqual({ session: 'n1', name: 'Dora' });
    expect(sent('get_peers')).toHaveLength(1);
  });

  it('a request answered in another tab is withdrawn from this one', () => {
    const { app, ws } = setup();
    ws.serverSend({ type: 'signal', from: BOB.id, kind: 'connection_request', session: 'b1', payload: { name: 'Bob' }, seq: 1 });
    expect(app.getSnapshot().incoming).toHaveLength(1);
    ws.serverSend({ type: 'session_taken', peer: BOB.id, session: 'b1' });
    expect(app.getSnapshot().incoming).toHaveLength(0);
    expect(app.peer(BOB.id)?.state).toBe('idle');
  });

  it('settings pushed by the daemon change the timeout of new attempts', () => {
    const { app, ws, sent } = setup();
    ws.serverSend({ type: 'settings', settings: { name: 'Alice 2', iceServers: [], connectTimeoutMs: 5_000 } });
    expect(app.getSnapshot().self?.name).toBe('Alice 2');
    app.connect(BOB.id);
    expect(sent('signal')[0]).toMatchObject({ payload: { name: 'Alice 2' }, ttlMs: 5_000 });
    vi.advanceTimersByTime(5_000);
    expect(app.peer(BOB.id)?.state).toBe('failed');
  });

  it('without settings in the welcome it asks GET /api/settings, and copes with an older daemon', async () => {
    const { app, fetcher } = setup({ settings: false });
    await flushMicrotasks(100);
    expect(fetcher).toHaveBeenCalledWith('/api/settings', expect.objectContaining({ method: 'GET' }));
    expect(app.getSnapshot().settingsAvailable).toBe(false);
  });

  it('a daemon that refuses the page\u2019s key is told apart from one that is away, until a welcome', async () => {
    const { app, ws, fetcher } = setup();
    ws.serverClose();
    await flushMicrotasks(100);
    expect(app.getSnapshot().keyRefused).toBe(false); // the API answers 404 here: not a key problem
    fetcher.mockImplementation(async () => new Response(JSON.stringify({ error: 'no key', code: 'unauthorized' }), { status: 401 }));
    vi.advanceTimersByTime(1_000);
    FakeWebSocket.instances.at(-1)!.serverClose();
    await flushMicrotasks(100);
    expect(app.getSnapshot().keyRefused).toBe(true);
    vi.advanceTimersByTime(5_000);
    const ws3 = FakeWebSocket.instances.at(-1)!;
    ws3.serverOpen();
    ws3.serverSend({ type: 'welcome', protocol: 1, self: SELF });
    expect(app.getSnapshot().keyRefused).toBe(false);
  });

  it('after the daemon connection comes back it re-reports sessions still negotiating', () => {
    const { app, ws } = setup();
    app.connect(BOB.id);
    ws.serverClose();
    expect(app.getSnapshot().daemon.state).toBe('reconnecting');
    vi.advanceTimersByTime(1_000);
    const ws2 = FakeWebSocket.instances.at(-1)!;
    expect(ws2).not.toBe(ws);
    ws2.serverOpen();
    ws2.serverSend({ type: 'welcome', protocol: 1, self: SELF });
    expect(ws2.sentMessages()).toContainEqual({ type: 'session', peer: BOB.id, state: 'connecting' });
  });

  it('a forgotten peer disappears; a peer only heard of is not listed', () => {
    const { app, ws } = setup();
    ws.serverSend({ type: 'peers', peers: [CAROL, { ...BOB, id: 'UNVERIFIED', name: 'Mallory', verified: false }] });
    expect(app.getSnapshot().peers.map((p) => p.peer.name)).toEqual(['Carol']);
  });

  it('timings are exposed per peer for the benchmark', () => {
    const { app } = setup();
    app.connect(BOB.id);
    expect(app.timings()[BOB.id]?.clickedAt).toBeTypeOf('number');
    expect(app.timings()[BOB.id]?.openAt).toBeUndefined();
  });
});

describe('AppController and files', () => {
  it('takes the files push, the new settings fields, and keeps file answers out of the notices', () => {
    const { app, ws } = setup();
    ws.serverSend({
      type: 'settings',
      settings: { name: 'Alice', iceServers: [], connectTimeoutMs: 20_000, downloadDir: '/home/a/Downloads/PeerDrop', autoAccept: [BOB.id] },
    });
    ws.serverSend({ type: 'files', files: [{ name: 'photos/a.jpg', size: 3, sha256: 'x', from: BOB.id, receivedAt: 5 }] });
    ws.serverSend({ type: 'file_progress', tid: 'T'.repeat(22), i: 0, received: 1, durable: 1 });
    ws.serverSend({ type: 'error', code: 'unknown_handle', error: 'no such handle', handle: 4 });
    const snap = app.getSnapshot();
    expect(snap.settings?.downloadDir).toBe('/home/a/Downloads/PeerDrop');
    expect(snap.settings?.autoAccept).toEqual([BOB.id]);
    expect(snap.receivedFiles).toEqual([{ name: 'photos/a.jpg', size: 3, sha256: 'x', from: BOB.id, receivedAt: 5 }]);
    expect(snap.notices).toEqual([]);
    expect(snap.transfers).toEqual([]);
    expect(app.transferHooks()).toEqual([]);
  });
});

describe('AppController and the relay', () => {
  it('takes the relay message; a new daemon connection forgets it until the daemon says again', () => {
    const { app, ws } = setup();
    expect(app.getSnapshot().relay).toBeNull(); // an older daemon never says: nothing is shown
    ws.serverSend({ type: 'relay', relay: { enabled: true, state: 'running', port: 3478, addresses: ['198.51.100.12'], restarts: 0 } });
    expect(app.getSnapshot().relay).toEqual({ enabled: true, state: 'running', port: 3478, addresses: ['198.51.100.12'], restarts: 0 });
    ws.serverSend({ type: 'relay', relay: { enabled: true, state: 'restarting', reason: 'exited with code 1 after 0.3 s', restarts: 1 } });
    expect(app.getSnapshot().relay?.state).toBe('restarting');
    ws.serverClose();
    vi.advanceTimersByTime(1_000);
    const ws2 = FakeWebSocket.instances.at(-1)!;
    ws2.serverOpen();
    ws2.serverSend({ type: 'welcome', protocol: 1, self: SELF });
    expect(app.getSnapshot().relay).toBeNull();
  });

  it('the relay setting and the peers\u2019 relays reach the snapshot', () => {
    const { app, ws } = setup();
    ws.serverSend({ type: 'settings', settings: { name: 'Alice', iceServers: [], connectTimeoutMs: 20_000, relay: true } });
    ws.serverSend({ type: 'peers', peers: [{ ...BOB, relay: 'ready' }, CAROL] });
    const snap = app.getSnapshot();
    expect(snap.settings?.relay).toBe(true);
    expect(snap.peers.find((p) => p.peer.id === BOB.id)?.peer.relay).toBe('ready');
    expect(snap.peers.find((p) => p.peer.id === CAROL.id)?.peer.relay).toBeUndefined();
  });

  it('the turn: servers of the ice_servers answer go to the connection; force relay is kept in sessionStorage', async () => {
    const stored = new Map<string, string>();
    const { app, ws, sent, net } = setup({ sessionStorage: stored });
    app.peer(BOB.id)!.setForceRelay(true);
    expect(stored.get(`peerdrop.forceRelay.${BOB.id}`)).toBe('1');
    ws.serverSend({ type: 'signal', from: BOB.id, kind: 'connection_request', session: 'bob-1', payload: { name: 'Bob' }, seq: 1 });
    app.accept(BOB.id);
    const ask = sent('ice_servers')[0]!;
    const relay = { urls: ['turn:198.51.100.12:3478?transport=udp'], username: '1764086400:AAAASELF', credential: 'x' };
    ws.serverSend({ type: 'ice_servers', peer: BOB.id, ref: ask.ref, iceServers: [{ urls: 'stun:198.51.100.2:3001' }, relay] });
    await flushMicrotasks(100);
    expect(net.latest('alice')!.config).toEqual({ iceServers: [{ urls: 'stun:198.51.100.2:3001' }, relay], iceTransportPolicy: 'relay' });
    expect(app.getSnapshot().peers.find((p) => p.peer.id === BOB.id)?.relays).toEqual(['198.51.100.12']);
  });
});

