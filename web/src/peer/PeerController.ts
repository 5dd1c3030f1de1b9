// Everything about one peer: its connection machine, the WebRTC session the
// machine asks for, the chat over the control channel, quality sampling and
// the debug log. It carries out the machine's commands and turns signals,
// daemon answers and WebRTC events into machine events. No React here.

import { createActor, type Actor, type SnapshotFrom } from 'xstate';
import type { IceServer, IncomingSignalMessage, JsonObject, Peer, SignalKind } from '../daemon/protocol';
import { ChatSession, type ChatMessage } from '../chat/ChatSession';
import { CONTROL_PROTOCOL_VERSION, encodeControlMessage } from '../chat/controlProtocol';
import { errorText } from '../rtc/CandidateBuffer';
import {
  connectionMachine,
  stateText,
  topState,
  type ConnectionCommand,
  type ConnectionContext,
  type ConnectionEvent,
  type ConnectionStateName,
  type IceState,
} from '../rtc/connectionMachine';
import { describeConnection, type ConnectionView } from '../rtc/connectionView';
import { DebugLog, truncate, type DebugEntry } from '../rtc/DebugLog';
import {
  PeerSession,
  type IceTransportPolicy,
  type NegotiationSignalKind,
  type PeerConnectionFactory,
} from '../rtc/PeerSession';
import { relayHosts } from '../rtc/iceServers';
import type { StorageLike } from '../settings/theme';
import type { PeerLink } from '../transfer/PeerLink';
import type { FileChannel } from '../transfer/FileChannel';
import type { TransferControlMessage } from '../transfer/wire';
import { routeText, summarizeStats, type QualitySample } from '../rtc/quality';
import { demuxControl, logsTransferMessage } from './controlDemux';
import { Emitter, realTimers, type TimerHandle, type Timers } from '../util/timers';

export interface OutgoingSignal {
  kind: SignalKind;
  session: string;
  payload: JsonObject;
  ttlMs: number;
}

export interface PeerControllerDeps {
  selfId: string;
  selfName: () => string;
  /** Queues a signal at the daemon; false when the daemon is not connected. */
  sendSignal: (peerId: string, signal: OutgoingSignal) => boolean;
  /** Tells the daemon the session state (it keeps a long-poll while "connecting"). */
  reportSession: (peerId: string, state: 'connecting' | 'established' | 'closed') => void;
  /** Asks the daemon which ICE servers to use for this peer. */
  requestIceServers: (peerId: string) => Promise<IceServer[]>;
  createPeerConnection: PeerConnectionFactory;
  timers?: Timers;
  /** Monotonic ms for benchmark timings (performance.now in the browser). */
  monotonicNow?: () => number;
  timeoutMs?: number;
  /** The user trusts this peer (always accept): its connection requests are accepted at once. */
  autoAccept?: () => boolean;
  createSessionId?: () => string;
  createChatId?: () => string;
  statsIntervalMs?: number;
  /** Where "Force relay" is remembered for the page session (sessionStorage in the browser). */
  storage?: StorageLike | null;
}

export interface Timing {
  clickedAt?: number;
  openAt?: number;
}

export interface PeerView {
  peer: Peer;
  connection: ConnectionView;
  /** e.g. "connected.unstable" */
  stateDetail: string;
  session: string | null;
  role: ConnectionContext['role'];
  /** The pending incoming request, while the machine waits for our person. */
  incoming: { session: string; name: string } | null;
  chat: readonly ChatMessage[];
  quality: QualitySample | null;
  debug: readonly DebugEntry[];
  /** Problems worth showing next to the peer (malformed candidates, key changes, ...). */
  warnings: readonly string[];
  remoteName: string | null;
  timing: Timing;
  /** "Force relay (troubleshooting)": connections to this peer may only use relayed routes. */
  forceRelay: boolean;
  /**
   * The open connection was made under the other setting: Force relay applies
   * when a connection starts (disconnect and connect again to use it now).
   */
  forceRelayPending: boolean;
  /** Hosts of the relays among the ICE servers of the current (or last) attempt; null before the first. */
  relays: readonly string[] | null;
}

