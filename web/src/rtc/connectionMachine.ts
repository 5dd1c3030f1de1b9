// One peer connection's lifecycle as an XState v5 machine: the single source of
// truth from which the UI derives every label and button. The machine is pure:
// it never touches the network; it emits commands ("send a connection_request",
// "start WebRTC", "restart ICE", ...) that PeerController carries out, and it is
// fed events (user intents, signals from the peer, WebRTC state changes).

import { assign, emit, setup } from 'xstate';
import { randomId } from '../util/timers';

export type FailureCode =
  | 'no_answer'
  | 'peer_offline'
  | 'unreachable'
  | 'ice_failed'
  | 'channel_failed'
  | 'lost'
  | 'signaling';

export interface Failure {
  code: FailureCode;
  /** A sentence for a person. */
  text: string;
}

export type Role = 'requester' | 'accepter';

/** What an attempt had to find a route with: the relays among its ICE servers, and the force-relay switch. */
export interface IcePlan {
  /** Hosts of the turn:/turns: servers the connection was given; empty: no relay. */
  relays: string[];
  /** iceTransportPolicy 'relay' (the debug panel's "Force relay"): only relayed routes are tried. */
  forceRelay: boolean;
}

export interface ConnectionContext {
  selfId: string;
  peerId: string;
  peerName: string;
  /** The current session id (our request's, or the request we are answering). */
  session: string | null;
  role: Role | null;
  timeoutMs: number;
  failure: Failure | null;
  /** Why the last connection ended (closed state), e.g. "Bob disconnected". */
  ended: string | null;
  /** A non-fatal remark, e.g. that the peer is offline while we wait for it. */
  notice: string | null;
  /** The daemon said the peer is offline when it queued our request. */
  peerOffline: boolean;
  /** ICE reached connected/completed during this attempt. */
  iceConnected: boolean;
  /** How many times ICE was restarted in the current reconnect. */
  iceRestarts: number;
  /** The ICE servers of this attempt, as far as routes go; null until they are known. */
  ice: IcePlan | null;
  createSessionId: () => string;
}

export type IceState = 'new' | 'checking' | 'connected' | 'completed' | 'disconnected' | 'failed' | 'closed';

export type ConnectionEvent =
  | { type: 'CONNECT' }
  | { type: 'RETRY' }
  | { type: 'ACCEPT' }
  | { type: 'DECLINE' }
  | { type: 'DISCONNECT' }
  | { type: 'DISMISS' }
  | { type: 'REQUEST_RECEIVED'; session: string; name?: string }
  | { type: 'ACCEPTED'; session: string }
  | { type: 'DECLINED'; session: string }
  /** The peer ended the session; `reason` is its failure code when it gave up, else "hangup". */
  | { type: 'REMOTE_BYE'; session: string; reason?: string }
  /** Another tab of this machine answered the request `session`. */
  | { type: 'TAKEN_ELSEWHERE'; session: string }
  | { type: 'REQUEST_QUEUED'; peerOnline: boolean }
  | { type: 'SIGNAL_EXPIRED'; session: string }
  | { type: 'SIGNAL_FAILED'; text: string }
  | { type: 'ICE_STATE'; state: IceState }
  | { type: 'CHANNEL_OPEN' }
  | { type: 'CHANNEL_CLOSED' }
  | { type: 'SET_TIMEOUT'; ms: number }
  | { type: 'SET_NAME'; name: string }
  /** The ICE servers (and policy) the RTCPeerConnection uses now. */
  | { type: 'ICE_PLAN'; plan: IcePlan }
  /** The page has a new connection to its daemon, which knows no sessions of it yet. */
  | { type: 'DAEMON_RECONNECTED' };

export type SessionState = 'connecting' | 'established' | 'closed';

/** What the machine asks its owner to do. */
export type ConnectionCommand =
  | { type: 'send'; kind: 'connection_request' | 'connection_accept' | 'connection_decline'; session: string }
  /** `reason`: our failure code when we gave up, "hangup" when our person ended it. */
  | { type: 'send'; kind: 'bye'; session: string; reason: string }
  | { type: 'startRtc'; session: string; offerer: boolean; polite: boolean }
  | { type: 'stopRtc' }
  | { type: 'restartIce' }
  | { type: 'session'; state: SessionState }
  /** The control channel is usable: first open, or back after an ICE restart. */
  | { type: 'up' }
  /** The control channel is no longer usable (connected was left); `up` follows if it comes back. */
  | { type: 'channelDown' }
  /** The connection is gone for good (failed, closed or declined). */
  | { type: 'down' };

