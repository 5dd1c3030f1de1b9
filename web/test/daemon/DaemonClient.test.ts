import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DaemonClient, DaemonRequestError, type RefReply } from '../../src/daemon/DaemonClient';
import type { DaemonSocketStatus } from '../../src/daemon/DaemonSocket';
import type { DaemonMessage, UiMessage } from '../../src/daemon/protocol';
import { Emitter, realTimers } from '../../src/util/timers';

/** A socket that records what is sent and whose status the test sets. */
function fakeSocket() {
  const statuses = new Emitter<DaemonSocketStatus>();
  const sent: UiMessage[] = [];
  let up = true;
  return {
    sent,
    send: (message: UiMessage) => {
      if (up) sent.push(message);
      return up;
    },
    onStatus: (listener: (status: DaemonSocketStatus) => void) => statuses.on(listener),
    connected() {
      up = true;
      statuses.emit({ state: 'connected' });
    },
    lost() {
      up = false;
      statuses.emit({ state: 'reconnecting', attempt: 1, nextAttemptAt: 0 });
    },
  };
}

function setup(maxTracked?: number) {
  const socket = fakeSocket();
  const client = new DaemonClient(socket, { timers: realTimers, ...(maxTracked ? { maxTracked } : {}) });
  socket.connected();
  const refOf = (k: number) => String((socket.sent[k] as { ref?: unknown }).ref);
  return { socket, client, refOf };
}

const iceAnswer = (reply: RefReply) => (reply.type === 'ice_servers' ? reply.iceServers : undefined);
const iceAsk = (ref: string): UiMessage => ({ type: 'ice_servers', peer: 'BOB', ref });

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('DaemonClient', () => {
  it('gives each request a fresh ref and resolves it with the reply that carries it', async () => {
    const { client, refOf } = setup();
    const first = client.request('i', iceAsk, iceAnswer, 3_000);
    const second = client.request('i', iceAsk, iceAnswer, 3_000);
    expect(refOf(0)).not.toBe(refOf(1));
    expect(client.handle({ type: 'ice_servers', peer: 'BOB', ref: refOf(1), iceServers: [{ urls: 'stun:198.51.100.2:3001' }] })).toBe(true);
    expect(client.handle({ type: 'ice_servers', peer: 'BOB', ref: refOf(0), iceServers: [] })).toBe(true);
    await expect(second).resolves.toEqual([{ urls: 'stun:198.51.100.2:3001' }]);
    await expect(first).resolves.toEqual([]);
    expect(client.pending).toBe(0);
  });

  it('an error reply with the ref rejects the request with its words', async () => {
    const { client, refOf } = setup();
    const asked = client.request('i', iceAsk, iceAnswer, 3_000);
    client.handle({ type: 'error', code: 'bad_request', error: 'no such peer', ref: refOf(0) });
    await expect(asked).rejects.toThrow(new DaemonRequestError('no such peer'));
  });

  it('a request not answered in time is rejected, and its late answer is not taken', async () => {
    const { client, refOf } = setup();
    const asked = client.request('i', iceAsk, iceAnswer, 3_000);
    const outcome = asked.catch((error: unknown) => error);
    vi.advanceTimersByTime(2_999);
    expect(client.pending).toBe(1);
    vi.advanceTimersByTime(1);
    expect(await outcome).toEqual(new DaemonRequestError('the daemon did not answer in time'));
    expect(client.handle({ type: 'ice_servers', peer: 'BOB', ref: refOf(0), iceServers: [] })).toBe(false);
  });

  it('a request that cannot be sent is rejected at once', async () => {
    const { client, socket } = setup();
    socket.lost();
    await expect(client.request('i', iceAsk, iceAnswer, 3_000)).rejects.toThrow('not connected');
    expect(client.track('s', iceAsk, () => true)).toBe(false);
  });

  it('losing the connection fails pending requests with an error; tracked messages still hear their late replies', async () => {
    const { client, socket, refOf } = setup();
    const replies: RefReply[] = [];
    client.track('s', iceAsk, (reply) => {
      replies.push(reply);
      return reply.type !== 'ack';
    });
    const asked = client.request('i', iceAsk, iceAnswer, 3_000);
    socket.lost();
    await expect(asked).rejects.toThrow('Lost contact with PeerDrop on this computer');
    socket.connected();
    // The daemon tells a page's next connection that a signal of the last one expired.
    const expired: DaemonMessage = { type: 'expired', ref: refOf(0), to: 'BOB', error: 'not fetched in time' };
    expect(client.handle(expired)).toBe(true);
    expect(replies).toEqual([expired]);
    expect(client.pending).toBe(0);
  });

  it('a tracked message hears every reply until its handler says it is done', () => {
    const { client, refOf } = setup();
    const seen: string[] = [];
    expect(client.track('s', iceAsk, (reply) => (seen.push(reply.type), reply.type === 'delivered'))).toBe(true);
    client.handle({ type: 'ack', ref: refOf(0), seq: 1, to: 'BOB', peerOnline: true });
    client.handle({ type: 'delivered', ref: refOf(0) });
    expect(client.handle({ type: 'delivered', ref: refOf(0) })).toBe(false);
    expect(seen).toEqual(['ack', 'delivered']);
  });

  it('replies with an unknown ref, or none, and messages that answer nothing are left to the caller', () => {
    const { client } = setup();
    expect(client.handle({ type: 'ack', ref: 'nobody', seq: 1, to: 'BOB', peerOnline: true })).toBe(false);
    expect(client.handle({ type: 'error', code: 'bad_request', error: 'what?' })).toBe(false);
    expect(client.handle({ type: 'expired', to: 'BOB', error: 'sent before a restart' })).toBe(false);
    expect(client.handle({ type: 'session_taken', peer: 'BOB', session: 's1' })).toBe(false);
  });

  it('keeps at most maxTracked tracked messages, forgetting the oldest', () => {
    const { client, refOf } = setup(2);
    const seen: string[] = [];
    for (let k = 0; k < 3; k++) client.track('s', iceAsk, () => (seen.push(`${k}`), true));
    expect(client.pending).toBe(2);
    expect(client.handle({ type: 'delivered', ref: refOf(0) })).toBe(false);
    expect(client.handle({ type: 'delivered', ref: refOf(2) })).toBe(true);
    expect(seen).toEqual(['2']);
  });

  it('dispose fails what is pending and stops listening', async () => {
    const { client } = setup();
    const asked = client.request('i', iceAsk, iceAnswer, 3_000);
    client.dispose();
    await expect(asked).rejects.toBeInstanceOf(DaemonRequestError);
    expect(client.pending).toBe(0);
  });
});