/** What the transfers of this peer hear from its connection. */
export type PeerTransferEvent =
  /** The control channel is usable (opened, or back after an ICE restart or in a new session). */
  | { type: 'up' }
  /** The connection is interrupted or over. */
  | { type: 'down' }
  | { type: 'control'; message: TransferControlMessage }
  | { type: 'channel'; channel: FileChannel };

const BYE_TTL_MS = 30_000;
/** sessionStorage key prefix of the per-peer force-relay switch. */
export const FORCE_RELAY_KEY = 'peerdrop.forceRelay.';

type ConnectionSnapshot = SnapshotFrom<typeof connectionMachine>;

export class PeerController {
  readonly peerId: string;
  private peer: Peer;
  private readonly actor: Actor<typeof connectionMachine>;
  private readonly chat: ChatSession;
  private readonly log: DebugLog;
  private readonly timers: Timers;
  private readonly monotonicNow: () => number;
  private readonly changes = new Emitter<void>();
  private readonly transferEvents = new Emitter<PeerTransferEvent>();
  private rtc: PeerSession | null = null;
  /** Whether `rtc` was made with Force relay on. */
  private rtcForcedRelay = false;
  private rtcSessionId: string | null = null;
  /** Signals of the current session that arrived before the RTCPeerConnection existed. */
  private pending: IncomingSignalMessage[] = [];
  private statsTimer: TimerHandle | null = null;
  private quality: QualitySample | null = null;
  private warnings: string[] = [];
  private remoteName: string | null = null;
  private timing: Timing = {};
  private lastState = 'idle';
  private cachedView: PeerView | null = null;
  private disposed = false;
  private forceRelay: boolean;
  /** The ICE servers the RTCPeerConnection of this attempt uses (null before the first attempt). */
  private iceServers: IceServer[] | null = null;

  constructor(
    peer: Peer,
    private readonly deps: PeerControllerDeps,
  ) {
    this.peerId = peer.id;
    this.peer = peer;
    this.timers = deps.timers ?? realTimers;
    this.monotonicNow = deps.monotonicNow ?? (() => globalThis.performance?.now() ?? this.timers.now());
    this.forceRelay = readFlag(deps.storage ?? null, FORCE_RELAY_KEY + peer.id);
    this.log = new DebugLog(() => this.timers.now());
    this.chat = new ChatSession({
      send: (frame) => this.rtc?.send(frame) ?? false,
      timers: this.timers,
      ...(deps.createChatId ? { createId: deps.createChatId } : {}),
    });
    this.chat.onChange(() => this.changed());
    this.actor = createActor(connectionMachine, {
      input: {
        selfId: deps.selfId,
        peerId: peer.id,
        peerName: peer.name,
        timeoutMs: deps.timeoutMs ?? 30_000,
        ...(deps.createSessionId ? { createSessionId: deps.createSessionId } : {}),
      },
    });
    this.actor.on('*', (command) => this.execute(command as ConnectionCommand));
    this.actor.subscribe((snapshot) => this.onSnapshot(snapshot));
    this.actor.start();
  }

  // ---- intents from the person ----

  connect(): void {
    this.timing = { clickedAt: this.monotonicNow() };
    this.send({ type: this.state === 'failed' ? 'RETRY' : 'CONNECT' });
  }

  retry(): void {
    this.timing = { clickedAt: this.monotonicNow() };
    this.send({ type: 'RETRY' });
  }

  accept(): void {
    this.send({ type: 'ACCEPT' });
  }

  decline(): void {
    this.send({ type: 'DECLINE' });
  }

  disconnect(): void {
    this.send({ type: 'DISCONNECT' });
  }

  dismiss(): void {
    this.send({ type: 'DISMISS' });
  }

  /**
   * "Force relay (troubleshooting)": only relayed routes, from the next
   * connection on (the RTCPeerConnection is made with iceTransportPolicy
   * 'relay'). Remembered for the page session. A live connection keeps its
   * route: Chromium lets setConfiguration change the policy, but after the
   * ICE restart it still pairs the ports it gathered before (measured in the
   * lab with Chromium 156: the direct pair stayed selected, or a new direct
   * one was found through a peer-reflexive candidate), so switching in place
   * would claim a relay that is not used.
   */
  setForceRelay(on: boolean): void {
    if (on === this.forceRelay) return;
    this.forceRelay = on;
    writeFlag(this.deps.storage ?? null, FORCE_RELAY_KEY + this.peerId, on);
    const applies = this.rtc && this.rtcForcedRelay !== on ? ': applies from the next connection' : '';
    this.log.add('rtc', `force relay ${on ? 'on' : 'off'}${applies}`);
    this.changed();
  }