export interface ConnectionInput {
  selfId: string;
  peerId: string;
  peerName: string;
  timeoutMs?: number;
  createSessionId?: () => string;
}

/** How long ICE may stay `disconnected` before we restart it. */
export const DISCONNECTED_GRACE_MS = 5_000;

/** The polite side of perfect negotiation: the lexicographically smaller peer id. */
export function isPolite(selfId: string, peerId: string): boolean {
  return selfId < peerId;
}

/** Both sides asked at once: the request of the side with the larger id wins. */
export function remoteRequestWins(selfId: string, peerId: string): boolean {
  return selfId < peerId;
}

const RELAY_SETTING = 'Settings \u2192 Run a relay on this computer';
/** Where a relay helps: a peer's relay serves connections with that peer, to peers its user trusts. */
export const RELAY_WHERE = 'on one of the two computers, with \u201cAlways accept\u201d ticked there for the other';

/**
 * ICE found no route: with no relay in the list the two computers need one (say
 * where to turn it on); with relays, those could not be reached either.
 */
export function noRouteText(name: string, ice: IcePlan | null): string {
  if (!ice) return `No route to ${name} was found (ICE failed)`;
  const { relays, forceRelay } = ice;
  if (relays.length === 0) {
    if (forceRelay) {
      return (
        `No route to ${name}: Force relay is on, but no relay is available. Turn on the relay (${RELAY_SETTING}) ` +
        `${RELAY_WHERE}, or turn Force relay off, then try again.`
      );
    }
    return (
      `No route to ${name}: the two computers cannot reach each other directly (a firewall may block WebRTC), ` +
      `and no relay is available. Turn on the relay (${RELAY_SETTING}) ${RELAY_WHERE}, then try again.`
    );
  }
  const through = relays.length === 1 ? `the relay (${relays[0]})` : `the relays (${relays.join(', ')})`;
  const reach = relays.length === 1 ? 'it' : 'one of them';
  if (forceRelay) {
    return `No route to ${name} through ${through} (Force relay is on, so only relays were tried): check that both computers can reach ${reach}.`;
  }
  return `No route to ${name}, not even through ${through}: check that both computers can reach ${reach}.`;
}

export function failureText(code: FailureCode, name: string, ice: IcePlan | null = null): string {
  switch (code) {
    case 'no_answer':
      return `${name} did not answer the request`;
    case 'peer_offline':
      return `${name}'s computer is offline, so the request was not answered`;
    case 'unreachable':
      return `${name}'s computer could not be reached (the request was not delivered)`;
    case 'ice_failed':
      return noRouteText(name, ice);
    case 'channel_failed':
      return `The connection to ${name} opened but its data channel did not`;
    case 'lost':
      return ice?.forceRelay && ice.relays.length === 0
        ? `Lost the connection to ${name}: Force relay is on, but no relay is available`
        : `Lost the connection to ${name}`;
    case 'signaling':
      return `Could not reach ${name} through PeerDrop on this computer`;
  }
}

/** The failure codes a peer's bye may carry that mean the same for us. */
function peerFailure(reason: string | undefined): FailureCode | null {
  return reason === 'ice_failed' || reason === 'channel_failed' || reason === 'lost' ? reason : null;
}

