// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppController } from '../../src/app/AppController';
import { App } from '../../src/components/App';
import { DaemonApi } from '../../src/daemon/api';
import { DaemonSocket } from '../../src/daemon/DaemonSocket';
import { FakeRtcNetwork } from '../support/fakeRtc';
import { FakeWebSocket, fakeSocketFactory } from '../support/fakeSocket';

afterEach(cleanup);

const SELF = { id: 'AAAASELF', name: 'Alice', version: '0.1.0', port: 3001, discoveryPort: 3001 };
const BOB = { id: 'ZZZZBOB', name: 'Bob', addresses: ['198.51.100.3:3001'], online: true, sources: ['broadcast'], lastSeen: 1, lastConnected: 0, verified: true, outdated: false, firstSeen: 0, confirmed: false };
const CAROL = { ...BOB, id: 'MMMMCAROL', name: 'Carol', relay: 'ready' };

function setup() {
  const socket = new DaemonSocket({ url: 'ws://127.0.0.1:3001/ws', createSocket: fakeSocketFactory() });
  const fetcher = vi.fn(async () => new Response('[]', { status: 200 }));
  const app = new AppController({ socket, api: new DaemonApi(fetcher), createPeerConnection: new FakeRtcNetwork().factory('alice') });
  app.start();
  const ws = FakeWebSocket.instances.at(-1)!;
  act(() => {
    ws.serverOpen();
    ws.serverSend({ type: 'welcome', protocol: 1, self: SELF, settings: { name: 'Alice', iceServers: [], connectTimeoutMs: 20_000, relay: true } });
    ws.serverSend({ type: 'peers', peers: [BOB, CAROL] });
    ws.serverSend({ type: 'relay', relay: { enabled: true, state: 'running', port: 3478, addresses: ['198.51.100.12'], restarts: 0 } });
  });
  render(<App controller={app} />);
  return { app, ws };
}

describe('App: the relay', () => {
  it('shows this computer\u2019s relay and which peers offer one', () => {
    const { app } = setup();
    expect(screen.getByRole('status', { name: 'Relay status' }).textContent).toMatch(/^Relay: on, 198\.51\.100\.12:3478 /);
    const carol = within(screen.getByRole('list', { name: 'Peers' })).getAllByRole('listitem').find((li) => li.textContent?.includes('Carol'))!;
    expect(within(carol).getByTestId('peer-relay').textContent).toBe('relay');
    app.stop();
  });

  it('Debug in a peer\u2019s item shows it with the debug panel open; Force relay reaches its controller', () => {
    const { app } = setup();
    const bob = within(screen.getByRole('list', { name: 'Peers' })).getAllByRole('listitem').find((li) => li.textContent?.includes('Bob'))!;
    fireEvent.click(within(bob).getByRole('button', { name: 'Debug' }));
    const detail = screen.getByRole('region', { name: 'Bob' });
    expect(detail.querySelector('details')!.open).toBe(true);
    fireEvent.click(within(detail).getByRole('checkbox', { name: /Force relay/ }));
    expect(app.peer(BOB.id)!.view().forceRelay).toBe(true);
    expect((within(detail).getByRole('checkbox', { name: /Force relay/ }) as HTMLInputElement).checked).toBe(true);
    // Debug again closes it.
    fireEvent.click(within(bob).getByRole('button', { name: 'Debug' }));
    expect(detail.querySelector('details')!.open).toBe(false);
    app.stop();
  });

  it('Settings has the relay switch, checked as the daemon says', () => {
    const { app } = setup();
    fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    expect((screen.getByRole('checkbox', { name: 'Run a relay on this computer' }) as HTMLInputElement).checked).toBe(true);
    app.stop();
  });
});

describe('App: verifying a peer', () => {
  it('the selected peer shows its code; "Mark as verified" asks the daemon and its card then says Verified', async () => {
    const socket = new DaemonSocket({ url: 'ws://127.0.0.1:3001/ws', createSocket: fakeSocketFactory() });
    const bob = { ...BOB, verificationCode: '054631' };
    const requests: { url: string; method: string; body: unknown }[] = [];
    const fetcher = vi.fn(async (url: string, init?: RequestInit) => {
      const body = init?.body ? (JSON.parse(String(init.body)) as { confirmed?: boolean }) : undefined;
      requests.push({ url, method: init?.method ?? 'GET', body });
      if (init?.method === 'PUT' && url === `/api/peers/${bob.id}`) {
        return new Response(JSON.stringify({ ...bob, confirmed: body?.confirmed === true }), { status: 200 });
      }
      return new Response('[]', { status: 200 });
    });
    const app = new AppController({ socket, api: new DaemonApi(fetcher), createPeerConnection: new FakeRtcNetwork().factory('alice') });
    app.start();
    const ws = FakeWebSocket.instances.at(-1)!;
    act(() => {
      ws.serverOpen();
      ws.serverSend({ type: 'welcome', protocol: 1, self: SELF, settings: { name: 'Alice', iceServers: [], connectTimeoutMs: 20_000 } });
      ws.serverSend({ type: 'peers', peers: [bob] });
    });
    render(<App controller={app} />);
    const card = () => within(screen.getByRole('list', { name: 'Peers' })).getAllByRole('listitem').find((li) => li.textContent?.includes('Bob'))!;
    fireEvent.click(within(card()).getByRole('button', { name: 'Show Bob' }));
    const panel = screen.getByRole('region', { name: 'Verify Bob' });
    expect(within(panel).getByLabelText('Verification code').textContent).toBe('054 631');
    expect(panel.textContent).toContain('select \u201cAlice\u201d there');
    await act(async () => {
      fireEvent.click(within(panel).getByRole('button', { name: 'Mark as verified' }));
    });
    expect(requests.filter((r) => r.method === 'PUT')).toEqual([{ url: `/api/peers/${bob.id}`, method: 'PUT', body: { confirmed: true } }]);
    expect(within(card()).getByText('Verified \u2713')).toBeTruthy();
    expect(within(screen.getByRole('region', { name: 'Verify Bob' })).getByRole('button', { name: 'Remove verification' })).toBeTruthy();
    app.stop();
  });
});