  sendChat(text: string): ChatMessage | null {
    return this.chat.send(text);
  }

  resendChat(id: string): void {
    this.chat.resend(id);
  }

  // ---- from the daemon ----

  updatePeer(peer: Peer): void {
    if (peer.name !== this.peer.name) this.send({ type: 'SET_NAME', name: peer.name });
    this.peer = peer;
    this.changed();
  }

  /** The page has a new daemon connection: a session still negotiating is reported again (its long-poll). */
  daemonReconnected(): void {
    this.send({ type: 'DAEMON_RECONNECTED' });
  }

  setTimeoutMs(ms: number): void {
    this.send({ type: 'SET_TIMEOUT', ms });
  }

  handleSignal(message: IncomingSignalMessage): void {
    this.log.add('signal-in', `${message.kind} session=${short(message.session)} ${summarizePayload(message.payload)}`);
    const context = this.context;
    switch (message.kind) {
      case 'connection_request': {
        const name = typeof message.payload.name === 'string' ? message.payload.name : this.peer.name;
        this.send({ type: 'REQUEST_RECEIVED', session: message.session, name });
        if (this.state === 'incoming' && this.deps.autoAccept?.()) {
          this.log.add('state', 'accepting at once: this peer is on the always-accept list');
          this.send({ type: 'ACCEPT' });
        }
        break;
      }
      case 'connection_accept':
        this.send({ type: 'ACCEPTED', session: message.session });
        break;
      case 'connection_decline':
        this.send({ type: 'DECLINED', session: message.session });
        break;
      case 'bye': {
        const reason = typeof message.payload.reason === 'string' ? message.payload.reason : undefined;
        this.send({ type: 'REMOTE_BYE', session: message.session, ...(reason ? { reason } : {}) });
        break;
      }
      case 'offer':
      case 'answer':
      case 'ice_candidate':
        if (message.session !== context.session) {
          this.log.add('signal-in', `ignored ${message.kind} of another session (${short(message.session)})`);
        } else if (this.rtc && this.rtcSessionId === message.session) {
          void this.rtc.handleSignal(message.kind, message.payload);
        } else if (this.rtcSessionId === message.session) {
          this.pending.push(message); // the RTCPeerConnection is being made (ICE servers asked for)
        } else {
          this.log.add('signal-in', `ignored ${message.kind}: no connection is being negotiated`);
        }
        break;
      default:
        this.log.add('signal-in', `ignored a signal of kind "${message.kind}"`);
    }
    this.changed();
  }

  /** The daemon queued one of our signals. */
  signalQueued(kind: SignalKind, _session: string, peerOnline: boolean): void {
    if (kind === 'connection_request') this.send({ type: 'REQUEST_QUEUED', peerOnline });
  }

  /** One of our signals expired undelivered. */
  signalExpired(kind: SignalKind, session: string, error: string): void {
    this.log.add('error', `${kind} session=${short(session)} expired undelivered: ${error}`);
    if (kind !== 'bye') this.send({ type: 'SIGNAL_EXPIRED', session });
    this.changed();
  }

  /** The daemon refused one of our signals. */
  signalRefused(kind: SignalKind, session: string, error: string): void {
    this.log.add('error', `${kind} session=${short(session)} refused by the daemon: ${error}`);
    if (kind !== 'bye' && session === this.context.session) {
      this.send({ type: 'SIGNAL_FAILED', text: `Could not send to ${this.peer.name}: ${error}` });
    }
    this.changed();
  }

  /** A problem with this peer found elsewhere (e.g. forgetting it failed), shown next to it. */
  reportProblem(text: string): void {
    this.warn(text);
  }

  /** Another tab of this machine answered `session` (it owns it now). */
  sessionTaken(session: string): void {
    this.log.add('state', `session=${short(session)} answered in another tab`);
    this.send({ type: 'TAKEN_ELSEWHERE', session });
    this.changed();
  }

  // ---- file transfers ----

