// A fake RTCPeerConnection and RTCDataChannel: enough of the signaling state
// machine (offers, answers, explicit rollback, ICE restart, negotiationneeded),
// candidates and channels to test negotiation without a browser. Two fakes can
// be linked by a FakeRtcNetwork that "connects" them once both are negotiated.

import type { CandidateInit } from '../../src/rtc/CandidateBuffer';
import type { IceState } from '../../src/rtc/connectionMachine';
import type {
  DataChannelLike,
  IceCandidateLike,
  PeerConnectionConfig,
  PeerConnectionFactory,
  PeerConnectionLike,
  SessionDescription,
  SignalingState,
  StatsReportLike,
} from '../../src/rtc/PeerSession';

export async function flushMicrotasks(rounds = 50): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

export class FakeDataChannel implements DataChannelLike {
  readyState: 'connecting' | 'open' | 'closing' | 'closed' = 'connecting';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  binaryType = 'blob';
  onbufferedamountlow: ((event: unknown) => void) | null = null;
  readonly sent: string[] = [];
  remote: FakeDataChannel | null = null;
  /** While false, frames are kept in `sent` but not delivered (a cut network). */
  deliver = true;
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  private held: string[] = [];

  constructor(readonly label: string) {}

  send(data: string): void {
    if (this.readyState !== 'open') throw new Error(`InvalidStateError: channel is ${this.readyState}`);
    this.sent.push(data);
    if (!this.deliver) {
      this.held.push(data);
      return;
    }
    const remote = this.remote;
    queueMicrotask(() => remote?.receive(data));
  }

  /** Delivers what was held while `deliver` was false (the transport retransmits). */
  release(): void {
    this.deliver = true;
    const held = this.held;
    this.held = [];
    for (const data of held) queueMicrotask(() => this.remote?.receive(data));
  }

  receive(data: string): void {
    if (this.readyState === 'open') this.onmessage?.({ data });
  }

  open(): void {
    this.readyState = 'open';
    this.onopen?.({});
  }

  close(): void {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    this.onclose?.({});
    const remote = this.remote;
    this.remote = null;
    if (remote && remote.readyState !== 'closed') {
      remote.remote = null;
      remote.close();
    }
  }
}

let fakeCount = 0;

export class FakePeerConnection implements PeerConnectionLike {
  readonly id = ++fakeCount;
  signalingState: SignalingState = 'stable';
  iceConnectionState: IceState = 'new';
  connectionState = 'new';
  localDescription: SessionDescription | null = null;
  remoteDescription: SessionDescription | null = null;
  readonly channels: FakeDataChannel[] = [];
  readonly added: CandidateInit[] = [];
  /** Every description operation in order, e.g. "local:offer", "remote:answer", "rollback". */
  readonly calls: string[] = [];
  closed = false;
  stats: Map<string, Record<string, unknown>> = new Map();
  /** Makes addIceCandidate reject for the candidates this returns true for. */
  rejectCandidate: (candidate: CandidateInit) => boolean = () => false;
  restarts = 0;
  /** How the fake network connected this pc last (null: not connected). */
  route: 'direct' | 'relay' | null = null;
  network: FakeRtcNetwork | null = null;
  side = '';
  onnegotiationneeded: ((event: unknown) => void) | null = null;
  onicecandidate: ((event: { candidate: IceCandidateLike | null }) => void) | null = null;
  oniceconnectionstatechange: ((event: unknown) => void) | null = null;
  onconnectionstatechange: ((event: unknown) => void) | null = null;
  ondatachannel: ((event: { channel: DataChannelLike }) => void) | null = null;
  private offers = 0;
  private ufrag = 1;
  private needsNegotiation = false;
  private negotiationQueued = false;
  private lastStableLocal: SessionDescription | null = null;
  private lastStableRemote: SessionDescription | null = null;

  constructor(readonly config: PeerConnectionConfig) {}

  createDataChannel(label: string): FakeDataChannel {
    const channel = new FakeDataChannel(label);
    this.channels.push(channel);
    this.needsNegotiation = true;
    this.queueNegotiationNeeded();
    return channel;
  }

