// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DebugPanel } from '../../src/components/DebugPanel';
import { PeerList } from '../../src/components/PeerList';
import { SelfCard } from '../../src/components/SelfCard';
import { SettingsPanel } from '../../src/components/SettingsPanel';
import type { Peer, Settings } from '../../src/daemon/protocol';
import { describeConnection } from '../../src/rtc/connectionView';
import { noRouteText } from '../../src/rtc/connectionMachine';
import type { PeerView } from '../../src/peer/PeerController';
import { peerView } from '../support/peerView';

afterEach(cleanup);

const SELF = { id: 'AAAASELFID0123456789', name: 'Alice', version: '0.1.0', port: 3001, discoveryPort: 3001 };

/** Bob, idle, with `extra` and changes to his peer record. */
function view(extra: Partial<PeerView> = {}, peer: Partial<Peer> = {}): PeerView {
  const base = peerView('Bob', 'idle', extra);
  return { ...base, peer: { ...base.peer, ...peer } };
}

const actions = () => ({ connect: vi.fn(), disconnect: vi.fn(), retry: vi.fn(), dismiss: vi.fn(), forget: vi.fn(), select: vi.fn(), debug: vi.fn() });

describe('SelfCard: the relay', () => {
  it('says where the relay runs, in a status named "Relay status"', () => {
    render(
      <SelfCard
        self={SELF}
        relay={{ enabled: true, state: 'running', port: 3478, addresses: ['198.51.100.12'], restarts: 0 }}
        canRename
        onRename={vi.fn()}
      />,
    );
    const status = screen.getByRole('status', { name: 'Relay status' });
    expect(status.textContent).toBe('Relay: on, 198.51.100.12:3478 \u2014 computers you trust can connect with this one through it');
    expect(screen.getByTestId('relay-status')).toBe(status);
  });

  it('shows a relay that could not start as a problem, and nothing for a daemon that never said', () => {
    render(
      <SelfCard
        self={SELF}
        relay={{ enabled: true, state: 'failed', port: 3478, addresses: [], restarts: 3, reason: 'turnserver was not found' }}
        canRename
        onRename={vi.fn()}
      />,
    );
    const status = screen.getByRole('status', { name: 'Relay status' });
    expect(status.textContent).toMatch(/^Relay: could not start: turnserver was not found\. /);
    expect(status.className).toContain('error');
    cleanup();
    render(<SelfCard self={SELF} relay={null} canRename onRename={vi.fn()} />);
    expect(screen.queryByRole('status', { name: 'Relay status' })).toBeNull();
    expect(screen.queryByText(/Relay:/)).toBeNull();
  });
});

describe('PeerCard: the relay mark, the Debug button and "No route"', () => {
  it('marks a peer that offers a relay, with a title that explains it', () => {
    render(
      <PeerList
        peers={[view({}, { relay: 'offered', name: 'Carol', id: 'ID-Carol' }), view()]}
        selectedPeerId={null}
        actions={actions()}
      />,
    );
    const [carol, bob] = screen.getAllByRole('listitem');
    const mark = within(carol!).getByText('relay');
    expect(mark.getAttribute('title')).toBe(
      'Carol\u2019s computer runs a relay: a connection with Carol can go through it',
    );
    expect(within(bob!).queryByTestId('peer-relay')).toBeNull();
  });

  it('Debug opens that peer\u2019s debug panel', () => {
    const a = actions();
    render(<PeerList peers={[view()]} selectedPeerId="ID-Bob" actions={a} debugPeerId="ID-Bob" />);
    const debug = screen.getByRole('button', { name: 'Debug' });
    expect(debug.getAttribute('aria-expanded')).toBe('true');
    fireEvent.click(debug);
    expect(a.debug).toHaveBeenCalledWith('ID-Bob');
  });

  it('shows the no-route failure with its suggestion in the peer\u2019s item', () => {
    const text = noRouteText('Bob', { relays: [], forceRelay: false });
    const failed = view({
      connection: describeConnection('failed', { peerName: 'Bob', failure: { code: 'ice_failed', text }, ended: null, notice: null }),
    });
    render(<PeerList peers={[failed]} selectedPeerId={null} actions={actions()} />);
    const alert = within(screen.getByRole('listitem')).getByRole('alert');
    expect(alert.textContent).toBe(text);
    expect(alert.textContent).toMatch(/^No route to Bob: .*no relay is available\. Turn on the relay/);
  });
});