  onTransfer(listener: (event: PeerTransferEvent) => void): () => void {
    return this.transferEvents.on(listener);
  }

  /** The connection as the transfers use it. */
  transferLink(): PeerLink {
    const self = this;
    return {
      get connected() {
        return self.state === 'connected' && (self.rtc?.channelOpen ?? false);
      },
      get name() {
        return self.peer.name;
      },
      get maxMessageSize() {
        return self.rtc?.maxMessageSize ?? null;
      },
      sendControl: (message) => this.rtc?.send(encodeControlMessage(message)) ?? false,
      sendControlText: (frame) => this.rtc?.send(frame) ?? false,
      openFileChannel: (label) => this.rtc?.openFileChannel(label) ?? null,
    };
  }

  // ---- state for the UI ----

  get state(): ConnectionStateName {
    return topState(this.actor.getSnapshot().value);
  }

  get context(): ConnectionContext {
    return this.actor.getSnapshot().context;
  }

  onChange(listener: () => void): () => void {
    return this.changes.on(listener);
  }

  view(): PeerView {
    if (this.cachedView) return this.cachedView;
    const snapshot = this.actor.getSnapshot();
    const context = snapshot.context;
    const state = topState(snapshot.value);
    this.cachedView = {
      peer: this.peer,
      connection: describeConnection(state, context, snapshot.matches({ connected: 'unstable' })),
      stateDetail: stateText(snapshot.value),
      session: context.session,
      role: context.role,
      incoming: state === 'incoming' && context.session ? { session: context.session, name: context.peerName } : null,
      chat: this.chat.messages,
      quality: this.quality,
      debug: this.log.entries,
      warnings: this.warnings,
      remoteName: this.remoteName,
      timing: { ...this.timing },
      forceRelay: this.forceRelay,
      forceRelayPending: this.rtc !== null && this.rtcForcedRelay !== this.forceRelay,
      relays: this.iceServers ? relayHosts(this.iceServers) : null,
    };
    return this.cachedView;
  }