  async setLocalDescription(description?: SessionDescription): Promise<void> {
    await Promise.resolve();
    if (this.closed) throw new Error('InvalidStateError: closed');
    if (description?.type === 'rollback') {
      if (this.signalingState !== 'have-local-offer') throw new Error('InvalidStateError: nothing to roll back');
      this.calls.push('rollback');
      this.localDescription = this.lastStableLocal;
      this.signalingState = 'stable';
      // What the rolled-back offer carried still needs negotiating.
      this.needsNegotiation = true;
      return;
    }
    const type = description?.type ?? (this.signalingState === 'have-remote-offer' ? 'answer' : 'offer');
    if (type === 'offer') {
      if (this.signalingState !== 'stable' && this.signalingState !== 'have-local-offer') {
        throw new Error(`InvalidStateError: cannot offer in ${this.signalingState}`);
      }
      this.offers += 1;
      this.needsNegotiation = false;
      this.localDescription = { type: 'offer', sdp: `v=0 fake-offer#${this.offers} pc${this.id} ice-ufrag:u${this.ufrag}` };
      this.signalingState = 'have-local-offer';
      this.calls.push('local:offer');
    } else {
      if (this.signalingState !== 'have-remote-offer') throw new Error(`InvalidStateError: cannot answer in ${this.signalingState}`);
      this.localDescription = { type: 'answer', sdp: `v=0 fake-answer pc${this.id} ice-ufrag:u${this.ufrag}` };
      this.signalingState = 'stable';
      this.calls.push('local:answer');
      this.becameStable();
    }
  }

  async setRemoteDescription(description: SessionDescription): Promise<void> {
    await Promise.resolve();
    if (this.closed) throw new Error('InvalidStateError: closed');
    if (!description.sdp?.startsWith('v=0')) throw new Error('OperationError: malformed SDP');
    if (description.type === 'offer') {
      // No implicit rollback in this fake: the polite side must roll back itself.
      if (this.signalingState !== 'stable') throw new Error(`InvalidStateError: offer in ${this.signalingState}`);
      this.remoteDescription = description;
      this.signalingState = 'have-remote-offer';
      this.calls.push('remote:offer');
      if (description.sdp.includes('ice-ufrag:') && this.lastStableRemote && description.sdp !== this.lastStableRemote.sdp) {
        // A new remote ufrag is an ICE restart from the other side.
      }
    } else if (description.type === 'answer') {
      if (this.signalingState !== 'have-local-offer') throw new Error(`InvalidStateError: answer in ${this.signalingState}`);
      this.remoteDescription = description;
      this.signalingState = 'stable';
      this.calls.push('remote:answer');
      this.becameStable();
    }
  }

  async addIceCandidate(candidate?: CandidateInit): Promise<void> {
    await Promise.resolve();
    if (!this.remoteDescription) throw new Error('InvalidStateError: no remote description');
    if (candidate && this.rejectCandidate(candidate)) throw new Error('OperationError: bad candidate');
    if (candidate) this.added.push(candidate);
  }

  restartIce(): void {
    this.restarts += 1;
    this.ufrag += 1;
    this.needsNegotiation = true;
    this.queueNegotiationNeeded();
  }

  getStats(): Promise<StatsReportLike> {
    return Promise.resolve(this.stats);
  }

  close(): void {
    this.closed = true;
    this.signalingState = 'closed';
    for (const channel of this.channels) channel.close();
  }

  // ---- test helpers ----

  setIceState(state: IceState): void {
    this.iceConnectionState = state;
    this.oniceconnectionstatechange?.({});
  }

  emitLocalCandidate(line: string | null): void {
    if (line === null) {
      this.onicecandidate?.({ candidate: null });
      return;
    }
    const init: CandidateInit = { candidate: line, sdpMid: '0', sdpMLineIndex: 0 };
    this.onicecandidate?.({ candidate: { candidate: line, toJSON: () => init } });
  }

  /** The peer's side created a data channel (answerer side). */
  receiveChannel(channel: FakeDataChannel): void {
    this.channels.push(channel);
    this.ondatachannel?.({ channel });
  }

  private queueNegotiationNeeded(): void {
    if (this.negotiationQueued || this.closed) return;
    this.negotiationQueued = true;
    queueMicrotask(() => {
      this.negotiationQueued = false;
      if (!this.closed && this.needsNegotiation && this.signalingState === 'stable') this.onnegotiationneeded?.({});
    });
  }

  private becameStable(): void {
    this.lastStableLocal = this.localDescription;
    this.lastStableRemote = this.remoteDescription;
    if (this.needsNegotiation) this.queueNegotiationNeeded();
    this.network?.negotiated(this);
  }
}

const forcesRelay = (pc: FakePeerConnection) => pc.config.iceTransportPolicy === 'relay';
const hasRelay = (pc: FakePeerConnection) =>
  pc.config.iceServers.some((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]).some((u) => /^turns?:/i.test(u)));

