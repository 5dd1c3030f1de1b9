import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/daemon/protocol';
import { PeerSession, parseDescriptionPayload, type PeerSessionEvent } from '../../src/rtc/PeerSession';
import { FakeDataChannel, FakePeerConnection, FakeRtcNetwork, flushMicrotasks } from '../support/fakeRtc';

interface Sent {
  kind: string;
  payload: JsonObject;
}

function session(options: { polite: boolean; offerer: boolean; factory?: (c: never) => FakePeerConnection }) {
  const sent: Sent[] = [];
  const events: PeerSessionEvent[] = [];
  let pc!: FakePeerConnection;
  const s = new PeerSession({
    polite: options.polite,
    offerer: options.offerer,
    iceServers: [{ urls: 'stun:198.51.100.1:3001' }],
    createPeerConnection: (config) => {
      pc = new FakePeerConnection(config);
      return pc;
    },
    sendSignal: (kind, payload) => sent.push({ kind, payload }),
  });
  s.on((e) => events.push(e));
  return { s, sent, events, pc: () => pc };
}

const OFFER = { type: 'offer', sdp: 'v=0 remote-offer' };
const ANSWER = { type: 'answer', sdp: 'v=0 remote-answer' };
const CANDIDATE = (n: number) => ({
  candidate: { candidate: `candidate:${n} 1 udp 2122260223 198.51.100.${n} 5000${n} typ host`, sdpMid: '0', sdpMLineIndex: 0 },
});

