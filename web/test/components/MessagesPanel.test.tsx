// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MessagesPanel } from '../../src/components/MessagesPanel';
import type { PeerMessage } from '../../src/daemon/protocol';

afterEach(cleanup);

const at = Date.UTC(2025, 0, 1, 10, 0);
const messages: PeerMessage[] = [
  { seq: 1, id: 'a', peer: 'P', direction: 'out', text: 'waiting one', sentAt: at, state: 'queued', read: true },
  { seq: 2, id: 'b', peer: 'P', direction: 'out', text: 'arrived one', sentAt: at, state: 'delivered', read: true },
  { seq: 3, id: 'c', peer: 'P', direction: 'out', text: 'too late', sentAt: at, state: 'expired', read: true },
  { seq: 4, id: 'd', peer: 'P', direction: 'in', text: 'hi back', sentAt: at, state: 'received', read: false },
];

describe('MessagesPanel', () => {
  it('shows the history with Queued, Delivered and Expired on ours', () => {
    render(<MessagesPanel peerName="Bob" messages={messages} onSend={vi.fn()} />);
    const region = screen.getByRole('region', { name: "Messages with Bob's computer" });
    const bubbles = within(region).getByRole('log').children;
    expect(bubbles).toHaveLength(4);
    expect(bubbles[0]!.textContent).toContain('Queued');
    expect(bubbles[1]!.textContent).toContain('Delivered');
    expect(bubbles[2]!.textContent).toContain('Expired');
    expect(bubbles[3]!.textContent).toContain('hi back');
    expect(bubbles[3]!.textContent).not.toMatch(/Queued|Delivered|Expired/);
  });

  it('says the peer gets messages with PeerDrop closed when there are none', () => {
    render(<MessagesPanel peerName="Bob" messages={[]} onSend={vi.fn()} />);
    expect(screen.getByRole('log').textContent).toContain('Bob gets yours even with PeerDrop closed there');
  });

  it('Enter sends and empties the box; a refusal stays with the text', async () => {
    const onSend = vi.fn(async (text: string) => (text === 'bad' ? 'Not sent: this peer is not known' : null));
    render(<MessagesPanel peerName="Bob" messages={[]} onSend={onSend} />);
    const box = screen.getByRole('textbox', { name: 'Message to send' }) as HTMLTextAreaElement;
    fireEvent.change(box, { target: { value: 'hello' } });
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() => expect(box.value).toBe(''));
    expect(onSend).toHaveBeenCalledWith('hello');
    fireEvent.change(box, { target: { value: 'bad' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(await screen.findByRole('alert')).toHaveProperty('textContent', 'Not sent: this peer is not known');
    expect(box.value).toBe('bad');
  });
});

describe('PeerList with unread messages', () => {
  it('a peer card says how many messages from it are unread', async () => {
    const { PeerList } = await import('../../src/components/PeerList');
    const { peerView } = await import('../support/peerView');
    const bob = peerView('Bob', 'idle');
    const carol = peerView('Carol', 'idle');
    const actions = { connect: vi.fn(), disconnect: vi.fn(), retry: vi.fn(), dismiss: vi.fn(), forget: vi.fn(), select: vi.fn(), debug: vi.fn() };
    render(<PeerList peers={[bob, carol]} selectedPeerId={null} actions={actions} unreadMessages={{ [bob.peer.id]: 3 }} />);
    const items = within(screen.getByRole('list', { name: 'Peers' })).getAllByRole('listitem');
    expect(items[0]!.textContent).toContain('3 new messages');
    expect(items[1]!.textContent).not.toContain('new message');
  });
});
