import { describe, expect, it, vi } from 'vitest';
import { DaemonApi } from '../../src/daemon/api';
import { parseDaemonMessage, parsePeerMessage } from '../../src/daemon/protocol';

const wire = {
  seq: 7, id: '0123456789abcdef0123456789abcdef', peer: 'P', direction: 'out', text: 'Hello', sentAt: 1000,
  state: 'delivered', read: true, deliveredAt: 1500,
};

describe('messages in the daemon protocol', () => {
  it('parses a message push and the unread counts', () => {
    expect(parseDaemonMessage(JSON.stringify({ type: 'message', message: wire }))).toEqual({
      type: 'message',
      message: { seq: 7, id: wire.id, peer: 'P', direction: 'out', text: 'Hello', sentAt: 1000, state: 'delivered', read: true, doneAt: 1500 },
    });
    expect(parseDaemonMessage(JSON.stringify({ type: 'unread_messages', unread: { P: 2, Q: 0, R: 'x', S: -1 } }))).toEqual({
      type: 'unread_messages',
      unread: { P: 2 },
    });
    expect(parseDaemonMessage(JSON.stringify({ type: 'unread_messages', unread: [] }))).toBeNull();
  });

  it('refuses a message with a field missing or of another type', () => {
    for (const bad of [
      { ...wire, seq: -1 }, { ...wire, id: 5 }, { ...wire, direction: 'sideways' }, { ...wire, state: 'lost' },
      { ...wire, text: null }, { ...wire, sentAt: 1.5 }, null, [],
    ]) {
      expect(parsePeerMessage(bad)).toBeNull();
      expect(parseDaemonMessage(JSON.stringify({ type: 'message', message: bad }))).toBeNull();
    }
    const { deliveredAt: _, ...queued } = { ...wire, state: 'queued' };
    expect(parsePeerMessage(queued)?.doneAt).toBeUndefined();
  });

  it('the API sends, lists and marks read with the key', async () => {
    const fetcher = vi.fn(async (input: string, init?: RequestInit) => {
      void init;
      if (input.startsWith('/api/messages?')) return new Response(JSON.stringify({ messages: [wire, { bogus: 1 }] }), { status: 200 });
      if (input === '/api/messages/read') return new Response(JSON.stringify({ read: 1 }), { status: 200 });
      return new Response(JSON.stringify({ ...wire, state: 'queued' }), { status: 201 });
    });
    const api = new DaemonApi(fetcher, 'KEY');
    expect((await api.getMessages('P', { before: 9, limit: 20 })).map((m) => m.seq)).toEqual([7]);
    expect(fetcher.mock.calls[0]![0]).toBe('/api/messages?peer=P&before=9&limit=20');
    expect((await api.sendMessage('P', 'Hello')).state).toBe('queued');
    expect(JSON.parse(fetcher.mock.calls[1]![1]!.body as string)).toEqual({ to: 'P', text: 'Hello' });
    await api.markMessagesRead('P');
    expect(fetcher.mock.calls[2]![1]!.method).toBe('POST');
    for (const call of fetcher.mock.calls) expect((call[1]!.headers as Record<string, string>).Authorization).toBe('Bearer KEY');
  });

  it('says why a message could not be queued', async () => {
    const api = new DaemonApi(async () => new Response(JSON.stringify({ code: 'unknown_peer', error: 'this peer is not known' }), { status: 404 }));
    await expect(api.sendMessage('P', 'x')).rejects.toMatchObject({ code: 'unknown_peer', message: 'This peer is not known' });
  });
});
