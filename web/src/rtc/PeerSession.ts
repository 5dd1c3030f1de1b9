// One RTCPeerConnection to one peer, negotiated with the "perfect negotiation"
// pattern: either side may (re)negotiate at any time; on an offer collision the
// polite side rolls back its own offer and the impolite side ignores the other's.
// The RTCPeerConnection comes from an injected factory, so tests use a fake.

import { isObject, type IceServer, type JsonObject } from '../daemon/protocol';
import { Emitter } from '../util/timers';
import { CandidateBuffer, errorText, type CandidateInit } from './CandidateBuffer';
import type { IceState } from './connectionMachine';

export type SignalingState = 'stable' | 'have-local-offer' | 'have-remote-offer' | 'have-local-pranswer' | 'have-remote-pranswer' | 'closed';

export interface SessionDescription {
  type: 'offer' | 'answer' | 'pranswer' | 'rollback';
  sdp?: string;
}

export interface DataChannelLike {
  readonly label: string;
  readonly readyState: 'connecting' | 'open' | 'closing' | 'closed';
  readonly bufferedAmount: number;
  /** File channels: 'bufferedamountlow' fires when bufferedAmount falls to this. */
  bufferedAmountLowThreshold: number;
  binaryType: string;
  send(data: string | ArrayBuffer | ArrayBufferView<ArrayBuffer>): void;
  close(): void;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onbufferedamountlow: ((event: unknown) => void) | null;
}

export interface IceCandidateLike {
  readonly candidate: string;
  toJSON(): CandidateInit;
}

/** A stats report: what RTCPeerConnection.getStats() resolves to (a Map-like of stats objects). */
export interface StatsReportLike {
  forEach(callback: (value: Record<string, unknown>, key: string) => void): void;
}

/** The part of RTCPeerConnection this module uses. */
export interface PeerConnectionLike {
  readonly signalingState: SignalingState;
  readonly iceConnectionState: IceState;
  readonly connectionState: string;
  readonly localDescription: SessionDescription | null;
  readonly remoteDescription: SessionDescription | null;
  /** The SCTP transport once negotiated: maxMessageSize is the largest message the peer takes. */
  readonly sctp?: { readonly maxMessageSize: number } | null;
  createDataChannel(label: string, init?: { ordered?: boolean }): DataChannelLike;
  setLocalDescription(description?: SessionDescription): Promise<void>;
  setRemoteDescription(description: SessionDescription): Promise<void>;
  addIceCandidate(candidate?: CandidateInit): Promise<void>;
  restartIce(): void;
  getStats(): Promise<StatsReportLike>;
  close(): void;
  onnegotiationneeded: ((event: unknown) => void) | null;
  onicecandidate: ((event: { candidate: IceCandidateLike | null }) => void) | null;
  oniceconnectionstatechange: ((event: unknown) => void) | null;
  onconnectionstatechange: ((event: unknown) => void) | null;
  ondatachannel: ((event: { channel: DataChannelLike }) => void) | null;
}

/** 'relay': only relayed candidates are gathered (the debug panel's "Force relay"). */
export type IceTransportPolicy = 'all' | 'relay';

/** What the RTCPeerConnection is made with (for the whole connection: see PeerController.setForceRelay). */
export interface PeerConnectionConfig {
  iceServers: IceServer[];
  iceTransportPolicy: IceTransportPolicy;
}

export type PeerConnectionFactory = (config: PeerConnectionConfig) => PeerConnectionLike;

export const browserPeerConnectionFactory: PeerConnectionFactory = (config) =>
  new RTCPeerConnection(config as RTCConfiguration) as unknown as PeerConnectionLike;

export const CONTROL_CHANNEL_LABEL = 'control';
/** File channels: `xfer:<tid>`, opened by the side that sends the files. */
export const FILE_CHANNEL_PREFIX = 'xfer:';

export type NegotiationSignalKind = 'offer' | 'answer' | 'ice_candidate';

export type PeerSessionEvent =
  | { type: 'iceState'; state: IceState }
  | { type: 'connectionState'; state: string }
  | { type: 'channelOpen' }
  | { type: 'channelClose' }
  | { type: 'message'; data: string }
  /** The peer opened a file channel (label `xfer:<tid>`). */
  | { type: 'fileChannel'; channel: DataChannelLike }
  | { type: 'localCandidate'; candidate: CandidateInit | null }
  | { type: 'remoteCandidate'; candidate: CandidateInit | null }
  | { type: 'candidateError'; error: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; text: string };

export interface PeerSessionOptions {
  polite: boolean;
  /** The offerer creates the control channel (and so makes the first offer). */
  offerer: boolean;
  iceServers: IceServer[];
  /** Default 'all'. */
  iceTransportPolicy?: IceTransportPolicy;
  createPeerConnection: PeerConnectionFactory;
  sendSignal: (kind: NegotiationSignalKind, payload: JsonObject) => void;
}