  /** Everything for a bug report, as text. */
  debugText(): string {
    const view = this.view();
    const lines = [
      `PeerDrop debug info for ${this.peer.name} (${this.peer.id})`,
      `self: ${this.deps.selfId}`,
      `state: ${view.stateDetail} (${view.connection.label || 'idle'})${view.connection.detail ? ` - ${view.connection.detail}` : ''}`,
      `session: ${view.session ?? '-'} role: ${view.role ?? '-'}`,
      `force relay: ${view.forceRelay ? 'on' : 'off'}; relays: ${view.relays === null ? '-' : view.relays.join(', ') || 'none'}`,
      `daemon peer: ${JSON.stringify(this.peer)}`,
      view.quality?.route
        ? `route: ${routeText(view.quality.route)}, rtt ${view.quality.rttMs ?? '?'} ms`
        : 'route: -',
      '',
      ...view.debug.map((e) => `${new Date(e.at).toISOString()} [${e.category}] ${e.text}`),
    ];
    return lines.join('\n');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.state === 'connected' || this.state === 'reconnecting' || this.state === 'connecting') {
      this.send({ type: 'DISCONNECT' });
    }
    this.stopRtc();
    this.actor.stop();
    this.changes.clear();
    this.transferEvents.clear();
  }

  // ---- internals ----

  private send(event: ConnectionEvent): void {
    if (!this.disposed || event.type === 'DISCONNECT') this.actor.send(event);
  }

  private onSnapshot(snapshot: ConnectionSnapshot): void {
    const text = stateText(snapshot.value);
    if (text !== this.lastState) {
      const context = snapshot.context;
      const why = context.failure && topState(snapshot.value) === 'failed' ? `: ${context.failure.text}` : '';
      this.log.add('state', `${this.lastState} \u2192 ${text}${why}`);
      this.lastState = text;
    }
    this.changed();
  }

  private execute(command: ConnectionCommand): void {
    switch (command.type) {
      case 'send':
        this.sendSignal(
          command.kind,
          command.session,
          command.kind === 'bye' ? { reason: command.reason } : this.handshakePayload(),
        );
        break;
      case 'startRtc':
        void this.startRtc(command.session, command.offerer, command.polite);
        break;
      case 'stopRtc':
        this.stopRtc();
        break;
      case 'restartIce':
        this.rtc?.restartIce();
        break;
      case 'session':
        this.deps.reportSession(this.peerId, command.state);
        break;
      case 'up':
        this.connectionUp();
        break;
      case 'channelDown':
        this.transferEvents.emit({ type: 'down' });
        break;
      case 'down':
        this.stopStats();
        this.chat.connectionDown();
        break;
    }
    this.changed();
  }

  private handshakePayload(): JsonObject {
    return { name: this.deps.selfName(), v: CONTROL_PROTOCOL_VERSION };
  }

  private sendSignal(kind: SignalKind, session: string, payload: JsonObject): void {
    const ttlMs = kind === 'bye' ? BYE_TTL_MS : Math.max(5_000, this.context.timeoutMs);
    const ok = this.deps.sendSignal(this.peerId, { kind, session, payload, ttlMs });
    this.log.add('signal-out', `${kind} session=${short(session)} ${summarizePayload(payload)}${ok ? '' : ' (NOT SENT)'}`);
    if (!ok && kind !== 'bye' && kind !== 'ice_candidate') {
      // Deliver the failure after the current transition has finished.
      queueMicrotask(() =>
        this.send({
          type: 'SIGNAL_FAILED',
          text: 'Lost contact with PeerDrop on this computer, so nothing could be sent',
        }),
      );
    }
  }

  private async startRtc(session: string, offerer: boolean, polite: boolean): Promise<void> {
    this.stopRtc();
    this.rtcSessionId = session;
    this.log.add('rtc', `asking the daemon for ICE servers (${offerer ? 'offerer' : 'answerer'}, ${polite ? 'polite' : 'impolite'})`);
    let servers: IceServer[] = [];
    try {
      servers = await this.deps.requestIceServers(this.peerId);
    } catch (error) {
      this.log.add('error', `no ICE servers from the daemon (${errorText(error)}); trying without`);
    }
    if (this.disposed || this.rtcSessionId !== session || this.context.session !== session) return;
    this.log.add('rtc', `ICE servers: ${serversText(servers)}${this.forceRelay ? ' (force relay: relayed routes only)' : ''}`);
    this.useIceServers(servers);
    let rtc: PeerSession;
    try {
      rtc = new PeerSession({
        polite,
        offerer,
        iceServers: servers,
        iceTransportPolicy: this.policy(),
        createPeerConnection: this.deps.createPeerConnection,
        sendSignal: (kind: NegotiationSignalKind, payload: JsonObject) => {
          if (this.rtc === rtc) this.sendSignal(kind, session, payload);
        },
      });
    } catch (error) {
      this.log.add('error', `could not create the RTCPeerConnection: ${errorText(error)}`);
      this.send({ type: 'SIGNAL_FAILED', text: `This browser could not start a connection: ${errorText(error)}` });
      return;
    }
    this.rtc = rtc;
    this.rtcForcedRelay = this.forceRelay;
    rtc.on((event) => {
      if (this.rtc !== rtc) return;
      switch (event.type) {
        case 'iceState':
          this.log.add('rtc', `ICE ${event.state}`);
          this.send({ type: 'ICE_STATE', state: event.state as IceState });
          break;
        case 'connectionState':
          this.log.add('rtc', `connection ${event.state}`);
          break;
        case 'channelOpen':
          this.send({ type: 'CHANNEL_OPEN' });
          break;
        case 'channelClose':
          this.send({ type: 'CHANNEL_CLOSED' });
          break;
        case 'message':
          this.onControlMessage(event.data);
          break;
        case 'fileChannel':
          this.transferEvents.emit({ type: 'channel', channel: event.channel });
          break;
        case 'localCandidate':
          this.log.add('local-candidate', event.candidate ? event.candidate.candidate || '(empty)' : 'end of candidates');
          break;
        case 'remoteCandidate':
          this.log.add('remote-candidate', event.candidate ? String(event.candidate.candidate) : 'end of candidates');
          break;
        case 'candidateError':
          this.warn(`A network candidate from ${this.peer.name} was refused: ${event.error}`);
          break;
        case 'log':
          this.log.add(event.level === 'info' ? 'rtc' : 'error', event.text);
          break;
      }
      this.changed();
    });
    rtc.start();
    const queued = this.pending;
    this.pending = [];
    for (const message of queued) void rtc.handleSignal(message.kind, message.payload);
    this.changed();
  }

  private policy(): IceTransportPolicy {
    return this.forceRelay ? 'relay' : 'all';
  }

  /** The servers the connection uses now: the machine words a "no route" failure from them. */
  private useIceServers(servers: IceServer[]): void {
    this.iceServers = servers;
    this.send({ type: 'ICE_PLAN', plan: { relays: relayHosts(servers), forceRelay: this.forceRelay } });
  }

  private stopRtc(): void {
    this.stopStats();
    this.pending = [];
    this.rtcSessionId = null;
    const rtc = this.rtc;
    this.rtc = null;
    if (rtc) {
      rtc.close();
      this.log.add('rtc', 'peer connection closed');
    }
  }

  private connectionUp(): void {
    if (this.timing.openAt === undefined) this.timing = { ...this.timing, openAt: this.monotonicNow() };
    this.rtc?.send(
      encodeControlMessage({ t: 'hello', v: CONTROL_PROTOCOL_VERSION, name: this.deps.selfName() }),
    );
    this.chat.connectionUp();
    this.startStats();
    this.transferEvents.emit({ type: 'up' });
  }

  private onControlMessage(data: string): void {
    const frame = demuxControl(data);
    switch (frame.kind) {
      case 'malformed':
        this.log.add('error', `ignored a control message: ${truncate(frame.text, 80)}`);
        break;
      case 'hello':
        this.remoteName = frame.message.name;
        this.log.add('chat', `hello from ${frame.message.name} (control protocol v${frame.message.v})`);
        break;
      case 'transfer':
        if (logsTransferMessage(frame.message)) this.log.add('chat', `${frame.message.t} ${frame.message.tid.slice(0, 8)}`);
        this.transferEvents.emit({ type: 'control', message: frame.message });
        break;
      case 'chat':
        this.chat.receive(frame.message);
        break;
    }
  }

  private startStats(): void {
    if (this.statsTimer !== null) return;
    const sample = () => {
      const rtc = this.rtc;
      if (!rtc) return;
      rtc
        .getStats()
        .then((report) => {
          if (this.rtc !== rtc) return;
          this.quality = summarizeStats(report, this.quality);
          this.changed();
        })
        .catch((error: unknown) => this.log.add('error', `getStats failed: ${errorText(error)}`));
    };
    sample();
    this.statsTimer = this.timers.setInterval(sample, this.deps.statsIntervalMs ?? 1_000);
  }

  private stopStats(): void {
    if (this.statsTimer !== null) this.timers.clearInterval(this.statsTimer);
    this.statsTimer = null;
  }

  private warn(text: string): void {
    this.log.add('error', text);
    this.warnings = [...this.warnings, text].slice(-5);
    this.changed();
  }

  private changed(): void {
    this.cachedView = null;
    this.changes.emit();
  }
}

