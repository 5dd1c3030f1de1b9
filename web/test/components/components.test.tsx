// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '../../src/chat/ChatSession';
import { ChatPanel } from '../../src/components/ChatPanel';
import { ConnectionRequestDialog } from '../../src/components/ConnectionRequestDialog';
import { DaemonStatusBanner } from '../../src/components/DaemonStatusBanner';
import { PeerList } from '../../src/components/PeerList';
import { QualityBadge } from '../../src/components/QualityBadge';
import type { ConnectionStateName } from '../../src/rtc/connectionMachine';
import type { CandidateSide, QualitySample } from '../../src/rtc/quality';
import { peerView as view } from '../support/peerView';

afterEach(cleanup);

const noop = { connect: vi.fn(), disconnect: vi.fn(), retry: vi.fn(), dismiss: vi.fn(), forget: vi.fn(), select: vi.fn(), debug: vi.fn() };

describe('PeerList and PeerCard', () => {
  it('is a list named Peers whose items show the name, how it was found and the state', () => {
    render(<PeerList peers={[view('Bob', 'connected'), view('Carol', 'failed')]} selectedPeerId={null} actions={noop} />);
    const list = screen.getByRole('list', { name: 'Peers' });
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(items[0]!.textContent).toContain('Bob');
    expect(items[0]!.textContent).toContain('Found by broadcast, added by address');
    expect(within(items[0]!).getByText('Connected')).toBeTruthy();
    expect(within(items[1]!).getByText('Failed')).toBeTruthy();
    expect(within(items[1]!).getByText('Carol did not answer the request')).toBeTruthy();
  });

  it('shows exactly the buttons that apply', () => {
    const buttonsFor = (state: ConnectionStateName) => {
      cleanup();
      render(<PeerList peers={[view('Bob', state)]} selectedPeerId={null} actions={noop} />);
      const item = screen.getByRole('listitem');
      return within(item)
        .getAllByRole('button')
        .map((b) => b.textContent)
        .filter((t) => t !== 'Bob');
    };
    expect(buttonsFor('idle')).toEqual(['Connect', 'Forget', 'Debug']);
    expect(buttonsFor('requesting')).toEqual(['Cancel', 'Debug']);
    expect(buttonsFor('incoming')).toEqual(['Connect', 'Debug']);
    expect(buttonsFor('connecting')).toEqual(['Cancel', 'Debug']);
    expect(buttonsFor('connected')).toEqual(['Disconnect', 'Debug']);
    expect(buttonsFor('reconnecting')).toEqual(['Disconnect', 'Debug']);
    expect(buttonsFor('failed')).toEqual(['Retry', 'Dismiss', 'Forget', 'Debug']);
    expect(buttonsFor('declined')).toEqual(['Connect', 'Dismiss', 'Forget', 'Debug']);
  });

  it('buttons send the intent for that peer', () => {
    const actions = { ...noop, connect: vi.fn(), retry: vi.fn() };
    render(<PeerList peers={[view('Bob', 'idle'), view('Carol', 'failed')]} selectedPeerId={null} actions={actions} />);
    fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(actions.connect).toHaveBeenCalledWith('ID-Bob');
    expect(actions.retry).toHaveBeenCalledWith('ID-Carol');
  });
});