const MAX_SDP_CHARS = 60_000;

export function parseDescriptionPayload(kind: string, payload: unknown): SessionDescription | string {
  if (!isObject(payload)) return 'the description is not an object';
  const type = payload.type;
  const sdp = payload.sdp;
  if (type !== kind) return `the ${kind} message carries a description of type "${String(type)}"`;
  if (typeof sdp !== 'string' || sdp.length === 0) return `the ${kind} has no SDP`;
  if (sdp.length > MAX_SDP_CHARS) return `the ${kind} SDP is too long`;
  return { type: kind as 'offer' | 'answer', sdp };
}

export class PeerSession {
  readonly pc: PeerConnectionLike;
  readonly polite: boolean;
  private channel: DataChannelLike | null = null;
  private readonly events = new Emitter<PeerSessionEvent>();
  private readonly candidates: CandidateBuffer;
  private makingOffer = false;
  private ignoreOffer = false;
  private settingRemoteAnswerPending = false;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: PeerSessionOptions) {
    this.polite = options.polite;
    this.pc = options.createPeerConnection({
      iceServers: options.iceServers,
      iceTransportPolicy: options.iceTransportPolicy ?? 'all',
    });
    this.candidates = new CandidateBuffer({
      hasRemoteDescription: () => this.pc.remoteDescription !== null,
      apply: async (candidate) => {
        // End of candidates: trickle ICE needs no signal for it (and browsers differ in how
        // they take one), so it is only noted, in order.
        if (candidate === null) this.log('info', 'the peer has sent all its ICE candidates');
        else await this.pc.addIceCandidate(candidate);
      },
      onError: (error) => {
        // Candidates of an offer we ignored are expected to fail.
        if (this.ignoreOffer) return;
        this.emit({ type: 'candidateError', error });
        this.log('warn', `remote ICE candidate refused: ${error}`);
      },
    });
    this.attach();
  }

  on(listener: (event: PeerSessionEvent) => void): () => void {
    return this.events.on(listener);
  }

  /** Creates the control channel on the offerer side (this triggers the first offer). */
  start(): void {
    if (this.options.offerer && !this.channel) {
      this.useChannel(this.pc.createDataChannel(CONTROL_CHANNEL_LABEL, { ordered: true }));
    }
  }

  get channelOpen(): boolean {
    return this.channel?.readyState === 'open';
  }

  /** Held-back remote candidates (waiting for the remote description). */
  get bufferedCandidates(): number {
    return this.candidates.size;
  }

  /** Handles an offer, answer or ice_candidate from the peer; the returned promise never rejects. */
  handleSignal(kind: string, payload: JsonObject): Promise<void> {
    const run = async () => {
      if (this.closed) return;
      if (kind === 'offer' || kind === 'answer') await this.handleDescription(kind, payload);
      else if (kind === 'ice_candidate') await this.handleCandidate(payload);
    };
    this.chain = this.chain.then(run, run).catch((error: unknown) => {
      this.log('error', `handling ${kind} failed: ${errorText(error)}`);
    });
    return this.chain;
  }

  /** Starts an ICE restart; the resulting offer goes out through negotiationneeded. */
  restartIce(): void {
    if (this.closed) return;
    this.log('info', 'restarting ICE');
    try {
      this.pc.restartIce();
    } catch (error) {
      this.log('error', `restartIce failed: ${errorText(error)}`);
    }
  }

  /** Sends a text frame on the control channel; false if it is not open. */
  send(text: string): boolean {
    const channel = this.channel;
    if (!channel || channel.readyState !== 'open') return false;
    try {
      channel.send(text);
      return true;
    } catch (error) {
      this.log('warn', `sending on the control channel failed: ${errorText(error)}`);
      return false;
    }
  }

  getStats(): Promise<StatsReportLike> {
    return this.pc.getStats();
  }

  /**
   * Opens a file channel (ordered, binary). Any side may: the label tells
   * them apart from the control channel. Null when the session is closed.
   */
  openFileChannel(label: string): DataChannelLike | null {
    if (this.closed || !label.startsWith(FILE_CHANNEL_PREFIX)) return null;
    try {
      const channel = this.pc.createDataChannel(label, { ordered: true });
      channel.binaryType = 'arraybuffer';
      return channel;
    } catch (error) {
      this.log('warn', `could not open the data channel "${label}": ${errorText(error)}`);
      return null;
    }
  }

  /** The largest message the peer takes (pc.sctp.maxMessageSize), null while unknown. */
  get maxMessageSize(): number | null {
    const size = this.pc.sctp?.maxMessageSize;
    return typeof size === 'number' ? size : null;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const pc = this.pc;
    pc.onnegotiationneeded = null;
    pc.onicecandidate = null;
    pc.oniceconnectionstatechange = null;
    pc.onconnectionstatechange = null;
    pc.ondatachannel = null;
    const channel = this.channel;
    this.channel = null;
    if (channel) {
      channel.onopen = null;
      channel.onclose = null;
      channel.onmessage = null;
      channel.onerror = null;
      try {
        channel.close();
      } catch {
        // already closed
      }
    }
    try {
      pc.close();
    } catch {
      // already closed
    }
    this.candidates.clear();
    this.events.clear();
  }

  private attach(): void {
    const pc = this.pc;
    pc.onnegotiationneeded = () => {
      void this.negotiate();
    };
    pc.onicecandidate = ({ candidate }) => {
      const init = candidate ? candidate.toJSON() : null;
      this.emit({ type: 'localCandidate', candidate: init });
      this.options.sendSignal('ice_candidate', { candidate: init });
    };
    pc.oniceconnectionstatechange = () => {
      this.emit({ type: 'iceState', state: pc.iceConnectionState });
    };
    pc.onconnectionstatechange = () => {
      this.emit({ type: 'connectionState', state: pc.connectionState });
    };
    pc.ondatachannel = ({ channel }) => {
      if (channel.label === CONTROL_CHANNEL_LABEL && !this.channel) this.useChannel(channel);
      else if (channel.label.startsWith(FILE_CHANNEL_PREFIX)) {
        channel.binaryType = 'arraybuffer';
        this.emit({ type: 'fileChannel', channel });
      } else this.log('info', `ignored a data channel labelled "${channel.label}"`);
    };
  }

  private useChannel(channel: DataChannelLike): void {
    this.channel = channel;
    channel.onopen = () => {
      this.log('info', 'control channel open');
      this.emit({ type: 'channelOpen' });
    };
    channel.onclose = () => {
      if (this.channel !== channel) return;
      this.log('info', 'control channel closed');
      this.emit({ type: 'channelClose' });
    };
    channel.onerror = () => {
      this.log('warn', 'control channel error');
    };
    channel.onmessage = (event) => {
      if (typeof event.data === 'string') this.emit({ type: 'message', data: event.data });
    };
    if (channel.readyState === 'open') this.emit({ type: 'channelOpen' });
  }

  private async negotiate(): Promise<void> {
    if (this.closed) return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      if (this.closed) return;
      const description = this.pc.localDescription;
      if (description && (description.type === 'offer' || description.type === 'answer')) {
        this.options.sendSignal(description.type, { type: description.type, sdp: description.sdp ?? '' });
      }
    } catch (error) {
      this.log('error', `could not make an offer: ${errorText(error)}`);
    } finally {
      this.makingOffer = false;
    }
  }

  private async handleDescription(kind: 'offer' | 'answer', payload: JsonObject): Promise<void> {
    const description = parseDescriptionPayload(kind, payload);
    if (typeof description === 'string') {
      this.log('warn', `ignored a malformed ${kind}: ${description}`);
      return;
    }
    const pc = this.pc;
    const readyForOffer = !this.makingOffer && (pc.signalingState === 'stable' || this.settingRemoteAnswerPending);
    const offerCollision = description.type === 'offer' && !readyForOffer;
    this.ignoreOffer = !this.polite && offerCollision;
    if (this.ignoreOffer) {
      this.log('info', 'offer collision: ignoring the peer\u2019s offer (impolite side)');
      return;
    }
    if (description.type === 'answer' && pc.signalingState !== 'have-local-offer') {
      this.log('warn', `ignored an answer in signaling state ${pc.signalingState}`);
      return;
    }
    try {
      if (offerCollision) {
        this.log('info', 'offer collision: rolling back our offer (polite side)');
        await pc.setLocalDescription({ type: 'rollback' });
      }
      this.settingRemoteAnswerPending = description.type === 'answer';
      await pc.setRemoteDescription(description);
    } catch (error) {
      this.log('error', `the peer\u2019s ${kind} was refused: ${errorText(error)}`);
      return;
    } finally {
      this.settingRemoteAnswerPending = false;
    }
    if (this.closed) return;
    await this.candidates.flush();
    if (description.type === 'offer') {
      try {
        await pc.setLocalDescription();
        if (this.closed) return;
        const answer = pc.localDescription;
        if (answer) this.options.sendSignal('answer', { type: 'answer', sdp: answer.sdp ?? '' });
      } catch (error) {
        this.log('error', `could not answer the peer\u2019s offer: ${errorText(error)}`);
      }
    }
  }

  private async handleCandidate(payload: JsonObject): Promise<void> {
    const value = payload.candidate;
    if (value === null || isObject(value)) {
      this.emit({ type: 'remoteCandidate', candidate: value === null ? null : (value as CandidateInit) });
    }
    await this.candidates.addPayload(payload);
  }

  private emit(event: PeerSessionEvent): void {
    this.events.emit(event);
  }

  private log(level: 'info' | 'warn' | 'error', text: string): void {
    this.emit({ type: 'log', level, text });
  }
}
