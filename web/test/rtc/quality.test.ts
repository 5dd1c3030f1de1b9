import { describe, expect, it } from 'vitest';
import {
  classifyQuality,
  isRelayed,
  routeKind,
  routeText,
  selectedCandidatePair,
  summarizeStats,
  throughputText,
  type Route,
} from '../../src/rtc/quality';

type Stat = Record<string, unknown>;

/** A report shaped like Chrome's getStats() for a data-channel-only connection. */
function chromeReport(opts: { rtt?: number; sent?: number; received?: number; t?: number; withTransport?: boolean } = {}) {
  const t = opts.t ?? 1000;
  const stats: Stat[] = [
    { id: 'T01', type: 'transport', timestamp: t, selectedCandidatePairId: 'CPa_b', dtlsState: 'connected' },
    { id: 'CPx_y', type: 'candidate-pair', timestamp: t, localCandidateId: 'Ix', remoteCandidateId: 'Iy', state: 'failed', nominated: false },
    {
      id: 'CPa_b',
      type: 'candidate-pair',
      timestamp: t,
      localCandidateId: 'Ia',
      remoteCandidateId: 'Ib',
      state: 'succeeded',
      nominated: true,
      currentRoundTripTime: opts.rtt ?? 0.003,
      bytesSent: opts.sent ?? 1000,
      bytesReceived: opts.received ?? 2000,
    },
    { id: 'Ia', type: 'local-candidate', timestamp: t, candidateType: 'srflx', address: '198.51.100.2', port: 50000, protocol: 'udp' },
    { id: 'Ib', type: 'remote-candidate', timestamp: t, candidateType: 'host', address: '198.51.100.3', port: 40000, protocol: 'udp' },
    { id: 'Ix', type: 'local-candidate', timestamp: t, candidateType: 'relay', address: '203.0.113.1', port: 3478 },
    { id: 'Iy', type: 'remote-candidate', timestamp: t, candidateType: 'relay', address: '203.0.113.2', port: 3478 },
  ];
  if (opts.withTransport === false) stats.shift();
  return new Map(stats.map((s) => [s.id as string, s]));
}

const route = (local: string, remote: string): Route => ({
  local: { type: local, address: '198.51.100.2', port: 1, protocol: 'udp' },
  remote: { type: remote, address: '198.51.100.3', port: 2, protocol: 'udp' },
});

describe('quality', () => {
  it('classifies by round-trip time', () => {
    expect(classifyQuality(3, route('host', 'host'))).toBe('good');
    expect(classifyQuality(49.9, route('host', 'host'))).toBe('good');
    expect(classifyQuality(50, route('host', 'host'))).toBe('fair');
    expect(classifyQuality(199, route('srflx', 'host'))).toBe('fair');
    expect(classifyQuality(200, route('srflx', 'host'))).toBe('poor');
    expect(classifyQuality(null, route('host', 'host'))).toBe('unknown');
  });

  it('a relayed route with a high RTT is poor', () => {
    expect(classifyQuality(120, route('relay', 'host'))).toBe('poor');
    expect(classifyQuality(120, route('host', 'relay'))).toBe('poor');
    expect(classifyQuality(30, route('relay', 'host'))).toBe('good');
  });

  it('finds the selected pair through the transport', () => {
    const selected = selectedCandidatePair(chromeReport());
    expect(selected?.pair.id).toBe('CPa_b');
    expect(selected?.local?.candidateType).toBe('srflx');
  });

  it('falls back to the nominated succeeded pair without a transport', () => {
    expect(selectedCandidatePair(chromeReport({ withTransport: false }))?.pair.id).toBe('CPa_b');
  });

  it('summarizes route, RTT and throughput from a canned report', () => {
    const first = summarizeStats(chromeReport({ rtt: 0.0034, sent: 1000, received: 2000, t: 1000 }), null);
    expect(first.route && routeText(first.route)).toBe('direct (srflx 198.51.100.2:50000 \u2194 host 198.51.100.3:40000)');
    expect(first.rttMs).toBe(3.4);
    expect(first.throughputBps).toBeNull();
    expect(first.quality).toBe('good');
    const second = summarizeStats(chromeReport({ rtt: 0.08, sent: 6000, received: 7000, t: 1500 }), first);
    expect(second.throughputBps).toBe(20_000); // 10,000 bytes in 0.5 s
    expect(second.quality).toBe('fair');
  });

  it('no selected pair yet: unknown', () => {
    const sample = summarizeStats(new Map([['x', { type: 'peer-connection', timestamp: 5 }]]), null);
    expect(sample.route).toBeNull();
    expect(sample.quality).toBe('unknown');
  });

  it('formats IPv6 endpoints and throughput', () => {
    const r: Route = {
      local: { type: 'host', address: 'fd00::1', port: 5, protocol: 'udp' },
      remote: { type: 'prflx', address: '198.51.100.9', port: null, protocol: 'udp' },
    };
    expect(routeText(r)).toBe('direct (host [fd00::1]:5 \u2194 prflx 198.51.100.9)');
    expect(routeText({ ...r, remote: { ...r.remote, address: '', port: 43255 } })).toBe(
      'direct (host [fd00::1]:5 \u2194 prflx (address hidden):43255)',
    );
    expect(throughputText(512)).toBe('512 B/s');
    expect(throughputText(2048)).toBe('2.0 KiB/s');
    expect(throughputText(3 * 1024 * 1024)).toBe('3.0 MiB/s');
  });

  it('a route through a relay says "relay via" the relay, any other "direct"', () => {
    const relayed: Route = {
      local: { type: 'relay', address: '198.51.100.12', port: 49170, protocol: 'udp' },
      remote: { type: 'host', address: '198.51.100.3', port: 40000, protocol: 'udp' },
    };
    expect(isRelayed(relayed)).toBe(true);
    expect(routeKind(relayed)).toBe('relay via 198.51.100.12');
    expect(routeText(relayed)).toBe('relay via 198.51.100.12 (relay 198.51.100.12:49170 \u2194 host 198.51.100.3:40000)');
    // The peer's relay: its address, as the page sees it.
    const theirs: Route = { local: relayed.remote, remote: { ...relayed.local, address: '203.0.113.20' } };
    expect(routeKind(theirs)).toBe('relay via 203.0.113.20');
    expect(routeKind({ ...relayed, local: { ...relayed.local, address: '' } })).toBe('relay');
    expect(routeKind(route('srflx', 'prflx'))).toBe('direct');
    expect(isRelayed(route('srflx', 'prflx'))).toBe(false);
    // Candidate types not in the stats: no claim either way.
    expect(routeText(route('?', 'host'))).toBe('? 198.51.100.2:1 \u2194 host 198.51.100.3:2');
  });

  it('summarizes a relayed pair from a report', () => {
    const report = chromeReport();
    const pair = report.get('CPa_b')!;
    pair.localCandidateId = 'Ix';
    const sample = summarizeStats(report, null);
    expect(sample.route && routeText(sample.route)).toBe('relay via 203.0.113.1 (relay 203.0.113.1:3478 \u2194 host 198.51.100.3:40000)');
  });
});
