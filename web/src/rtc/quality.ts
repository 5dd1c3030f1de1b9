// Connection quality from getStats(): the selected candidate pair's route,
// round-trip time and throughput, and a simple good/fair/poor verdict.

import type { StatsReportLike } from './PeerSession';

export type Quality = 'good' | 'fair' | 'poor' | 'unknown';

export interface CandidateSide {
  /** host, srflx, prflx or relay */
  type: string;
  address: string;
  port: number | null;
  protocol: string;
}

export interface Route {
  local: CandidateSide;
  remote: CandidateSide;
}

export interface QualitySample {
  /** The stats report's time (ms). */
  timestamp: number;
  route: Route | null;
  rttMs: number | null;
  bytesSent: number;
  bytesReceived: number;
  /** Bytes per second, both directions, since the previous sample (null for the first). */
  throughputBps: number | null;
  quality: Quality;
}

export const GOOD_RTT_MS = 50;
export const FAIR_RTT_MS = 200;
/** A relayed route is poor from this RTT on (a relay hop on a LAN means something is wrong). */
export const POOR_RELAY_RTT_MS = 100;

export function classifyQuality(rttMs: number | null, route: Route | null): Quality {
  if (rttMs === null || !Number.isFinite(rttMs)) return 'unknown';
  if (route !== null && isRelayed(route) && rttMs >= POOR_RELAY_RTT_MS) return 'poor';
  if (rttMs < GOOD_RTT_MS) return 'good';
  if (rttMs < FAIR_RTT_MS) return 'fair';
  return 'poor';
}

type Stat = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function toMap(report: StatsReportLike): Map<string, Stat> {
  const map = new Map<string, Stat>();
  report.forEach((value, key) => map.set(key, value));
  return map;
}

/** The candidate pair in use: the transport's selectedCandidatePairId, else a nominated succeeded pair. */
export function selectedCandidatePair(report: StatsReportLike): { pair: Stat; local: Stat | null; remote: Stat | null } | null {
  const stats = toMap(report);
  let pair: Stat | undefined;
  for (const stat of stats.values()) {
    if (stat.type === 'transport' && typeof stat.selectedCandidatePairId === 'string') {
      pair = stats.get(stat.selectedCandidatePairId);
      if (pair) break;
    }
  }
  if (!pair) {
    for (const stat of stats.values()) {
      if (stat.type !== 'candidate-pair') continue;
      if (stat.selected === true || (stat.nominated === true && stat.state === 'succeeded')) {
        pair = stat;
        break;
      }
    }
  }
  if (!pair) return null;
  return {
    pair,
    local: stats.get(str(pair.localCandidateId)) ?? null,
    remote: stats.get(str(pair.remoteCandidateId)) ?? null,
  };
}

function side(stat: Stat | null): CandidateSide {
  return {
    type: str(stat?.candidateType) || '?',
    address: str(stat?.address) || str(stat?.ip),
    port: num(stat?.port),
    protocol: str(stat?.protocol),
  };
}

export function summarizeStats(report: StatsReportLike, previous: QualitySample | null): QualitySample {
  const selected = selectedCandidatePair(report);
  let timestamp = 0;
  report.forEach((value) => {
    const t = num(value.timestamp);
    if (t !== null && t > timestamp) timestamp = t;
  });
  if (!selected) {
    return { timestamp, route: null, rttMs: null, bytesSent: 0, bytesReceived: 0, throughputBps: null, quality: 'unknown' };
  }
  const { pair, local, remote } = selected;
  const route: Route = { local: side(local), remote: side(remote) };
  const rttSeconds = num(pair.currentRoundTripTime);
  const rttMs = rttSeconds === null ? null : Math.round(rttSeconds * 10_000) / 10;
  const bytesSent = num(pair.bytesSent) ?? 0;
  const bytesReceived = num(pair.bytesReceived) ?? 0;
  const pairTime = num(pair.timestamp) ?? timestamp;
  let throughputBps: number | null = null;
  if (previous && pairTime > previous.timestamp) {
    const bytes = bytesSent + bytesReceived - previous.bytesSent - previous.bytesReceived;
    throughputBps = Math.max(0, Math.round((bytes * 1000) / (pairTime - previous.timestamp)));
  }
  return {
    timestamp: pairTime,
    route,
    rttMs,
    bytesSent,
    bytesReceived,
    throughputBps,
    quality: classifyQuality(rttMs, route),
  };
}

function endpoint(sideInfo: CandidateSide): string {
  // Browsers withhold a peer-reflexive or mDNS-hidden peer's address from the page.
  if (sideInfo.address === '') return sideInfo.port === null ? '(address hidden)' : `(address hidden):${sideInfo.port}`;
  const host = sideInfo.address.includes(':') ? `[${sideInfo.address}]` : sideInfo.address;
  return sideInfo.port === null ? host : `${host}:${sideInfo.port}`;
}

/** Through a TURN relay: either candidate of the selected pair is a relayed one. */
export function isRelayed(route: Route): boolean {
  return route.local.type === 'relay' || route.remote.type === 'relay';
}

/** "relay via 198.51.100.12" (the relay's address, ours if we use one), "direct", or '' while the types are unknown. */
export function routeKind(route: Route): string {
  if (isRelayed(route)) {
    const relay = route.local.type === 'relay' ? route.local : route.remote;
    return relay.address ? `relay via ${relay.address}` : 'relay';
  }
  return route.local.type === '?' || route.remote.type === '?' ? '' : 'direct';
}

/** "direct (srflx 198.51.100.2:50000 ↔ host 198.51.100.3:40000)", "relay via 198.51.100.12 (relay … ↔ host …)" */
export function routeText(route: Route): string {
  const pair = `${route.local.type} ${endpoint(route.local)} \u2194 ${route.remote.type} ${endpoint(route.remote)}`;
  const kind = routeKind(route);
  return kind ? `${kind} (${pair})` : pair;
}

export function throughputText(bps: number | null): string {
  if (bps === null) return '\u2013';
  if (bps < 1024) return `${bps} B/s`;
  if (bps < 1024 * 1024) return `${(bps / 1024).toFixed(1)} KiB/s`;
  return `${(bps / (1024 * 1024)).toFixed(1)} MiB/s`;
}
