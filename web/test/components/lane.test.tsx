// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppController } from '../../src/app/AppController';
import { App } from '../../src/components/App';
import { DaemonApi } from '../../src/daemon/api';
import { DaemonSocket } from '../../src/daemon/DaemonSocket';
import type { LaneOffer } from '../../src/daemon/laneProtocol';
import { StorageLaneResumeStore } from '../../src/lane/laneResumeStore';
import { FakeRtcNetwork } from '../support/fakeRtc';
import { FakeWebSocket, fakeSocketFactory } from '../support/fakeSocket';
import { FakeLaneDaemon, laneTransfer, pickedFile, wireTransfer } from '../support/fakeLane';
import { MemoryStorage } from '../support/fakeTransfer';

afterEach(cleanup);

const SELF = { id: 'AAAASELF', name: 'Carol', version: '0.1.0', port: 3001, discoveryPort: 3001 };
const BOB = { id: 'BOBID', name: 'bob', addresses: ['198.51.100.3:3001'], online: true, sources: ['broadcast'], lastSeen: 1, lastConnected: 0, verified: true, outdated: false, firstSeen: 0, confirmed: false };
const ALICE = { ...BOB, id: 'ALICEID', name: 'alice' };

function setup() {
  const socket = new DaemonSocket({ url: 'ws://127.0.0.1:3001/ws', createSocket: fakeSocketFactory() });
  const settingsPuts: unknown[] = [];
  const fetcher = vi.fn(async (url: string, init?: RequestInit) => {
    if (url === '/api/settings' && init?.method === 'PUT') {
      const body = JSON.parse(String(init.body)) as Record<string, unknown>;
      settingsPuts.push(body);
      return new Response(JSON.stringify({ name: 'Carol', iceServers: [], connectTimeoutMs: 20_000, ...body }), { status: 200 });
    }
    return new Response('[]', { status: 200 });
  });
  const daemon = new FakeLaneDaemon();
  const rtc = new FakeRtcNetwork();
  const app = new AppController({
    socket,
    api: new DaemonApi(fetcher),
    createPeerConnection: rtc.factory('carol'),
    laneApi: daemon,
    laneStore: new StorageLaneResumeStore(new MemoryStorage()),
  });
  app.start();
  const ws = FakeWebSocket.instances.at(-1)!;
  act(() => {
    ws.serverOpen();
    ws.serverSend({ type: 'welcome', protocol: 1, self: SELF, settings: { name: 'Carol', iceServers: [], connectTimeoutMs: 20_000, autoAccept: [] } });
    ws.serverSend({ type: 'peers', peers: [BOB, ALICE] });
  });
  render(<App controller={app} />);
  return { app, ws, daemon, settingsPuts };
}

function card(name: string): HTMLElement {
  return within(screen.getByRole('list', { name: 'Peers' }))
    .getAllByRole('listitem')
    .find((li) => li.querySelector('.peer-name')?.textContent?.includes(name))!;
}

const offer = (tid: string, createdAt: number, fileCount = 3): LaneOffer => ({
  ...laneTransfer({ tid, direction: 'incoming', state: 'offered', peer: 'ALICEID', peerName: 'alice', fileCount, totalBytes: 50 * 1024 * 1024, createdAt }),
  files: [
    { path: 'trip/a.jpg', size: 20 * 1024 * 1024 },
    { path: 'trip/b.jpg', size: 20 * 1024 * 1024 },
  ],
});

function pushTransfers(ws: FakeWebSocket, transfers: unknown[], offers: unknown[] = []) {
  act(() => ws.serverSend({ type: 'transfers', transfers, offers }));
}

