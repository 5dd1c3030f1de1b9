import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DaemonSocket, backoffDelay, type DaemonSocketStatus } from '../../src/daemon/DaemonSocket';
import type { DaemonMessage } from '../../src/daemon/protocol';
import { realTimers } from '../../src/util/timers';
import { FakeWebSocket, fakeSocketFactory } from '../support/fakeSocket';

const WELCOME = { type: 'welcome', protocol: 1, self: { id: 'SELF', name: 'Alice', version: '0.1.0', port: 3001, discoveryPort: 3001 } };

function make(random = () => 0.5) {
  const statuses: DaemonSocketStatus[] = [];
  const messages: DaemonMessage[] = [];
  const socket = new DaemonSocket({ url: 'ws://127.0.0.1:3001/ws', createSocket: fakeSocketFactory(), timers: realTimers, random });
  socket.onStatus((s) => statuses.push(s));
  socket.onMessage((m) => messages.push(m));
  const last = () => FakeWebSocket.instances[FakeWebSocket.instances.length - 1]!;
  return { socket, statuses, messages, last };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_000_000);
});
afterEach(() => vi.useRealTimers());

describe('backoffDelay', () => {
  it('doubles from 500 ms and is capped at 10 s, with ±25% jitter', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffDelay(n, mid))).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
    expect(backoffDelay(1, () => 0)).toBe(375);
    expect(backoffDelay(1, () => 0.999999)).toBe(625);
    expect(backoffDelay(5, () => 0.999999)).toBe(10000); // 8 s × 1.25 is over the cap
    expect(backoffDelay(30, () => 0)).toBe(7500);
  });
});

describe('DaemonSocket', () => {
  it('connects to the URL and parses messages', () => {
    const { socket, statuses, messages, last } = make();
    socket.start();
    expect(last().url).toBe('ws://127.0.0.1:3001/ws');
    expect(statuses.at(-1)).toEqual({ state: 'connecting', attempt: 0 });
    last().serverOpen();
    expect(socket.status).toEqual({ state: 'connected' });
    last().serverSend(WELCOME);
    last().serverSend('not json');
    last().serverSend({ type: 'nonsense' });
    expect(messages).toEqual([{ ...WELCOME, protocol: 1 }]);
  });

  it('sends only while connected', () => {
    const { socket, last } = make();
    socket.start();
    expect(socket.send({ type: 'get_peers' })).toBe(false);
    last().serverOpen();
    expect(socket.send({ type: 'get_peers' })).toBe(true);
    expect(last().sentMessages()).toEqual([{ type: 'get_peers' }]);
  });

  it('reconnects with growing delays and says when it tries next', () => {
    const { socket, statuses, last } = make();
    socket.start();
    last().serverClose();
    expect(socket.status).toEqual({ state: 'reconnecting', attempt: 1, nextAttemptAt: 1_000_500 });
    vi.advanceTimersByTime(499);
    expect(FakeWebSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeWebSocket.instances).toHaveLength(2);
    last().serverClose();
    expect(socket.status).toMatchObject({ state: 'reconnecting', attempt: 2, nextAttemptAt: Date.now() + 1000 });
    vi.advanceTimersByTime(1000);
    last().serverClose();
    expect(socket.status).toMatchObject({ attempt: 3, nextAttemptAt: Date.now() + 2000 });
    expect(statuses.filter((s) => s.state === 'reconnecting')).toHaveLength(3);
  });

  it('keeps the delay capped at about 10 s', () => {
    const { socket, last } = make(() => 0.999);
    socket.start();
    for (let i = 0; i < 12; i++) {
      last().serverClose();
      const status = socket.status;
      if (status.state !== 'reconnecting') throw new Error('expected reconnecting');
      expect(status.nextAttemptAt - Date.now()).toBeLessThanOrEqual(10_000);
      vi.advanceTimersByTime(status.nextAttemptAt - Date.now());
    }
    const status = socket.status;
    expect(status.state).toBe('connecting');
  });

  it('a welcome resets the backoff', () => {
    const { socket, last } = make();
    socket.start();
    last().serverClose();
    vi.advanceTimersByTime(500);
    last().serverClose();
    vi.advanceTimersByTime(1000);
    last().serverOpen();
    last().serverSend(WELCOME);
    last().serverClose();
    expect(socket.status).toMatchObject({ attempt: 1, nextAttemptAt: Date.now() + 500 });
  });

  it('an open that never completes is abandoned and retried', () => {
    const { socket, last } = make();
    socket.start();
    const first = last();
    vi.advanceTimersByTime(5_000);
    expect(first.closedByClient).toBe(true);
    expect(socket.status.state).toBe('reconnecting');
    vi.advanceTimersByTime(500);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('stop() closes and does not reconnect', () => {
    const { socket, last } = make();
    socket.start();
    last().serverOpen();
    socket.stop();
    expect(last().closedByClient).toBe(true);
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(socket.status).toEqual({ state: 'stopped' });
  });

  it('ignores events of a socket it already gave up on', () => {
    const { socket, messages, last } = make();
    socket.start();
    const first = last();
    const onmessage = first.onmessage;
    first.serverClose();
    onmessage?.({ data: JSON.stringify(WELCOME) });
    expect(messages).toEqual([]);
  });
});