describe('DebugPanel: Force relay', () => {
  it('is a checkbox named "Force relay (troubleshooting)" that sends the intent', () => {
    const onForceRelay = vi.fn();
    render(<DebugPanel view={view({ relays: ['198.51.100.12'] })} debugText={() => ''} onForceRelay={onForceRelay} open />);
    const box = screen.getByRole('checkbox', { name: 'Force relay (troubleshooting)' }) as HTMLInputElement;
    expect(box.checked).toBe(false);
    fireEvent.click(box);
    expect(onForceRelay).toHaveBeenCalledWith(true);
    expect(screen.getByText(/Relays of this connection: 198\.51\.100\.12\./)).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('on, with no relay in this connection\u2019s servers: says it cannot work', () => {
    render(<DebugPanel view={view({ forceRelay: true, relays: [] })} debugText={() => ''} onForceRelay={vi.fn()} open />);
    expect((screen.getByRole('checkbox', { name: /Force relay/ }) as HTMLInputElement).checked).toBe(true);
    expect(screen.getByRole('alert').textContent).toMatch(/^Force relay is on, but no relay is available for Bob/);
  });

  it('turned on during a connection made without it: says the connection keeps its route until a reconnect', () => {
    const { rerender } = render(
      <DebugPanel view={view({ forceRelay: true, relays: ['198.51.100.12'] })} debugText={() => ''} onForceRelay={vi.fn()} open />,
    );
    expect(screen.queryByRole('status')).toBeNull();
    rerender(
      <DebugPanel
        view={view({ forceRelay: true, forceRelayPending: true, relays: ['198.51.100.12'] })}
        debugText={() => ''}
        onForceRelay={vi.fn()}
        open
      />,
    );
    expect(screen.getByRole('status').textContent).toBe(
      'This connection keeps its route: disconnect and connect again to use only a relay.',
    );
  });

  it('open follows the page, and a click on its summary tells the page', () => {
    const onToggle = vi.fn();
    const { container, rerender } = render(
      <DebugPanel view={view()} debugText={() => ''} onForceRelay={vi.fn()} open={false} onToggle={onToggle} />,
    );
    const details = container.querySelector('details')!;
    expect(details.open).toBe(false);
    rerender(<DebugPanel view={view()} debugText={() => ''} onForceRelay={vi.fn()} open onToggle={onToggle} />);
    expect(details.open).toBe(true);
    details.open = false;
    fireEvent(details, new Event('toggle'));
    expect(onToggle).toHaveBeenLastCalledWith(false);
  });
});

describe('SettingsPanel: the relay switch and shared secrets', () => {
  const base: Settings = { name: 'Alice', iceServers: [], connectTimeoutMs: 30_000 };
  const saved = () => vi.fn(async (_settings: Settings) => ({ errors: {}, message: null }));

  it('"Run a relay on this computer" is a checkbox with a line on when it helps; saving sends relay', async () => {
    const onSave = saved();
    render(<SettingsPanel settings={{ ...base, relay: false }} available onSave={onSave} onClose={vi.fn()} />);
    const box = screen.getByRole('checkbox', { name: 'Run a relay on this computer' }) as HTMLInputElement;
    expect(box.checked).toBe(false);
    expect(document.getElementById(box.getAttribute('aria-describedby')!)!.textContent).toMatch(
      /When a firewall blocks WebRTC between this computer and another, connections between the two go through it, for computers you trust here/,
    );
    fireEvent.click(box);
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await vi.waitFor(() => expect(onSave).toHaveBeenCalled());
    expect(onSave.mock.calls[0]![0]).toEqual({ ...base, relay: true });
  });

  it('no switch for a daemon without the setting', () => {
    render(<SettingsPanel settings={base} available onSave={saved()} onClose={vi.fn()} />);
    expect(screen.queryByRole('checkbox', { name: /Run a relay/ })).toBeNull();
  });

  it('a stored secret: a password field that says it is kept when left empty; saving keeps it', async () => {
    const onSave = saved();
    const settings = { ...base, iceServers: [{ urls: ['turn:198.51.100.9:3478'], secretSet: true }] };
    render(<SettingsPanel settings={settings} available onSave={onSave} onClose={vi.fn()} />);
    const row = screen.getByRole('group', { name: 'ICE server 1' });
    expect((within(row).getByRole('combobox', { name: 'Sign-in of ICE server 1' }) as HTMLSelectElement).value).toBe('secret');
    const secret = within(row).getByLabelText('Shared secret of ICE server 1') as HTMLInputElement;
    expect(secret.type).toBe('password');
    expect(secret.value).toBe('');
    expect(within(row).getByText('Secret stored \u2014 leave empty to keep it.')).toBeTruthy();
    expect(within(row).queryByLabelText('Username of ICE server 1')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await vi.waitFor(() => expect(onSave).toHaveBeenCalled());
    expect(onSave.mock.calls[0]![0].iceServers).toEqual([{ urls: ['turn:198.51.100.9:3478'], secretSet: true }]);
  });

  it('a new server with a shared secret; a secret for a STUN URL is refused with a clear message', async () => {
    const onSave = saved();
    render(<SettingsPanel settings={base} available onSave={onSave} onClose={vi.fn()} />);
    fireEvent.click(screen.getByRole('button', { name: 'Add ICE server' }));
    fireEvent.change(screen.getByLabelText('URLs of ICE server 1'), { target: { value: 'stun:198.51.100.9:3478' } });
    fireEvent.change(screen.getByLabelText('Sign-in of ICE server 1'), { target: { value: 'secret' } });
    fireEvent.change(screen.getByLabelText('Shared secret of ICE server 1'), { target: { value: 'hunter2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(screen.getByText('Server 1: a shared secret is only for TURN servers (turn: or turns: URLs), not "stun:198.51.100.9:3478".')).toBeTruthy();
    expect(onSave).not.toHaveBeenCalled();
    fireEvent.change(screen.getByLabelText('URLs of ICE server 1'), { target: { value: 'turn:198.51.100.9:3478' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await vi.waitFor(() => expect(onSave).toHaveBeenCalled());
    expect(onSave.mock.calls[0]![0].iceServers).toEqual([{ urls: ['turn:198.51.100.9:3478'], secret: 'hunter2' }]);
    // After saving, the form holds no secret text, only that one is stored.
    await vi.waitFor(() => expect((screen.getByLabelText('Shared secret of ICE server 1') as HTMLInputElement).value).toBe(''));
    expect(screen.getByText('Secret stored \u2014 leave empty to keep it.')).toBeTruthy();
  });

  it('switching a server back to username and password drops its secret', async () => {
    const onSave = saved();
    const settings = { ...base, iceServers: [{ urls: ['turn:198.51.100.9:3478'], secretSet: true }] };
    render(<SettingsPanel settings={settings} available onSave={onSave} onClose={vi.fn()} />);
    fireEvent.change(screen.getByLabelText('Sign-in of ICE server 1'), { target: { value: 'password' } });
    fireEvent.change(screen.getByLabelText('Username of ICE server 1'), { target: { value: 'u' } });
    fireEvent.change(screen.getByLabelText('Credential of ICE server 1'), { target: { value: 'p' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await vi.waitFor(() => expect(onSave).toHaveBeenCalled());
    expect(onSave.mock.calls[0]![0].iceServers).toEqual([{ urls: ['turn:198.51.100.9:3478'], username: 'u', credential: 'p' }]);
  });
});
