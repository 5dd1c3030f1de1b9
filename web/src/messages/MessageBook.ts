// Messages daemon to daemon as this page knows them: each peer's conversation
// (what GET /api/messages answered and the `message` pushes since) and the
// unread counts (`unread_messages`). Plain data, no I/O: AppController fetches
// and feeds it.

import type { PeerMessage } from '../daemon/protocol';

/** At most this many messages per conversation are kept in the page (the daemon keeps 10,000). */
export const kMaxKeptPerPeer = 500;

export class MessageBook {
  private readonly conversations = new Map<string, PeerMessage[]>();
  private readonly fetched = new Set<string>();
  private unread: Record<string, number> = {};

  /** A page of history from the daemon, merged with what pushes brought meanwhile. */
  load(peer: string, messages: readonly PeerMessage[]): void {
    for (const message of messages) if (message.peer === peer) this.apply(message);
    this.fetched.add(peer);
  }

  /** A message added or changed: inserted in seq order, or replacing the one with its seq. */
  apply(message: PeerMessage): void {
    const list = [...(this.conversations.get(message.peer) ?? [])];
    const at = list.findIndex((m) => m.seq >= message.seq);
    if (at === -1) list.push(message);
    else if (list[at]!.seq === message.seq) list[at] = message;
    else list.splice(at, 0, message);
    if (list.length > kMaxKeptPerPeer) list.splice(0, list.length - kMaxKeptPerPeer);
    this.conversations.set(message.peer, list);
  }

  setUnread(unread: Readonly<Record<string, number>>): void {
    this.unread = { ...unread };
  }

  /** The messages from `peer` were read (before the daemon's new counts arrive). */
  markRead(peer: string): void {
    const { [peer]: _, ...rest } = this.unread;
    this.unread = rest;
    const list = this.conversations.get(peer);
    if (list) this.conversations.set(peer, list.map((m) => (m.direction === 'in' && !m.read ? { ...m, read: true } : m)));
  }

  /** Whether this page fetched the conversation already. */
  loaded(peer: string): boolean {
    return this.fetched.has(peer);
  }

  conversation(peer: string): readonly PeerMessage[] {
    return this.conversations.get(peer) ?? [];
  }

  unreadCount(peer: string): number {
    return this.unread[peer] ?? 0;
  }

  unreadCounts(): Readonly<Record<string, number>> {
    return this.unread;
  }
}

/** What a message's line says about it: "Queued", "Delivered", "Expired"; nothing for a received one. */
export function messageStateLabel(message: PeerMessage): string {
  switch (message.state) {
    case 'queued':
      return 'Queued';
    case 'delivered':
      return 'Delivered';
    case 'expired':
      return 'Expired';
    default:
      return '';
  }
}