function serversText(servers: readonly IceServer[]): string {
  return servers.map((s) => (Array.isArray(s.urls) ? s.urls.join(' ') : s.urls)).join(', ') || 'none';
}

function readFlag(storage: StorageLike | null, key: string): boolean {
  try {
    return storage?.getItem(key) === '1';
  } catch {
    return false;
  }
}

function writeFlag(storage: StorageLike | null, key: string, on: boolean): void {
  try {
    if (on) storage?.setItem(key, '1');
    else storage?.removeItem(key);
  } catch {
    // storage full or denied: the switch still holds for this page
  }
}

function short(session: string): string {
  return session ? session.slice(0, 8) : '-';
}

/** A payload for the log: SDP bodies truncated. */
function summarizePayload(payload: JsonObject): string {
  if (typeof payload.sdp === 'string') return `${String(payload.type)} sdp=${truncate(payload.sdp.replace(/\r?\n/g, ' '), 60)}`;
  if ('candidate' in payload) {
    const c = payload.candidate;
    if (c === null) return 'end-of-candidates';
    if (c && typeof c === 'object' && typeof (c as { candidate?: unknown }).candidate === 'string') {
      return truncate((c as { candidate: string }).candidate, 90);
    }
  }
  return truncate(JSON.stringify(payload), 90);
}