describe('PeerSession negotiation', () => {
  it('passes the ICE servers from the daemon to the peer connection', () => {
    const { pc } = session({ polite: true, offerer: true });
    expect(pc().config.iceServers).toEqual([{ urls: 'stun:198.51.100.1:3001' }]);
  });

  it('the offerer creates the "control" channel and sends an offer', async () => {
    const { s, sent, pc } = session({ polite: false, offerer: true });
    s.start();
    await flushMicrotasks();
    expect(pc().channels.map((c) => c.label)).toEqual(['control']);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.kind).toBe('offer');
    expect(sent[0]!.payload.type).toBe('offer');
    expect(String(sent[0]!.payload.sdp)).toContain('fake-offer#1');
    await s.handleSignal('answer', ANSWER);
    expect(pc().signalingState).toBe('stable');
    expect(pc().calls).toEqual(['local:offer', 'remote:answer']);
  });

  it('the answerer creates no channel and answers an offer', async () => {
    const { s, sent, pc } = session({ polite: true, offerer: false });
    s.start();
    await flushMicrotasks();
    expect(pc().channels).toHaveLength(0);
    expect(sent).toHaveLength(0);
    await s.handleSignal('offer', OFFER);
    expect(pc().calls).toEqual(['remote:offer', 'local:answer']);
    expect(sent.map((x) => x.kind)).toEqual(['answer']);
    expect(sent[0]!.payload.type).toBe('answer');
  });

  it('takes the control channel the peer opened and reports it open', async () => {
    const { s, events, pc } = session({ polite: true, offerer: false });
    s.start();
    const channel = new FakeDataChannel('control');
    pc().receiveChannel(channel);
    channel.open();
    expect(events).toContainEqual({ type: 'channelOpen' });
    expect(s.send('x')).toBe(true);
    expect(channel.sent).toEqual(['x']);
    const other = new FakeDataChannel('file-1');
    pc().receiveChannel(other);
    other.open();
    expect(events.filter((e) => e.type === 'channelOpen')).toHaveLength(1);
  });

  it('polite side: an offer that collides with ours rolls ours back and answers', async () => {
    const { s, sent, pc } = session({ polite: true, offerer: true });
    s.start();
    await flushMicrotasks();
    expect(pc().signalingState).toBe('have-local-offer');
    await s.handleSignal('offer', OFFER);
    expect(pc().calls.slice(0, 4)).toEqual(['local:offer', 'rollback', 'remote:offer', 'local:answer']);
    expect(sent.map((x) => x.kind).slice(0, 2)).toEqual(['offer', 'answer']);
    // What our rolled-back offer carried (the channel) is negotiated again afterwards.
    await flushMicrotasks();
    expect(pc().calls).toEqual(['local:offer', 'rollback', 'remote:offer', 'local:answer', 'local:offer']);
    expect(sent.map((x) => x.kind)).toEqual(['offer', 'answer', 'offer']);
  });

  it('impolite side: an offer that collides with ours is ignored, and so are its candidates', async () => {
    const { s, sent, pc, events } = session({ polite: false, offerer: true });
    s.start();
    await flushMicrotasks();
    await s.handleSignal('offer', OFFER);
    expect(pc().calls).toEqual(['local:offer']);
    expect(pc().signalingState).toBe('have-local-offer');
    expect(sent.map((x) => x.kind)).toEqual(['offer']);
    await s.handleSignal('ice_candidate', CANDIDATE(1));
    expect(events.some((e) => e.type === 'candidateError')).toBe(false);
    // The polite peer answers our offer instead.
    await s.handleSignal('answer', ANSWER);
    expect(pc().signalingState).toBe('stable');
  });

  it('an answer with no offer of ours is ignored, not applied', async () => {
    const { s, pc, events } = session({ polite: true, offerer: false });
    await s.handleSignal('answer', ANSWER);
    expect(pc().calls).toEqual([]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'log', level: 'warn' }));
  });

  it('malformed descriptions are logged and dropped', async () => {
    const { s, pc, events } = session({ polite: true, offerer: false });
    await s.handleSignal('offer', { type: 'answer', sdp: 'v=0' });
    await s.handleSignal('offer', { type: 'offer' });
    await s.handleSignal('offer', { type: 'offer', sdp: 'garbage' });
    expect(pc().signalingState).toBe('stable');
    expect(events.filter((e) => e.type === 'log' && e.level !== 'info')).toHaveLength(3);
  });

  it('sends local candidates and end-of-candidates as ice_candidate signals', () => {
    const { sent, pc, events } = session({ polite: true, offerer: false });
    pc().emitLocalCandidate('candidate:1 1 udp 1 198.51.100.2 5000 typ host');
    pc().emitLocalCandidate(null);
    expect(sent).toEqual([
      {
        kind: 'ice_candidate',
        payload: { candidate: { candidate: 'candidate:1 1 udp 1 198.51.100.2 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 } },
      },
      { kind: 'ice_candidate', payload: { candidate: null } },
    ]);
    expect(events.filter((e) => e.type === 'localCandidate')).toHaveLength(2);
  });

  it('ICE restart makes a new offer with new credentials', async () => {
    const { s, sent, pc } = session({ polite: false, offerer: true });
    s.start();
    await flushMicrotasks();
    await s.handleSignal('answer', ANSWER);
    s.restartIce();
    await flushMicrotasks();
    expect(pc().restarts).toBe(1);
    expect(sent.map((x) => x.kind)).toEqual(['offer', 'offer']);
    expect(String(sent[1]!.payload.sdp)).toContain('ice-ufrag:u2');
  });

  it('the transport policy: all by default, relay when asked (for the whole connection)', () => {
    expect(session({ polite: false, offerer: true }).pc().config.iceTransportPolicy).toBe('all');
    let pc!: FakePeerConnection;
    new PeerSession({
      polite: false,
      offerer: true,
      iceServers: [],
      iceTransportPolicy: 'relay',
      createPeerConnection: (config) => (pc = new FakePeerConnection(config)),
      sendSignal: () => {},
    });
    expect(pc.config).toEqual({ iceServers: [], iceTransportPolicy: 'relay' });
  });

  it('reports ICE state changes', () => {
    const { pc, events } = session({ polite: true, offerer: false });
    pc().setIceState('checking');
    pc().setIceState('connected');
    expect(events.filter((e) => e.type === 'iceState')).toEqual([
      { type: 'iceState', state: 'checking' },
      { type: 'iceState', state: 'connected' },
    ]);
  });

  it('close() closes the peer connection and stops all events', async () => {
    const { s, pc, events, sent } = session({ polite: true, offerer: true });
    s.start();
    s.close();
    await flushMicrotasks();
    expect(pc().closed).toBe(true);
    pc().setIceState('failed');
    expect(events.filter((e) => e.type === 'iceState')).toHaveLength(0);
    expect(sent).toHaveLength(0);
  });
});