/** A getStats() report of a connected pair: the selected pair's candidate types. */
export function routeStats(local: string, remote: string, relayAddress = '198.51.100.12'): Map<string, Record<string, unknown>> {
  const address = (type: string, own: string) => (type === 'relay' ? relayAddress : own);
  const stats: Record<string, unknown>[] = [
    { id: 'T01', type: 'transport', timestamp: 1000, selectedCandidatePairId: 'CP1' },
    { id: 'CP1', type: 'candidate-pair', timestamp: 1000, localCandidateId: 'L1', remoteCandidateId: 'R1', state: 'succeeded', nominated: true, currentRoundTripTime: 0.004, bytesSent: 0, bytesReceived: 0 },
    { id: 'L1', type: 'local-candidate', timestamp: 1000, candidateType: local, address: address(local, '198.51.100.2'), port: 50000, protocol: 'udp' },
    { id: 'R1', type: 'remote-candidate', timestamp: 1000, candidateType: remote, address: address(remote, '198.51.100.3'), port: 40000, protocol: 'udp' },
  ];
  return new Map(stats.map((s) => [s.id as string, s]));
}

/**
 * Connects fakes made by its factories: when a pc of side A and the newest pc of
 * side B are both stable with both descriptions, ICE goes connected on both and
 * the offerer's channels open on both ends.
 */
export class FakeRtcNetwork {
  readonly pcs: FakePeerConnection[] = [];
  /** When false, negotiation completes but ICE never connects (a blocked path). */
  reachable = true;
  /** When false, the two pages cannot reach each other directly (a firewall blocks WebRTC between them). */
  direct = true;
  /** When false, the relays in the pages' ICE servers cannot be reached either. */
  relayReachable = true;
  /** The relayed address reported in the stats of a relayed route. */
  relayAddress = '198.51.100.12';

  /** The route ICE would find between two negotiated pcs, or null (none). */
  routeBetween(a: FakePeerConnection, b: FakePeerConnection): 'direct' | 'relay' | null {
    if (!this.reachable) return null;
    if (this.direct && !forcesRelay(a) && !forcesRelay(b)) return 'direct';
    // A page that forces relay needs a relay candidate of its own; otherwise one side's relay is enough.
    const relayed = (hasRelay(a) || hasRelay(b)) && (!forcesRelay(a) || hasRelay(a)) && (!forcesRelay(b) || hasRelay(b));
    return this.relayReachable && relayed ? 'relay' : null;
  }

  /** The type of `p`'s candidate in the selected pair: a relayed route uses the relays of the sides that force it, else of those that have one. */
  private candidateType(p: FakePeerConnection, other: FakePeerConnection, route: 'direct' | 'relay'): string {
    if (route === 'direct') return 'host';
    const uses = forcesRelay(p) || forcesRelay(other) ? forcesRelay(p) : hasRelay(p);
    return uses ? 'relay' : 'host';
  }

  factory(side: string): PeerConnectionFactory {
    return (config) => {
      const pc = new FakePeerConnection(config);
      pc.network = this;
      pc.side = side;
      this.pcs.push(pc);
      return pc;
    };
  }

  latest(side: string): FakePeerConnection | undefined {
    return [...this.pcs].reverse().find((pc) => pc.side === side && !pc.closed);
  }

  negotiated(pc: FakePeerConnection): void {
    const other = [...this.pcs].reverse().find((p) => p.side !== pc.side && !p.closed);
    if (!other) return;
    const ready = (p: FakePeerConnection) =>
      p.signalingState === 'stable' && p.localDescription !== null && p.remoteDescription !== null;
    if (!ready(pc) || !ready(other)) return;
    const route = this.routeBetween(pc, other);
    if (route === null) {
      queueMicrotask(() => {
        pc.setIceState('checking');
        other.setIceState('checking');
      });
      return;
    }
    queueMicrotask(() => {
      for (const p of [pc, other]) {
        const q = p === pc ? other : pc;
        p.route = route;
        p.stats = routeStats(this.candidateType(p, q, route), this.candidateType(q, p, route), this.relayAddress);
        if (p.iceConnectionState !== 'connected') p.setIceState('connected');
      }
      this.openChannels(pc, other);
      this.openChannels(other, pc);
    });
  }

  private openChannels(from: FakePeerConnection, to: FakePeerConnection): void {
    for (const channel of from.channels) {
      if (channel.remote || channel.readyState !== 'connecting') continue;
      const twin = new FakeDataChannel(channel.label);
      channel.remote = twin;
      twin.remote = channel;
      to.receiveChannel(twin);
      twin.open();
      channel.open();
    }
  }
}