export const connectionMachine = setup({
  types: {
    context: {} as ConnectionContext,
    events: {} as ConnectionEvent,
    input: {} as ConnectionInput,
    emitted: {} as ConnectionCommand,
  },
  delays: {
    connectTimeout: ({ context }) => context.timeoutMs,
    disconnectedGrace: DISCONNECTED_GRACE_MS,
  },
  guards: {
    ourSession: ({ context, event }) => 'session' in event && event.session === context.session,
    otherSession: ({ context, event }) => 'session' in event && event.session !== context.session,
    remoteWinsGlare: ({ context }) => remoteRequestWins(context.selfId, context.peerId),
    iceUp: ({ event }) => event.type === 'ICE_STATE' && (event.state === 'connected' || event.state === 'completed'),
    iceFailed: ({ event }) => event.type === 'ICE_STATE' && event.state === 'failed',
    iceDisconnected: ({ event }) => event.type === 'ICE_STATE' && event.state === 'disconnected',
    iceWasUp: ({ context }) => context.iceConnected,
    peerGaveUp: ({ context, event }) =>
      event.type === 'REMOTE_BYE' && event.session === context.session && peerFailure(event.reason) !== null,
    peerWasOffline: ({ context }) => context.peerOffline,
  },
  actions: {
    newSession: assign(({ context }) => ({
      session: context.createSessionId(),
      role: 'requester' as const,
      failure: null,
      ended: null,
      notice: null,
      peerOffline: false,
      iceConnected: false,
      ice: null,
    })),
    adoptRequest: assign(({ event }) => ({
      session: event.type === 'REQUEST_RECEIVED' ? event.session : null,
      role: 'accepter' as const,
      failure: null,
      ended: null,
      notice: null,
      peerOffline: false,
      iceConnected: false,
      ice: null,
    })),
    sendRequest: emit(({ context }) => ({
      type: 'send' as const,
      kind: 'connection_request' as const,
      session: context.session ?? '',
    })),
    sendAccept: emit(({ context }) => ({
      type: 'send' as const,
      kind: 'connection_accept' as const,
      session: context.session ?? '',
    })),
    sendDecline: emit(({ context }) => ({
      type: 'send' as const,
      kind: 'connection_decline' as const,
      session: context.session ?? '',
    })),
    sendBye: emit(({ context }) => ({
      type: 'send' as const,
      kind: 'bye' as const,
      session: context.session ?? '',
      reason: context.failure?.code ?? 'hangup',
    })),
    // The peer gave up with a reason we share (it found no path, or lost it): say so in our words.
    failLikePeer: assign(({ context, event }) => {
      const code = event.type === 'REMOTE_BYE' ? peerFailure(event.reason) : null;
      return code ? { failure: { code, text: failureText(code, context.peerName, context.ice) } } : {};
    }),
    startRtc: emit(({ context }) => ({
      type: 'startRtc' as const,
      session: context.session ?? '',
      offerer: context.role === 'requester',
      polite: isPolite(context.selfId, context.peerId),
    })),
    stopRtc: emit({ type: 'stopRtc' as const }),
    restartIce: emit({ type: 'restartIce' as const }),
    countRestart: assign(({ context }) => ({ iceRestarts: context.iceRestarts + 1 })),
    resetRestarts: assign({ iceRestarts: 0 }),
    reportConnecting: emit({ type: 'session' as const, state: 'connecting' as const }),
    reportEstablished: emit({ type: 'session' as const, state: 'established' as const }),
    reportClosed: emit({ type: 'session' as const, state: 'closed' as const }),
    up: emit({ type: 'up' as const }),
    down: emit({ type: 'down' as const }),
    channelDown: emit({ type: 'channelDown' as const }),
    markIceUp: assign({ iceConnected: true }),
    notePeerOnline: assign(({ context, event }) => {
      if (event.type !== 'REQUEST_QUEUED') return {};
      return {
        peerOffline: !event.peerOnline,
        notice: event.peerOnline
          ? null
          : `${context.peerName}'s computer is offline right now; the request waits for it to come back`,
      };
    }),
    clearNotice: assign({ notice: null }),
    noteWithdrawn: assign(({ context }) => ({ notice: `${context.peerName} withdrew the request`, session: null })),
    noteTakenElsewhere: assign({ notice: 'Answered in another PeerDrop tab', session: null }),
    noteMissed: assign(({ context }) => ({ notice: `You missed a connection request from ${context.peerName}` })),
    endedByPeer: assign(({ context }) => ({ ended: `${context.peerName} disconnected` })),
    endedByUs: assign({ ended: 'You ended the connection' }),
    fail: assign(({ context }, params: { code: FailureCode }) => ({
      failure: { code: params.code, text: failureText(params.code, context.peerName, context.ice) },
    })),
    failSignaling: assign(({ context, event }) => ({
      failure: {
        code: 'signaling' as const,
        text: event.type === 'SIGNAL_FAILED' ? event.text : failureText('signaling', context.peerName),
      },
    })),
    setTimeoutMs: assign(({ context, event }) => ({
      timeoutMs: event.type === 'SET_TIMEOUT' && event.ms > 0 ? event.ms : context.timeoutMs,
    })),
    setIcePlan: assign(({ context, event }) => ({
      ice: event.type === 'ICE_PLAN' ? { relays: [...event.plan.relays], forceRelay: event.plan.forceRelay } : context.ice,
    })),
    setName: assign(({ context, event }) => ({
      peerName: event.type === 'SET_NAME' && event.name ? event.name : context.peerName,
    })),
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => ({
    selfId: input.selfId,
    peerId: input.peerId,
    peerName: input.peerName,
    session: null,
    role: null,
    timeoutMs: input.timeoutMs ?? 30_000,
    failure: null,
    ended: null,
    notice: null,
    peerOffline: false,
    iceConnected: false,
    iceRestarts: 0,
    ice: null,
    createSessionId: input.createSessionId ?? randomId,
  }),
  initial: 'idle',
  on: {
    SET_TIMEOUT: { actions: 'setTimeoutMs' },
    SET_NAME: { actions: 'setName' },
    ICE_PLAN: { actions: 'setIcePlan' },
  },
  states: {
    idle: {
      on: {
        CONNECT: 'requesting',
        REQUEST_RECEIVED: { target: 'incoming', actions: 'adoptRequest' },
      },
    },

    // We asked; waiting for the peer's person to accept.
    requesting: {
      entry: ['newSession', 'sendRequest', 'reportConnecting'],
      after: {
        connectTimeout: [
          { guard: 'peerWasOffline', target: 'failed', actions: [{ type: 'fail', params: { code: 'peer_offline' } }, 'sendBye'] },
          { target: 'failed', actions: [{ type: 'fail', params: { code: 'no_answer' } }, 'sendBye'] },
        ],
      },
      on: {
        DAEMON_RECONNECTED: { actions: 'reportConnecting' },
        REQUEST_QUEUED: { actions: 'notePeerOnline' },
        ACCEPTED: { guard: 'ourSession', target: 'connecting', actions: 'clearNotice' },
        DECLINED: { guard: 'ourSession', target: 'declined' },
        SIGNAL_EXPIRED: { guard: 'ourSession', target: 'failed', actions: { type: 'fail', params: { code: 'unreachable' } } },
        SIGNAL_FAILED: { target: 'failed', actions: 'failSignaling' },
        // Glare: both asked. The smaller id withdraws its own request and accepts the other.
        REQUEST_RECEIVED: [
          { guard: 'remoteWinsGlare', target: 'connecting', actions: ['sendBye', 'adoptRequest', 'sendAccept'] },
          // Ours wins. Send it again: if that tab never saw it (opened after it arrived), now it does.
          { actions: 'sendRequest' },
        ],
        DISCONNECT: { target: 'closed', actions: ['sendBye', 'endedByUs'] },
      },
    },

    // The peer asked; our person decides (the dialog).
    incoming: {
      after: {
        connectTimeout: { target: 'idle', actions: 'noteMissed' },
      },
      on: {
        ACCEPT: { target: 'connecting', actions: ['sendAccept', 'reportConnecting'] },
        CONNECT: { target: 'connecting', actions: ['sendAccept', 'reportConnecting'] },
        DECLINE: { target: 'idle', actions: 'sendDecline' },
        REMOTE_BYE: { guard: 'ourSession', target: 'idle', actions: 'noteWithdrawn' },
        TAKEN_ELSEWHERE: { guard: 'ourSession', target: 'idle', actions: 'noteTakenElsewhere' },
        REQUEST_RECEIVED: { guard: 'otherSession', target: 'incoming', reenter: true, actions: 'adoptRequest' },
      },
    },

    // Accepted: WebRTC negotiation until the control channel opens.
    connecting: {
      entry: ['startRtc', 'reportConnecting'],
      after: {
        connectTimeout: [
          { guard: 'iceWasUp', target: 'failed', actions: [{ type: 'fail', params: { code: 'channel_failed' } }, 'sendBye'] },
          { target: 'failed', actions: [{ type: 'fail', params: { code: 'ice_failed' } }, 'sendBye'] },
        ],
      },
      on: {
        DAEMON_RECONNECTED: { actions: 'reportConnecting' },
        ICE_STATE: [
          { guard: 'iceUp', actions: 'markIceUp' },
          { guard: 'iceFailed', target: 'failed', actions: [{ type: 'fail', params: { code: 'ice_failed' } }, 'sendBye'] },
        ],
        CHANNEL_OPEN: 'connected',
        REMOTE_BYE: [
          { guard: 'peerGaveUp', target: 'failed', actions: 'failLikePeer' },
          { guard: 'ourSession', target: 'closed', actions: 'endedByPeer' },
        ],
        SIGNAL_EXPIRED: { guard: 'ourSession', target: 'failed', actions: { type: 'fail', params: { code: 'unreachable' } } },
        SIGNAL_FAILED: { target: 'failed', actions: 'failSignaling' },
        DISCONNECT: { target: 'closed', actions: ['sendBye', 'endedByUs'] },
        // A new request while we negotiate: the peer started over (e.g. reloaded its page).
        REQUEST_RECEIVED: { guard: 'otherSession', target: 'incoming', actions: ['stopRtc', 'adoptRequest'] },
      },
    },

    connected: {
      entry: ['markIceUp', 'resetRestarts', 'reportEstablished', 'up'],
      exit: 'channelDown',
      initial: 'stable',
      states: {
        stable: {
          on: {
            ICE_STATE: [
              { guard: 'iceDisconnected', target: 'unstable' },
              { guard: 'iceFailed', target: '#connection.reconnecting' },
            ],
          },
        },
        // ICE is `disconnected`: it often comes back by itself; restart it if not within the grace time.
        unstable: {
          after: { disconnectedGrace: '#connection.reconnecting' },
          on: {
            ICE_STATE: [
              { guard: 'iceUp', target: 'stable' },
              { guard: 'iceFailed', target: '#connection.reconnecting' },
            ],
          },
        },
      },
      on: {
        REMOTE_BYE: { guard: 'ourSession', target: 'closed', actions: 'endedByPeer' },
        // The peer closed its side (or its tab): the channel closes before its bye arrives.
        CHANNEL_CLOSED: { target: 'closed', actions: 'endedByPeer' },
        DISCONNECT: { target: 'closed', actions: ['sendBye', 'endedByUs'] },
        REQUEST_RECEIVED: { guard: 'otherSession', target: 'incoming', actions: ['stopRtc', 'down', 'adoptRequest'] },
      },
    },

    // An established connection dropped: ICE restart until it is back or the timeout passes.
    reconnecting: {
      entry: ['reportConnecting', 'countRestart', 'restartIce'],
      after: {
        connectTimeout: { target: 'failed', actions: [{ type: 'fail', params: { code: 'lost' } }, 'sendBye'] },
      },
      on: {
        DAEMON_RECONNECTED: { actions: 'reportConnecting' },
        ICE_STATE: [
          { guard: 'iceUp', target: 'connected' },
          // A restart that failed too: try again (the timeout above still runs).
          { guard: 'iceFailed', actions: ['countRestart', 'restartIce'] },
        ],
        REMOTE_BYE: [
          { guard: 'peerGaveUp', target: 'failed', actions: 'failLikePeer' },
          { guard: 'ourSession', target: 'closed', actions: 'endedByPeer' },
        ],
        CHANNEL_CLOSED: { target: 'failed', actions: { type: 'fail', params: { code: 'lost' } } },
        DISCONNECT: { target: 'closed', actions: ['sendBye', 'endedByUs'] },
        REQUEST_RECEIVED: { guard: 'otherSession', target: 'incoming', actions: ['stopRtc', 'down', 'adoptRequest'] },
      },
    },

    failed: {
      entry: ['stopRtc', 'reportClosed', 'down'],
      on: {
        RETRY: 'requesting',
        CONNECT: 'requesting',
        DISMISS: { target: 'idle', actions: assign({ failure: null }) },
        REQUEST_RECEIVED: { target: 'incoming', actions: 'adoptRequest' },
      },
    },

    declined: {
      entry: ['stopRtc', 'reportClosed', 'down'],
      on: {
        CONNECT: 'requesting',
        RETRY: 'requesting',
        DISMISS: 'idle',
        REQUEST_RECEIVED: { target: 'incoming', actions: 'adoptRequest' },
      },
    },

    closed: {
      entry: ['stopRtc', 'reportClosed', 'down'],
      on: {
        CONNECT: 'requesting',
        RETRY: 'requesting',
        DISMISS: { target: 'idle', actions: assign({ ended: null }) },
        REQUEST_RECEIVED: { target: 'incoming', actions: 'adoptRequest' },
      },
    },
  },
});

export type ConnectionMachine = typeof connectionMachine;

/** The top-level state names. */
export type ConnectionStateName =
  | 'idle'
  | 'requesting'
  | 'incoming'
  | 'connecting'
  | 'connected'
  | 'reconnecting'
  | 'failed'
  | 'declined'
  | 'closed';

export function topState(value: unknown): ConnectionStateName {
  if (typeof value === 'string') return value as ConnectionStateName;
  if (value && typeof value === 'object') return Object.keys(value)[0] as ConnectionStateName;
  return 'idle';
}

/** "connected.unstable" style text of a state value, for the transition log. */
export function stateText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [key, child] = Object.entries(value)[0] ?? ['?', ''];
    return `${key}.${stateText(child)}`;
  }
  return String(value);
}