describe('PeerSession remote candidates', () => {
  it('candidates before the remote description are held and applied in order after it', async () => {
    const { s, pc } = session({ polite: true, offerer: false });
    await s.handleSignal('ice_candidate', CANDIDATE(1));
    await s.handleSignal('ice_candidate', CANDIDATE(2));
    await s.handleSignal('ice_candidate', { candidate: null });
    expect(s.bufferedCandidates).toBe(3);
    expect(pc().added).toEqual([]);
    await s.handleSignal('offer', OFFER);
    await s.handleSignal('ice_candidate', CANDIDATE(3));
    expect(s.bufferedCandidates).toBe(0);
    expect(pc().added.map((c) => c.candidate.split(' ')[0])).toEqual(['candidate:1', 'candidate:2', 'candidate:3']);
  });

  it('malformed candidates are reported, not thrown, and do not stop later ones', async () => {
    const { s, pc, events } = session({ polite: true, offerer: false });
    await s.handleSignal('offer', OFFER);
    await s.handleSignal('ice_candidate', { candidate: { candidate: 'not a candidate', sdpMid: '0' } });
    await s.handleSignal('ice_candidate', { nothing: true });
    await s.handleSignal('ice_candidate', { candidate: 42 });
    await s.handleSignal('ice_candidate', CANDIDATE(4));
    expect(events.filter((e) => e.type === 'candidateError')).toHaveLength(3);
    expect(pc().added).toHaveLength(1);
  });

  it('a candidate the peer connection rejects is reported', async () => {
    const { s, pc, events } = session({ polite: true, offerer: false });
    pc().rejectCandidate = (c) => c.candidate.startsWith('candidate:5');
    await s.handleSignal('offer', OFFER);
    await s.handleSignal('ice_candidate', CANDIDATE(5));
    await s.handleSignal('ice_candidate', CANDIDATE(6));
    const errors = events.filter((e) => e.type === 'candidateError');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ error: expect.stringContaining('rejected') });
    expect(pc().added.map((c) => c.candidate.split(' ')[0])).toEqual(['candidate:6']);
  });
});

describe('parseDescriptionPayload', () => {
  it('accepts only a matching type with SDP', () => {
    expect(parseDescriptionPayload('offer', { type: 'offer', sdp: 'v=0' })).toEqual({ type: 'offer', sdp: 'v=0' });
    expect(typeof parseDescriptionPayload('answer', { type: 'offer', sdp: 'v=0' })).toBe('string');
    expect(typeof parseDescriptionPayload('offer', null)).toBe('string');
    expect(typeof parseDescriptionPayload('offer', { type: 'offer', sdp: 'x'.repeat(70_000) })).toBe('string');
  });
});

describe('two PeerSessions over a fake network', () => {
  it('negotiate, open the channel and exchange frames', async () => {
    const net = new FakeRtcNetwork();
    const received: Record<string, string[]> = { a: [], b: [] };
    const sessions: Record<string, PeerSession> = {};
    const make = (side: 'a' | 'b', polite: boolean, offerer: boolean) => {
      const s = new PeerSession({
        polite,
        offerer,
        iceServers: [],
        createPeerConnection: net.factory(side),
        sendSignal: (kind, payload) => {
          const other = sessions[side === 'a' ? 'b' : 'a']!;
          queueMicrotask(() => void other.handleSignal(kind, payload));
        },
      });
      s.on((e) => {
        if (e.type === 'message') received[side]!.push(e.data);
      });
      sessions[side] = s;
      return s;
    };
    const a = make('a', true, true);
    const b = make('b', false, false);
    a.start();
    b.start();
    await flushMicrotasks(200);
    expect(a.channelOpen).toBe(true);
    expect(b.channelOpen).toBe(true);
    a.send('hello b');
    b.send('hello a');
    await flushMicrotasks();
    expect(received).toEqual({ a: ['hello a'], b: ['hello b'] });
  });

  it('glare of renegotiation (both restart ICE at once) settles in one stable state', async () => {
    const net = new FakeRtcNetwork();
    const sessions: Record<string, PeerSession> = {};
    const make = (side: 'a' | 'b', polite: boolean, offerer: boolean) => {
      const s = new PeerSession({
        polite,
        offerer,
        iceServers: [],
        createPeerConnection: net.factory(side),
        sendSignal: (kind, payload) => {
          const other = sessions[side === 'a' ? 'b' : 'a']!;
          queueMicrotask(() => void other.handleSignal(kind, payload));
        },
      });
      sessions[side] = s;
      return s;
    };
    const a = make('a', true, true);
    const b = make('b', false, false);
    a.start();
    await flushMicrotasks(200);
    a.restartIce();
    b.restartIce();
    await flushMicrotasks(400);
    const pa = net.latest('a')!;
    const pb = net.latest('b')!;
    expect(pa.signalingState).toBe('stable');
    expect(pb.signalingState).toBe('stable');
    expect(pa.calls).toContain('rollback');
    expect(pb.calls).not.toContain('rollback');
    // Both sides end with the other's latest description.
    expect(pa.remoteDescription?.sdp).toBe(pb.localDescription?.sdp);
    expect(pb.remoteDescription?.sdp).toBe(pa.localDescription?.sdp);
    expect(a.channelOpen && b.channelOpen).toBe(true);
  });
});
