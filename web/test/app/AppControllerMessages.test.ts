import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppController } from '../../src/app/AppController';
import { DaemonApi } from '../../src/daemon/api';
import { DaemonSocket } from '../../src/daemon/DaemonSocket';
import { FakeRtcNetwork } from '../support/fakeRtc';
import { FakeWebSocket, fakeSocketFactory } from '../support/fakeSocket';

const SELF = { id: 'AAAASELF', name: 'Alice', version: '0.1.0', port: 3001, discoveryPort: 3001 };
const BOB = { id: 'ZZZZBOB', name: 'Bob', addresses: [], online: false, sources: ['persisted'], lastSeen: 1, lastConnected: 0, verified: true, outdated: false, firstSeen: 0, confirmed: false };
const wire = (seq: number, over: Record<string, unknown> = {}) => ({
  seq, id: `id${seq}`, peer: BOB.id, direction: 'out', text: `m${seq}`, sentAt: 1000, state: 'queued', read: true, ...over,
});

function setup() {
  const socket = new DaemonSocket({ url: 'ws://127.0.0.1:3001/ws', createSocket: fakeSocketFactory() });
  const calls: { path: string; init?: RequestInit }[] = [];
  const fetcher = vi.fn(async (path: string, init?: RequestInit) => {
    calls.push({ path, ...(init ? { init } : {}) });
    if (path.startsWith('/api/messages?peer=')) {
      return new Response(JSON.stringify({ messages: [wire(1, { state: 'delivered' }), wire(2, { direction: 'in', state: 'received', read: false })] }));
    }
    if (path === '/api/messages') return new Response(JSON.stringify(wire(3)), { status: 201 });
    if (path === '/api/messages/read') return new Response(JSON.stringify({ read: 1 }));
    return new Response(JSON.stringify({ error: 'no such endpoint', code: 'not_found' }), { status: 404 });
  });
  const app = new AppController({ socket, api: new DaemonApi(fetcher), createPeerConnection: new FakeRtcNetwork().factory('alice') });
  app.start();
  const ws = FakeWebSocket.instances.at(-1)!;
  ws.serverOpen();
  ws.serverSend({ type: 'welcome', protocol: 1, self: SELF, settings: { name: 'Alice', iceServers: [], connectTimeoutMs: 20_000 } });
  ws.serverSend({ type: 'peers', peers: [BOB] });
  return { app, ws, calls };
}

afterEach(() => app?.stop());
let app: AppController | undefined;

describe('AppController and messages daemon to daemon', () => {
  it('greets with unread counts, fetches a conversation when opened and marks it read', async () => {
    const s = setup();
    app = s.app;
    s.ws.serverSend({ type: 'unread_messages', unread: { [BOB.id]: 1 } });
    expect(app.getSnapshot().unreadMessages).toEqual({ [BOB.id]: 1 });
    await app.openConversation(BOB.id);
    expect(app.getSnapshot().conversations[BOB.id]!.map((m) => m.seq)).toEqual([1, 2]);
    expect(app.getSnapshot().unreadMessages).toEqual({});
    expect(s.calls.some((c) => c.path === '/api/messages/read' && c.init?.body === JSON.stringify({ peer: BOB.id }))).toBe(true);
  });

  it('sends through the API, and the pushes move a message from Queued to Delivered', async () => {
    const s = setup();
    app = s.app;
    await app.sendMessage(BOB.id, 'm3');
    expect(app.getSnapshot().conversations[BOB.id]!.at(-1)).toMatchObject({ seq: 3, state: 'queued' });
    s.ws.serverSend({ type: 'message', message: wire(3, { state: 'delivered', deliveredAt: 2000 }) });
    expect(app.getSnapshot().conversations[BOB.id]!.at(-1)).toMatchObject({ seq: 3, state: 'delivered', doneAt: 2000 });
  });

  it('a message from the peer whose conversation is open is read as it arrives', async () => {
    const s = setup();
    app = s.app;
    app.select(BOB.id);
    await app.openConversation(BOB.id);
    const before = s.calls.filter((c) => c.path === '/api/messages/read').length;
    s.ws.serverSend({ type: 'message', message: wire(9, { direction: 'in', state: 'received', read: false }) });
    expect(app.getSnapshot().conversations[BOB.id]!.at(-1)).toMatchObject({ seq: 9, read: true });
    expect(s.calls.filter((c) => c.path === '/api/messages/read').length).toBe(before + 1);
  });
});