describe('App: files daemon to daemon (the lane)', () => {
  it('files dropped on a peer card go over the lane: no Connect, no WebRTC; the detail shows the transfer', async () => {
    const { app, ws, daemon } = setup();
    const bob = card('bob');
    expect(within(bob).getByRole('button', { name: 'Connect' })).toBeTruthy();
    const files = [pickedFile('notes.txt', 12).file];
    await act(async () => {
      fireEvent.drop(bob, { dataTransfer: { types: ['Files'], files, items: [] } });
      await vi.waitFor(() => expect(daemon.calls[0]).toBe('POST /api/transfers BOBID 1'));
    });
    await vi.waitFor(() => expect(daemon.held('t1')).toEqual([12]));
    // Nothing went the WebRTC way: no connection request signal.
    expect(ws.sentMessages().filter((m) => m.type === 'signal')).toEqual([]);
    expect(app.peer('BOBID')!.view().connection.state).toBe('idle');
    pushTransfers(ws, [wireTransfer(laneTransfer({ tid: 't1', state: 'offered', totalBytes: 12, source: 'page' }))]);
    const detail = screen.getByRole('region', { name: 'bob' });
    const row = within(detail).getByRole('article', { name: 'To bob: notes.txt' });
    expect(within(row).getByRole('status').textContent).toBe('Waiting for bob to accept');
    pushTransfers(ws, [wireTransfer(laneTransfer({ tid: 't1', state: 'accepted', totalBytes: 12, doneBytes: 6, source: 'page' }))]);
    expect(within(row).getByRole('status').textContent).toBe('Sending\u2026 50 %');
    expect((within(row).getByRole('progressbar', { name: 'Total progress' }) as HTMLProgressElement).value).toBe(50);
    // Cancel while not final: DELETE.
    fireEvent.click(within(row).getByRole('button', { name: 'Cancel transfer' }));
    await vi.waitFor(() => expect(daemon.calls).toContain('DELETE /api/transfers/t1'));
    pushTransfers(ws, [wireTransfer(laneTransfer({ tid: 't1', state: 'declined', totalBytes: 12, source: 'page' }))]);
    expect(within(row).getByRole('status').textContent).toBe('Declined by bob');
    expect(within(row).queryByRole('button', { name: 'Cancel transfer' })).toBeNull();
    app.stop();
  });

  it('"Send files\u2026" on the card picks files and sends them over the lane', async () => {
    const { app, daemon } = setup();
    const input = within(card('bob')).getByLabelText('Files to send to bob') as HTMLInputElement;
    await act(async () => {
      fireEvent.change(input, { target: { files: [pickedFile('a.bin', 3).file, pickedFile('b.bin', 4).file] } });
      await vi.waitFor(() => expect(daemon.calls[0]).toBe('POST /api/transfers BOBID 2'));
    });
    app.stop();
  });

  it('the detail\u2019s drop zone works without Connect (the lane)', async () => {
    const { app, daemon } = setup();
    fireEvent.click(within(card('bob')).getByRole('button', { name: 'Show bob' }));
    const zone = screen.getByRole('group', { name: 'Send files to bob' });
    expect(zone.textContent).toContain('Drop files or folders here to send them to bob.');
    await act(async () => {
      fireEvent.drop(zone, { dataTransfer: { files: [pickedFile('x.txt', 1).file], items: [] } });
      await vi.waitFor(() => expect(daemon.calls[0]).toBe('POST /api/transfers BOBID 1'));
    });
    app.stop();
  });

  it('an offer waiting here shows one dialog per offer; Accept with "always" answers via the tab and saves the trust setting', async () => {
    const { app, ws, daemon, settingsPuts } = setup();
    pushTransfers(ws, [wireTransfer(offer('o1', 10)), wireTransfer(offer('o2', 20, 1))], [wireTransfer(offer('o1', 10)), wireTransfer(offer('o2', 20, 1))]);
    const dialog = screen.getByRole('dialog', { name: 'Files from alice' });
    expect(dialog.textContent).toContain('alice wants to send you 3 files (50 MB in all)');
    expect(within(dialog).getByRole('list', { name: 'Offered files' }).textContent).toContain('a.jpg');
    expect(dialog.textContent).toContain('and 1 more');
    fireEvent.click(within(dialog).getByRole('checkbox', { name: 'Always accept connections and files from alice' }));
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Accept' }));
      await vi.waitFor(() => expect(daemon.calls).toContain('POST /api/offers/o1/accept'));
    });
    await vi.waitFor(() => expect(settingsPuts).toEqual([{ autoAccept: ['ALICEID'] }]));
    // The next offer's dialog follows at once.
    expect(screen.getByRole('dialog', { name: 'Files from alice' }).textContent).toContain('1 file');
    app.stop();
  });

  it('an offer answered elsewhere (the push no longer lists it) leaves the dialog; an offer gone when answered here says so calmly', async () => {
    const { app, ws, daemon } = setup();
    pushTransfers(ws, [wireTransfer(offer('o1', 10))], [wireTransfer(offer('o1', 10))]);
    expect(screen.getByRole('dialog', { name: 'Files from alice' })).toBeTruthy();
    pushTransfers(ws, [wireTransfer({ ...offer('o1', 10), state: 'accepted', answeredBy: 'command line' })], []);
    expect(screen.queryByRole('dialog')).toBeNull();

    pushTransfers(ws, [wireTransfer(offer('o2', 20))], [wireTransfer(offer('o2', 20))]);
    daemon.answerResult = 'gone';
    await act(async () => {
      fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Decline' }));
      await vi.waitFor(() => expect(daemon.calls).toContain('POST /api/offers/o2/decline'));
    });
    expect(screen.queryByRole('dialog')).toBeNull();
    await vi.waitFor(() => expect(screen.getByText('The offer from alice no longer waits: it was answered elsewhere or it expired.')).toBeTruthy());
    app.stop();
  });

  it('the detail\u2019s drop zone keeps the WebRTC path while a browser-to-browser connection is live', async () => {
    const { app, daemon } = setup();
    const peer = app.peer('BOBID')!;
    const real = peer.view();
    vi.spyOn(peer, 'view').mockReturnValue({ ...real, connection: { ...real.connection, live: true } });
    const webrtc = vi.spyOn(app, 'sendFiles').mockReturnValue('w1');
    const picked = [pickedFile('x.txt', 1)];
    app.sendFromDetail('BOBID', picked);
    expect(webrtc).toHaveBeenCalledWith('BOBID', picked);
    await Promise.resolve();
    expect(daemon.calls).toEqual([]);
    app.stop();
  });

  it('malformed pushes change nothing and break nothing', () => {
    const { app, ws } = setup();
    act(() => {
      ws.serverSend('{"type":"transfers","transfers":7}');
      ws.serverSend({ type: 'transfers', transfers: [{ tid: '<img>', state: 'done' }, null, 5], offers: [{ tid: 'x' }] });
    });
    expect(app.getSnapshot().transfers).toEqual([]);
    expect(app.getSnapshot().fileOffers).toEqual([]);
    expect(screen.queryByRole('dialog')).toBeNull();
    app.stop();
  });
});
