import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import {
  DISCONNECTED_GRACE_MS,
  connectionMachine,
  isPolite,
  remoteRequestWins,
  stateText,
  topState,
  type ConnectionCommand,
  type ConnectionEvent,
} from '../../src/rtc/connectionMachine';
import { describeConnection } from '../../src/rtc/connectionView';

const SMALL = 'AAAA';
const LARGE = 'ZZZZ';
const TIMEOUT = 30_000;

function start(selfId = SMALL, peerId = LARGE) {
  let n = 0;
  const actor = createActor(connectionMachine, {
    input: { selfId, peerId, peerName: 'Bob', timeoutMs: TIMEOUT, createSessionId: () => `s${++n}` },
  });
  const commands: ConnectionCommand[] = [];
  actor.on('*', (command) => commands.push(command as ConnectionCommand));
  actor.start();
  const send = (event: ConnectionEvent) => actor.send(event);
  const state = () => stateText(actor.getSnapshot().value);
  const context = () => actor.getSnapshot().context;
  const sends = () => commands.filter((c) => c.type === 'send');
  return { actor, commands, send, state, context, sends };
}

/** Drives a machine from idle to connected as the requester. */
function connected(selfId = SMALL, peerId = LARGE) {
  const m = start(selfId, peerId);
  m.send({ type: 'CONNECT' });
  m.send({ type: 'ACCEPTED', session: 's1' });
  m.send({ type: 'ICE_STATE', state: 'connected' });
  m.send({ type: 'CHANNEL_OPEN' });
  expect(m.state()).toBe('connected.stable');
  m.commands.length = 0;
  return m;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('connection machine: requesting', () => {
  it('Connect sends a request with a new session and tells the daemon it is connecting', () => {
    const m = start();
    expect(m.state()).toBe('idle');
    m.send({ type: 'CONNECT' });
    expect(m.state()).toBe('requesting');
    expect(m.context().session).toBe('s1');
    expect(m.context().role).toBe('requester');
    expect(m.commands).toEqual([
      { type: 'send', kind: 'connection_request', session: 's1' },
      { type: 'session', state: 'connecting' },
    ]);
  });

  it('the accept of our session starts WebRTC as the offerer', () => {
    const m = start();
    m.send({ type: 'CONNECT' });
    m.commands.length = 0;
    m.send({ type: 'ACCEPTED', session: 's1' });
    expect(m.state()).toBe('connecting');
    expect(m.commands).toContainEqual({ type: 'startRtc', session: 's1', offerer: true, polite: true });
  });

  it('an accept of another session is ignored', () => {
    const m = start();
    m.send({ type: 'CONNECT' });
    m.send({ type: 'ACCEPTED', session: 'other' });
    expect(m.state()).toBe('requesting');
  });

  it('a decline of our session shows Declined with the peer name', () => {
    const m = start();
    m.send({ type: 'CONNECT' });
    m.send({ type: 'DECLINED', session: 'other' });
    expect(m.state()).toBe('requesting');
    m.send({ type: 'DECLINED', session: 's1' });
    expect(m.state()).toBe('declined');
    const view = describeConnection('declined', m.context());
    expect(view.label).toBe('Declined');
    expect(view.detail).toBe('Bob declined the connection');
    expect(m.commands).toContainEqual({ type: 'session', state: 'closed' });
    expect(m.commands).toContainEqual({ type: 'down' });
  });

  it('no answer within the timeout fails with "did not answer" and withdraws the request', () => {
    const m = start();
    m.send({ type: 'CONNECT' });
    vi.advanceTimersByTime(TIMEOUT - 1);
    expect(m.state()).toBe('requesting');
    vi.advanceTimersByTime(1);
    expect(m.state()).toBe('failed');
    expect(m.context().failure).toEqual({ code: 'no_answer', text: 'Bob did not answer the request' });
    expect(m.sends()).toContainEqual({ type: 'send', kind: 'bye', session: 's1', reason: 'no_answer' });
  });

  it('a request queued while the peer is offline says so, and its timeout blames the offline peer', () => {
    const m = start();
    m.send({ type: 'CONNECT' });
    m.send({ type: 'REQUEST_QUEUED', peerOnline: false });
    expect(m.context().notice).toMatch(/Bob's computer is offline right now/);
    vi.advanceTimersByTime(TIMEOUT);
    expect(m.context().failure?.code).toBe('peer_offline');
    expect(m.context().failure?.text).toBe("Bob's computer is offline, so the request was not answered");
  });

  it('an expired request fails with "could not be reached"', () => {
    const m = start();
    m.send({ type: 'CONNECT' });
    m.send({ type: 'SIGNAL_EXPIRED', session: 's1' });
    expect(m.state()).toBe('failed');
    expect(m.context().failure?.text).toBe("Bob's computer could not be reached (the request was not delivered)");
  });

  it('a request the daemon refused fails with its sentence', () => {
    const m = start();
    m.send({ type: 'CONNECT' });
    m.send({ type: 'SIGNAL_FAILED', text: 'Could not send to Bob: queue full' });
    expect(m.state()).toBe('failed');
    expect(m.context().failure).toEqual({ code: 'signaling', text: 'Could not send to Bob: queue full' });
  });

  it('Cancel withdraws the request', () => {
    const m = start();
    m.send({ type: 'CONNECT' });
    m.send({ type: 'DISCONNECT' });
    expect(m.state()).toBe('closed');
    expect(m.sends()).toContainEqual({ type: 'send', kind: 'bye', session: 's1', reason: 'hangup' });
    expect(m.context().ended).toBe('You ended the connection');
  });
});

describe('connection machine: glare (both clicked Connect)', () => {
  it('the smaller id drops its own request and accepts the larger id’s', () => {
    const m = start(SMALL, LARGE);
    m.send({ type: 'CONNECT' });
    m.commands.length = 0;
    m.send({ type: 'REQUEST_RECEIVED', session: 'theirs' });
    expect(m.state()).toBe('connecting');
    expect(m.context().session).toBe('theirs');
    expect(m.context().role).toBe('accepter');
    // The bye names our dropped session; the accept names theirs.
    expect(m.sends()).toEqual([
      { type: 'send', kind: 'bye', session: 's1', reason: 'hangup' },
      { type: 'send', kind: 'connection_accept', session: 'theirs' },
    ]);
    expect(m.commands).toContainEqual({ type: 'startRtc', session: 'theirs', offerer: false, polite: true });
  });

  it('the larger id keeps its request (and sends it again) and connects when it is accepted', () => {
    const m = start(LARGE, SMALL);
    m.send({ type: 'CONNECT' });
    m.commands.length = 0;
    m.send({ type: 'REQUEST_RECEIVED', session: 'theirs' });
    expect(m.state()).toBe('requesting');
    expect(m.context().session).toBe('s1');
    expect(m.sends()).toEqual([{ type: 'send', kind: 'connection_request', session: 's1' }]);
    m.send({ type: 'REMOTE_BYE', session: 'theirs' });
    expect(m.state()).toBe('requesting');
    m.send({ type: 'ACCEPTED', session: 's1' });
    expect(m.state()).toBe('connecting');
    expect(m.commands).toContainEqual({ type: 'startRtc', session: 's1', offerer: true, polite: false });
  });

  it('the rule is symmetric: exactly one side wins', () => {
    expect(remoteRequestWins(SMALL, LARGE)).toBe(true);
    expect(remoteRequestWins(LARGE, SMALL)).toBe(false);
    expect(isPolite(SMALL, LARGE)).toBe(true);
    expect(isPolite(LARGE, SMALL)).toBe(false);
  });
});

describe('connection machine: incoming', () => {
  it('a request waits for our person; Accept answers and starts WebRTC as the answerer', () => {
    const m = start(LARGE, SMALL);
    m.send({ type: 'REQUEST_RECEIVED', session: 'r1', name: 'Bob' });
    expect(m.state()).toBe('incoming');
    expect(m.commands).toEqual([]);
    m.send({ type: 'ACCEPT' });
    expect(m.state()).toBe('connecting');
    expect(m.sends()).toEqual([{ type: 'send', kind: 'connection_accept', session: 'r1' }]);
    expect(m.commands).toContainEqual({ type: 'startRtc', session: 'r1', offerer: false, polite: false });
    expect(m.commands).toContainEqual({ type: 'session', state: 'connecting' });
  });

  it('Connect on a peer that is asking accepts its request', () => {
    const m = start();
    m.send({ type: 'REQUEST_RECEIVED', session: 'r1' });
    m.send({ type: 'CONNECT' });
    expect(m.state()).toBe('connecting');
    expect(m.sends()).toEqual([{ type: 'send', kind: 'connection_accept', session: 'r1' }]);
  });

  it('Decline answers with a decline and goes back to idle', () => {
    const m = start();
    m.send({ type: 'REQUEST_RECEIVED', session: 'r1' });
    m.send({ type: 'DECLINE' });
    expect(m.state()).toBe('idle');
    expect(m.sends()).toEqual([{ type: 'send', kind: 'connection_decline', session: 'r1' }]);
  });

  it('a withdrawn request closes the question', () => {
    const m = start();
    m.send({ type: 'REQUEST_RECEIVED', session: 'r1' });
    m.send({ type: 'REMOTE_BYE', session: 'x' });
    expect(m.state()).toBe('incoming');
    m.send({ type: 'REMOTE_BYE', session: 'r1' });
    expect(m.state()).toBe('idle');
    expect(m.context().notice).toBe('Bob withdrew the request');
  });

  it('a request answered in another tab closes the question here, sending nothing', () => {
    const m = start();
    m.send({ type: 'REQUEST_RECEIVED', session: 'r1' });
    m.send({ type: 'TAKEN_ELSEWHERE', session: 'other' });
    expect(m.state()).toBe('incoming');
    m.send({ type: 'TAKEN_ELSEWHERE', session: 'r1' });
    expect(m.state()).toBe('idle');
    expect(m.context().notice).toBe('Answered in another PeerDrop tab');
    expect(m.sends()).toEqual([]);
  });

  it('a newer request replaces the pending one', () => {
    const m = start();
    m.send({ type: 'REQUEST_RECEIVED', session: 'r1' });
    m.send({ type: 'REQUEST_RECEIVED', session: 'r2' });
    expect(m.context().session).toBe('r2');
    m.send({ type: 'ACCEPT' });
    expect(m.sends()).toEqual([{ type: 'send', kind: 'connection_accept', session: 'r2' }]);
  });

  it('an unanswered request is dropped after the timeout', () => {
    const m = start();
    m.send({ type: 'REQUEST_RECEIVED', session: 'r1' });
    vi.advanceTimersByTime(TIMEOUT);
    expect(m.state()).toBe('idle');
    expect(m.context().notice).toBe('You missed a connection request from Bob');
  });
});

describe('connection machine: connecting', () => {
  it('the open control channel means connected: established, up', () => {
    const m = start();
    m.send({ type: 'CONNECT' });
    m.send({ type: 'ACCEPTED', session: 's1' });
    m.commands.length = 0;
    m.send({ type: 'CHANNEL_OPEN' });
    expect(m.state()).toBe('connected.stable');
    expect(m.commands).toEqual([{ type: 'session', state: 'established' }, { type: 'up' }]);
  });

  it('timeout without ICE: "No route" (the servers not known yet)', () => {
    const m = start();
    m.send({ type: 'CONNECT' });
    vi.advanceTimersByTime(10_000);
    m.send({ type: 'ACCEPTED', session: 's1' });
    // The timeout starts afresh for negotiation.
    vi.advanceTimersByTime(TIMEOUT - 1);
    expect(m.state()).toBe('connecting');
    vi.advanceTimersByTime(1);
    expect(m.state()).toBe('failed');
    expect(m.context().failure?.text).toBe('No route to Bob was found (ICE failed)');
    expect(m.commands).toContainEqual({ type: 'stopRtc' });
  });

  it('timeout after ICE connected: "data channel did not open"', () => {
    const m = start();
    m.send({ type: 'CONNECT' });
    m.send({ type: 'ACCEPTED', session: 's1' });
    m.send({ type: 'ICE_STATE', state: 'checking' });
    m.send({ type: 'ICE_STATE', state: 'connected' });
    vi.advanceTimersByTime(TIMEOUT);
    expect(m.context().failure?.text).toBe('The connection to Bob opened but its data channel did not');
  });

  it('ICE failed while negotiating fails at once', () => {
    const m = start();
    m.send({ type: 'CONNECT' });
    m.send({ type: 'ACCEPTED', session: 's1' });
    m.send({ type: 'ICE_STATE', state: 'failed' });
    expect(m.state()).toBe('failed');
    expect(m.context().failure?.code).toBe('ice_failed');
  });

  it('an expired offer means the peer cannot be reached', () => {
    const m = start();
    m.send({ type: 'CONNECT' });
    m.send({ type: 'ACCEPTED', session: 's1' });
    m.send({ type: 'SIGNAL_EXPIRED', session: 's1' });
    expect(m.context().failure?.code).toBe('unreachable');
  });

  it('the peer hanging up while negotiating ends it', () => {
    const m = start();
    m.send({ type: 'CONNECT' });
    m.send({ type: 'ACCEPTED', session: 's1' });
    m.send({ type: 'REMOTE_BYE', session: 's1' });
    expect(m.state()).toBe('closed');
    expect(m.context().ended).toBe('Bob disconnected');
  });

  it('a new request while negotiating: the peer started over', () => {
    const m = start();
    m.send({ type: 'CONNECT' });
    m.send({ type: 'ACCEPTED', session: 's1' });
    m.send({ type: 'REQUEST_RECEIVED', session: 's1' });
    expect(m.state()).toBe('connecting');
    m.send({ type: 'REQUEST_RECEIVED', session: 'fresh' });
    expect(m.state()).toBe('incoming');
    expect(m.commands).toContainEqual({ type: 'stopRtc' });
  });

  it('Cancel while negotiating sends bye', () => {
    const m = start();
    m.send({ type: 'CONNECT' });
    m.send({ type: 'ACCEPTED', session: 's1' });
    m.send({ type: 'DISCONNECT' });
    expect(m.state()).toBe('closed');
    expect(m.sends()).toContainEqual({ type: 'send', kind: 'bye', session: 's1', reason: 'hangup' });
  });

  it('the peer giving up (no path) fails here with the same reason, in our words', () => {
    const m = start();
    m.send({ type: 'CONNECT' });
    m.send({ type: 'ACCEPTED', session: 's1' });
    m.send({ type: 'ICE_PLAN', plan: { relays: [], forceRelay: false } });
    m.send({ type: 'REMOTE_BYE', session: 's1', reason: 'ice_failed' });
    expect(m.state()).toBe('failed');
    expect(m.context().failure?.text).toMatch(/^No route to Bob: the two computers cannot reach each other directly/);
    // Its bye is not answered with ours.
    expect(m.sends().filter((c) => c.kind === 'bye')).toEqual([]);
  });
});

describe('connection machine: no route', () => {
  /** Requested, accepted, the ICE servers known (`plan`), then ICE fails. */
  function iceFails(plan: { relays: string[]; forceRelay: boolean }) {
    const m = start();
    m.send({ type: 'CONNECT' });
    m.send({ type: 'ACCEPTED', session: 's1' });
    m.send({ type: 'ICE_PLAN', plan });
    m.send({ type: 'ICE_STATE', state: 'failed' });
    expect(m.state()).toBe('failed');
    expect(m.context().failure?.code).toBe('ice_failed');
    return m.context().failure!.text;
  }

  it('no relay in the list: the computers cannot reach each other; turn on a relay', () => {
    expect(iceFails({ relays: [], forceRelay: false })).toBe(
      'No route to Bob: the two computers cannot reach each other directly (a firewall may block WebRTC), and no relay ' +
        'is available. Turn on the relay (Settings \u2192 Run a relay on this computer) on one of the two computers, with \u201cAlways accept\u201d ticked there for the other, then try again.',
    );
  });

  it('relays in the list: not even through them; check both can reach them', () => {
    expect(iceFails({ relays: ['198.51.100.12'], forceRelay: false })).toBe(
      'No route to Bob, not even through the relay (198.51.100.12): check that both computers can reach it.',
    );
    expect(iceFails({ relays: ['198.51.100.12', '203.0.113.20'], forceRelay: false })).toBe(
      'No route to Bob, not even through the relays (198.51.100.12, 203.0.113.20): check that both computers can reach one of them.',
    );
  });

  it('force relay without a relay says so; with one, that only relays were tried', () => {
    const none = iceFails({ relays: [], forceRelay: true });
    expect(none).toMatch(/^No route to Bob: Force relay is on, but no relay is available\. /);
    expect(none).toMatch(/turn Force relay off/);
    expect(iceFails({ relays: ['198.51.100.12'], forceRelay: true })).toMatch(
      /^No route to Bob through the relay \(198\.51\.100\.12\) \(Force relay is on, so only relays were tried\)/,
    );
  });

  it('the connect timeout words it the same way', () => {
    const m = start();
    m.send({ type: 'CONNECT' });
    m.send({ type: 'ACCEPTED', session: 's1' });
    m.send({ type: 'ICE_PLAN', plan: { relays: [], forceRelay: false } });
    vi.advanceTimersByTime(TIMEOUT);
    expect(m.context().failure?.text).toMatch(/^No route to Bob: .* no relay is available/);
  });

  it('a new attempt forgets the last one\u2019s servers', () => {
    const m = start();
    m.send({ type: 'CONNECT' });
    m.send({ type: 'ACCEPTED', session: 's1' });
    m.send({ type: 'ICE_PLAN', plan: { relays: ['198.51.100.12'], forceRelay: true } });
    m.send({ type: 'ICE_STATE', state: 'failed' });
    m.send({ type: 'RETRY' });
    expect(m.context().ice).toBeNull();
    m.send({ type: 'REQUEST_RECEIVED', session: 'other' });
    expect(m.context().ice).toBeNull();
  });

  it('a connection lost with force relay on and no relay says why', () => {
    const m = connected();
    m.send({ type: 'ICE_PLAN', plan: { relays: [], forceRelay: true } });
    m.send({ type: 'ICE_STATE', state: 'failed' });
    vi.advanceTimersByTime(TIMEOUT);
    expect(m.context().failure?.text).toBe('Lost the connection to Bob: Force relay is on, but no relay is available');
  });
});

describe('connection machine: connected, drops and ICE restart', () => {
  it('Disconnect sends bye and closes', () => {
    const m = connected();
    m.send({ type: 'DISCONNECT' });
    expect(m.state()).toBe('closed');
    expect(m.commands).toEqual([
      { type: 'channelDown' },
      { type: 'send', kind: 'bye', session: 's1', reason: 'hangup' },
      { type: 'stopRtc' },
      { type: 'session', state: 'closed' },
      { type: 'down' },
    ]);
  });

  it('the peer’s bye shows "Bob disconnected"', () => {
    const m = connected();
    m.send({ type: 'REMOTE_BYE', session: 'old' });
    expect(m.state()).toBe('connected.stable');
    m.send({ type: 'REMOTE_BYE', session: 's1' });
    expect(m.state()).toBe('closed');
    expect(describeConnection('closed', m.context()).detail).toBe('Bob disconnected');
  });

  it('the control channel closing (the peer closed its side) ends the connection', () => {
    const m = connected();
    m.send({ type: 'CHANNEL_CLOSED' });
    expect(m.state()).toBe('closed');
    expect(m.context().ended).toBe('Bob disconnected');
  });

  it('the peer losing the connection for good fails here too', () => {
    const m = connected();
    m.send({ type: 'ICE_STATE', state: 'failed' });
    m.send({ type: 'REMOTE_BYE', session: 's1', reason: 'lost' });
    expect(m.context().failure?.text).toBe('Lost the connection to Bob');
  });

  it('ICE disconnected briefly: no restart', () => {
    const m = connected();
    m.send({ type: 'ICE_STATE', state: 'disconnected' });
    expect(m.state()).toBe('connected.unstable');
    expect(describeConnection('connected', m.context(), true).detail).toBe(
      'Nothing is getting through to Bob right now; waiting for the connection to recover',
    );
    vi.advanceTimersByTime(DISCONNECTED_GRACE_MS - 1);
    m.send({ type: 'ICE_STATE', state: 'connected' });
    expect(m.state()).toBe('connected.stable');
    expect(describeConnection('connected', m.context(), false).detail).toBeNull();
    vi.advanceTimersByTime(DISCONNECTED_GRACE_MS);
    expect(m.commands).not.toContainEqual({ type: 'restartIce' });
  });

  it('ICE disconnected for more than 5 s: restart ICE, Reconnecting', () => {
    const m = connected();
    m.send({ type: 'ICE_STATE', state: 'disconnected' });
    vi.advanceTimersByTime(DISCONNECTED_GRACE_MS);
    expect(m.state()).toBe('reconnecting');
    expect(m.commands).toEqual([{ type: 'channelDown' }, { type: 'session', state: 'connecting' }, { type: 'restartIce' }]);
    expect(describeConnection('reconnecting', m.context()).label).toBe('Reconnecting');
  });

  it('ICE failed: restart at once; back to connected resends (up) and re-reports established', () => {
    const m = connected();
    m.send({ type: 'ICE_STATE', state: 'failed' });
    expect(m.state()).toBe('reconnecting');
    expect(m.commands).toContainEqual({ type: 'restartIce' });
    m.commands.length = 0;
    m.send({ type: 'ICE_STATE', state: 'checking' });
    m.send({ type: 'ICE_STATE', state: 'connected' });
    expect(m.state()).toBe('connected.stable');
    expect(m.commands).toEqual([{ type: 'session', state: 'established' }, { type: 'up' }]);
  });

  it('a restart that fails again restarts again without extending the deadline', () => {
    const m = connected();
    m.send({ type: 'ICE_STATE', state: 'failed' });
    vi.advanceTimersByTime(20_000);
    m.send({ type: 'ICE_STATE', state: 'failed' });
    expect(m.commands.filter((c) => c.type === 'restartIce')).toHaveLength(2);
    expect(m.context().iceRestarts).toBe(2);
    vi.advanceTimersByTime(TIMEOUT - 20_000);
    expect(m.state()).toBe('failed');
  });

  it('gives up after the timeout: "Lost the connection to Bob", Retry', () => {
    const m = connected();
    m.send({ type: 'ICE_STATE', state: 'failed' });
    vi.advanceTimersByTime(TIMEOUT);
    expect(m.state()).toBe('failed');
    expect(m.context().failure?.text).toBe('Lost the connection to Bob');
    expect(m.commands).toContainEqual({ type: 'down' });
    expect(m.sends()).toContainEqual({ type: 'send', kind: 'bye', session: 's1', reason: 'lost' });
    const view = describeConnection('failed', m.context());
    expect(view.actions).toEqual({ connect: false, cancel: false, disconnect: false, retry: true, dismiss: true, forget: true });
  });

  it('the peer hanging up while we reconnect ends it', () => {
    const m = connected();
    m.send({ type: 'ICE_STATE', state: 'failed' });
    m.send({ type: 'REMOTE_BYE', session: 's1' });
    expect(m.state()).toBe('closed');
  });

  it('the channel closing while we reconnect is a lost connection', () => {
    const m = connected();
    m.send({ type: 'ICE_STATE', state: 'failed' });
    m.send({ type: 'CHANNEL_CLOSED' });
    expect(m.context().failure?.code).toBe('lost');
  });

  it('a new request while connected (the peer reloaded) asks our person again', () => {
    const m = connected();
    m.send({ type: 'REQUEST_RECEIVED', session: 'new' });
    expect(m.state()).toBe('incoming');
    expect(m.commands).toEqual([{ type: 'channelDown' }, { type: 'stopRtc' }, { type: 'down' }]);
  });
});

describe('connection machine: after the end', () => {
  it('Retry after a failure makes a new request with a new session', () => {
    const m = start();
    m.send({ type: 'CONNECT' });
    vi.advanceTimersByTime(TIMEOUT);
    expect(m.state()).toBe('failed');
    m.send({ type: 'RETRY' });
    expect(m.state()).toBe('requesting');
    expect(m.context().session).toBe('s2');
    expect(m.context().failure).toBeNull();
  });

  it('Connect after declined, closed; a request in any end state asks our person', () => {
    for (const end of ['declined', 'closed', 'failed'] as const) {
      const m = start();
      m.send({ type: 'CONNECT' });
      if (end === 'declined') m.send({ type: 'DECLINED', session: 's1' });
      if (end === 'closed') m.send({ type: 'DISCONNECT' });
      if (end === 'failed') m.send({ type: 'SIGNAL_EXPIRED', session: 's1' });
      expect(m.state()).toBe(end);
      m.send({ type: 'REQUEST_RECEIVED', session: 'again' });
      expect(m.state()).toBe('incoming');
      m.send({ type: 'DECLINE' });
      m.send({ type: 'CONNECT' });
      expect(m.state()).toBe('requesting');
    }
  });

  it('Dismiss returns to idle and forgets the reason', () => {
    const m = start();
    m.send({ type: 'CONNECT' });
    m.send({ type: 'SIGNAL_EXPIRED', session: 's1' });
    m.send({ type: 'DISMISS' });
    expect(m.state()).toBe('idle');
    expect(m.context().failure).toBeNull();
  });

  it('the timeout and name can change at any time', () => {
    const m = start();
    m.send({ type: 'SET_TIMEOUT', ms: 5_000 });
    m.send({ type: 'SET_NAME', name: 'Robert' });
    m.send({ type: 'CONNECT' });
    vi.advanceTimersByTime(5_000);
    expect(m.context().failure?.text).toBe('Robert did not answer the request');
  });
});

describe('connection machine: commands that carry the state out', () => {
  it('leaving connected says the control channel is down, however it is left', () => {
    const byeFromPeer = connected();
    byeFromPeer.send({ type: 'REMOTE_BYE', session: 's1' });
    expect(byeFromPeer.commands[0]).toEqual({ type: 'channelDown' });
    const channelClosed = connected();
    channelClosed.send({ type: 'CHANNEL_CLOSED' });
    expect(channelClosed.commands[0]).toEqual({ type: 'channelDown' });
    const iceFailed = connected();
    iceFailed.send({ type: 'ICE_STATE', state: 'failed' });
    expect(iceFailed.state()).toBe('reconnecting');
    expect(iceFailed.commands.filter((c) => c.type === 'channelDown')).toHaveLength(1);
  });

  it('ICE wavering inside connected (stable, unstable, stable) is not a channel down', () => {
    const m = connected();
    m.send({ type: 'ICE_STATE', state: 'disconnected' });
    m.send({ type: 'ICE_STATE', state: 'connected' });
    expect(m.state()).toBe('connected.stable');
    expect(m.commands).toEqual([]);
  });

  it('a reconnect that succeeds is up again, and leaving it once more is down again', () => {
    const m = connected();
    m.send({ type: 'ICE_STATE', state: 'failed' });
    m.send({ type: 'ICE_STATE', state: 'connected' });
    expect(m.commands.map((c) => c.type)).toEqual(['channelDown', 'session', 'restartIce', 'session', 'up']);
    m.commands.length = 0;
    m.send({ type: 'DISCONNECT' });
    expect(m.commands[0]).toEqual({ type: 'channelDown' });
  });

  it('a new daemon connection hears again that a session negotiates: requesting, connecting, reconnecting', () => {
    const requesting = start();
    requesting.send({ type: 'CONNECT' });
    requesting.commands.length = 0;
    requesting.send({ type: 'DAEMON_RECONNECTED' });
    expect(requesting.commands).toEqual([{ type: 'session', state: 'connecting' }]);

    const connecting = start();
    connecting.send({ type: 'CONNECT' });
    connecting.send({ type: 'ACCEPTED', session: 's1' });
    connecting.commands.length = 0;
    connecting.send({ type: 'DAEMON_RECONNECTED' });
    expect(connecting.commands).toEqual([{ type: 'session', state: 'connecting' }]);

    const reconnecting = connected();
    reconnecting.send({ type: 'ICE_STATE', state: 'failed' });
    reconnecting.commands.length = 0;
    reconnecting.send({ type: 'DAEMON_RECONNECTED' });
    expect(reconnecting.state()).toBe('reconnecting');
    expect(reconnecting.commands).toEqual([{ type: 'session', state: 'connecting' }]);
  });

  it('a new daemon connection changes nothing in idle, incoming, connected or after the end', () => {
    const idle = start();
    idle.send({ type: 'DAEMON_RECONNECTED' });
    const incoming = start();
    incoming.send({ type: 'REQUEST_RECEIVED', session: 'r1' });
    incoming.send({ type: 'DAEMON_RECONNECTED' });
    const live = connected();
    live.send({ type: 'DAEMON_RECONNECTED' });
    const failed = start();
    failed.send({ type: 'CONNECT' });
    failed.send({ type: 'SIGNAL_FAILED', text: 'x' });
    failed.commands.length = 0;
    failed.send({ type: 'DAEMON_RECONNECTED' });
    expect([idle.state(), incoming.state(), live.state(), failed.state()]).toEqual(['idle', 'incoming', 'connected.stable', 'failed']);
    expect([...idle.commands, ...incoming.commands, ...live.commands, ...failed.commands]).toEqual([]);
  });
});

describe('connection view', () => {
  it('every state has its label and buttons', () => {
    const ctx = { peerName: 'Bob', failure: { code: 'lost' as const, text: 'Lost the connection to Bob' }, ended: null, notice: null };
    const labels = Object.fromEntries(
      (['idle', 'requesting', 'incoming', 'connecting', 'connected', 'reconnecting', 'failed', 'declined', 'closed'] as const).map(
        (s) => [s, describeConnection(s, ctx).label],
      ),
    );
    expect(labels).toEqual({
      idle: '',
      requesting: 'Waiting for Bob to accept',
      incoming: 'Bob wants to connect',
      connecting: 'Connecting',
      connected: 'Connected',
      reconnecting: 'Reconnecting',
      failed: 'Failed',
      declined: 'Declined',
      closed: 'Ended',
    });
    expect(describeConnection('connected', ctx).actions.disconnect).toBe(true);
    expect(describeConnection('idle', ctx).actions.connect).toBe(true);
    expect(describeConnection('failed', ctx).detail).toBe('Lost the connection to Bob');
  });

  it('state names of nested states', () => {
    expect(topState({ connected: 'unstable' })).toBe('connected');
    expect(stateText({ connected: 'unstable' })).toBe('connected.unstable');
    expect(topState('idle')).toBe('idle');
  });
});
