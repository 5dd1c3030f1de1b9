import { describe, expect, it } from 'vitest';
import type { PeerMessage } from '../../src/daemon/protocol';
import { MessageBook, kMaxKeptPerPeer, messageStateLabel } from '../../src/messages/MessageBook';

const message = (seq: number, over: Partial<PeerMessage> = {}): PeerMessage => ({
  seq,
  id: `id-${seq}`,
  peer: 'P',
  direction: 'out',
  text: `m${seq}`,
  sentAt: 1000 + seq,
  state: 'queued',
  read: true,
  ...over,
});

describe('MessageBook', () => {
  it('keeps each conversation in seq order, a push before the history included', () => {
    const book = new MessageBook();
    book.apply(message(5));
    book.load('P', [message(1), message(3), message(5)]);
    book.apply(message(2, { peer: 'Q' }));
    expect(book.conversation('P').map((m) => m.seq)).toEqual([1, 3, 5]);
    expect(book.conversation('Q').map((m) => m.seq)).toEqual([2]);
    expect(book.conversation('nobody')).toEqual([]);
    book.apply(message(4));
    expect(book.conversation('P').map((m) => m.seq)).toEqual([1, 3, 4, 5]);
  });

  it('a state change replaces the message: Queued, then Delivered', () => {
    const book = new MessageBook();
    book.load('P', [message(1)]);
    expect(messageStateLabel(book.conversation('P')[0]!)).toBe('Queued');
    book.apply(message(1, { state: 'delivered', doneAt: 2000 }));
    expect(book.conversation('P')).toHaveLength(1);
    expect(messageStateLabel(book.conversation('P')[0]!)).toBe('Delivered');
    book.apply(message(1, { state: 'expired' }));
    expect(messageStateLabel(book.conversation('P')[0]!)).toBe('Expired');
    expect(messageStateLabel(message(2, { direction: 'in', state: 'received' }))).toBe('');
  });

  it('knows which conversations it fetched', () => {
    const book = new MessageBook();
    book.apply(message(1));
    expect(book.loaded('P')).toBe(false);
    book.load('P', []);
    expect(book.loaded('P')).toBe(true);
  });

  it('counts unread per peer and marks a conversation read', () => {
    const book = new MessageBook();
    book.load('P', [message(1, { direction: 'in', state: 'received', read: false })]);
    book.setUnread({ P: 1, Q: 4 });
    expect(book.unreadCount('P')).toBe(1);
    book.markRead('P');
    expect(book.unreadCount('P')).toBe(0);
    expect(book.unreadCount('Q')).toBe(4);
    expect(book.conversation('P')[0]!.read).toBe(true);
  });

  it('keeps the newest messages of a conversation only', () => {
    const book = new MessageBook();
    for (let seq = 1; seq <= kMaxKeptPerPeer + 10; seq++) book.apply(message(seq));
    const kept = book.conversation('P');
    expect(kept).toHaveLength(kMaxKeptPerPeer);
    expect(kept[0]!.seq).toBe(11);
  });
});
