// What the UI shows for a connection state: the label, the sentence under it and
// which buttons apply. Derived from the machine only.

import type { ConnectionContext, ConnectionStateName } from './connectionMachine';

export interface ConnectionActions {
  connect: boolean;
  cancel: boolean;
  disconnect: boolean;
  retry: boolean;
  /** Clears an ended attempt's words (failed, declined, ended). */
  dismiss: boolean;
  /** The peer can be forgotten: no connection is live or being made. */
  forget: boolean;
}

export interface ConnectionView {
  state: ConnectionStateName;
  /** Short state text shown in the peer item ("Connecting", "Connected", ...); empty when idle. */
  label: string;
  /** A sentence: why it failed, who ended it, what we wait for. */
  detail: string | null;
  /** The detail is a problem (shown as an error). */
  problem: boolean;
  actions: ConnectionActions;
  /** A chat box makes sense (connected, or reconnecting with messages kept). */
  chat: boolean;
  /** The control channel is open: chat messages and files go now. */
  live: boolean;
  /** The route's quality is worth showing (connected or reconnecting). */
  showsQuality: boolean;
  /** No connection, none being made and nothing to say about the last one: Connect sends a request. */
  idle: boolean;
}

type ViewContext = Pick<ConnectionContext, 'peerName' | 'failure' | 'ended' | 'notice'>;

const none: ConnectionActions = { connect: false, cancel: false, disconnect: false, retry: false, dismiss: false, forget: false };
/** An attempt that is over (failed, declined, ended): its words can be dismissed, the peer forgotten. */
const over: ConnectionActions = { ...none, dismiss: true, forget: true };
const quiet = { live: false, showsQuality: false, idle: false };

/** `unstable`: connected, but ICE reports the path as disconnected right now. */
export function describeConnection(state: ConnectionStateName, context: ViewContext, unstable = false): ConnectionView {
  const name = context.peerName;
  switch (state) {
    case 'idle':
      return {
        state,
        label: '',
        detail: context.notice,
        problem: false,
        actions: { ...none, connect: true, forget: true },
        chat: false,
        ...quiet,
        idle: true,
      };
    case 'requesting':
      return {
        state,
        label: `Waiting for ${name} to accept`,
        detail: context.notice,
        problem: false,
        actions: { ...none, cancel: true },
        chat: false,
        ...quiet,
      };
    case 'incoming':
      return {
        state,
        label: `${name} wants to connect`,
        detail: null,
        problem: false,
        // Connect here accepts: both people asked for the same thing.
        actions: { ...none, connect: true },
        chat: false,
        ...quiet,
      };
    case 'connecting':
      return { state, label: 'Connecting', detail: null, problem: false, actions: { ...none, cancel: true }, chat: false, ...quiet };
    case 'connected':
      return {
        state,
        label: 'Connected',
        detail: unstable ? `Nothing is getting through to ${name} right now; waiting for the connection to recover` : null,
        problem: false,
        actions: { ...none, disconnect: true },
        chat: true,
        live: true,
        showsQuality: true,
        idle: false,
      };
    case 'reconnecting':
      return {
        state,
        label: 'Reconnecting',
        detail: `The connection to ${name} dropped; trying to restore it`,
        problem: false,
        actions: { ...none, disconnect: true },
        chat: true,
        live: false,
        showsQuality: true,
        idle: false,
      };
    case 'failed':
      return {
        state,
        label: 'Failed',
        detail: context.failure?.text ?? null,
        problem: true,
        actions: { ...over, retry: true },
        chat: false,
        ...quiet,
      };
    case 'declined':
      return {
        state,
        label: 'Declined',
        detail: `${name} declined the connection`,
        problem: true,
        actions: { ...over, connect: true },
        chat: false,
        ...quiet,
      };
    case 'closed':
      return {
        state,
        label: 'Ended',
        detail: context.ended,
        problem: false,
        actions: { ...over, connect: true },
        chat: false,
        ...quiet,
      };
  }
}