describe('ConnectionRequestDialog', () => {
  it('is a modal dialog named after the requester; Enter accepts, Escape declines', () => {
    const onAccept = vi.fn();
    const onDecline = vi.fn();
    render(<ConnectionRequestDialog peerName="Bob" peerId="ZZZZ" onAccept={onAccept} onDecline={onDecline} />);
    const dialog = screen.getByRole('dialog', { name: 'Connection request from Bob' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    const accept = within(dialog).getByRole('button', { name: 'Accept' });
    expect(document.activeElement).toBe(accept);
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(onDecline).toHaveBeenCalledTimes(1);
    fireEvent.keyDown(dialog, { key: 'Enter' });
    expect(onAccept).toHaveBeenCalledTimes(1);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Decline' }));
    expect(onDecline).toHaveBeenCalledTimes(2);
  });
});

describe('ChatPanel', () => {
  const messages: ChatMessage[] = [
    { id: '1', direction: 'out', text: 'hello', sentAt: Date.UTC(2025, 0, 1, 10, 0), status: 'delivered', attempts: 1 },
    { id: '2', direction: 'in', text: 'hi!', sentAt: Date.UTC(2025, 0, 1, 10, 1), status: 'received', attempts: 0 },
    { id: '3', direction: 'out', text: 'lost one', sentAt: Date.UTC(2025, 0, 1, 10, 2), status: 'failed', attempts: 1 },
  ];

  it('a region "Chat with Bob" with a log of messages and their status', () => {
    const onResend = vi.fn();
    render(<ChatPanel peerName="Bob" messages={messages} live onSend={vi.fn()} onResend={onResend} />);
    const region = screen.getByRole('region', { name: 'Chat with Bob' });
    const log = within(region).getByRole('log');
    expect(log.textContent).toContain('hello');
    expect(log.textContent).toContain('Delivered');
    expect(log.textContent).toContain('Not delivered');
    fireEvent.click(within(region).getByRole('button', { name: 'Try again' }));
    expect(onResend).toHaveBeenCalledWith('3');
    // "Send" is unique even with a failed message (no "Resend" button to confuse it).
    expect(within(region).getAllByRole('button', { name: /send/i })).toHaveLength(1);
  });

  it('Enter sends, Shift+Enter does not, the box empties', () => {
    const onSend = vi.fn();
    render(<ChatPanel peerName="Bob" messages={[]} live onSend={onSend} onResend={vi.fn()} />);
    const box = screen.getByRole('textbox', { name: 'Message' });
    fireEvent.change(box, { target: { value: 'first line' } });
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith('first line');
    expect((box as HTMLTextAreaElement).value).toBe('');
    fireEvent.change(box, { target: { value: 'via button' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(onSend).toHaveBeenLastCalledWith('via button');
  });
});

describe('QualityBadge', () => {
  const sample = (local: CandidateSide): QualitySample => ({
    timestamp: 1,
    route: { local, remote: { type: 'host', address: '198.51.100.3', port: 40000, protocol: 'udp' } },
    rttMs: 2.5,
    bytesSent: 0,
    bytesReceived: 0,
    throughputBps: 2048,
    quality: 'good',
  });

  it('names the route so it can be found by its label', () => {
    render(<QualityBadge sample={sample({ type: 'srflx', address: '198.51.100.2', port: 50000, protocol: 'udp' })} />);
    expect(screen.getByLabelText('Route').textContent).toBe('direct (srflx 198.51.100.2:50000 \u2194 host 198.51.100.3:40000)');
    expect(screen.getByRole('status', { name: 'Route' })).toBeTruthy();
    expect(screen.getByText('Good')).toBeTruthy();
    expect(screen.getByText('2.5 ms')).toBeTruthy();
  });

  it('a relayed route says "relay via" the relay, under the label Route and the test id "route"', () => {
    render(<QualityBadge sample={sample({ type: 'relay', address: '198.51.100.12', port: 49170, protocol: 'udp' })} />);
    expect(screen.getByLabelText('Route').textContent).toBe(
      'relay via 198.51.100.12 (relay 198.51.100.12:49170 \u2194 host 198.51.100.3:40000)',
    );
    expect(screen.getByTestId('route')).toBe(screen.getByLabelText('Route'));
  });
});

describe('DaemonStatusBanner', () => {
  it('says when it lost the daemon and when it retries', () => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
    render(<DaemonStatusBanner status={{ state: 'reconnecting', attempt: 3, nextAttemptAt: 1_004_000 }} />);
    expect(screen.getByRole('status').textContent).toBe('Lost contact with PeerDrop on this computer; retrying in 4 s');
    vi.useRealTimers();
  });

  it('says what to do when the daemon refused the page\u2019s key', () => {
    render(<DaemonStatusBanner status={{ state: 'reconnecting', attempt: 1, nextAttemptAt: 0 }} keyRefused />);
    const alert = screen.getByRole('alert').textContent ?? '';
    expect(alert).toContain('does not know this page\u2019s key');
    expect(alert).toContain('#token=');
    expect(alert).toContain('peerdrop open');
  });

  it('says nothing while connected', () => {
    const { container } = render(<DaemonStatusBanner status={{ state: 'connected' }} />);
    expect(container.textContent).toBe('');
  });
});
