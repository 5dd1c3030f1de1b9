import { describe, expect, it } from 'vitest';
import { CandidateBuffer, parseCandidatePayload, type CandidateInit } from '../../src/rtc/CandidateBuffer';

const line = (n: number) => `candidate:${n} 1 udp 2122260223 198.51.100.${n} 4000${n} typ host`;
const cand = (n: number): CandidateInit => ({ candidate: line(n), sdpMid: '0', sdpMLineIndex: 0 });

function buffer(opts: { ready?: boolean; reject?: (c: CandidateInit | null) => boolean; limit?: number } = {}) {
  let ready = opts.ready ?? false;
  const applied: (CandidateInit | null)[] = [];
  const errors: string[] = [];
  const b = new CandidateBuffer({
    hasRemoteDescription: () => ready,
    apply: async (c) => {
      await Promise.resolve();
      if (opts.reject?.(c)) throw new Error('OperationError: refused');
      applied.push(c);
    },
    onError: (e) => errors.push(e),
    ...(opts.limit ? { limit: opts.limit } : {}),
  });
  return { b, applied, errors, setReady: (v: boolean) => (ready = v) };
}

describe('CandidateBuffer', () => {
  it('holds candidates until the remote description, then applies them in arrival order', async () => {
    const { b, applied, setReady } = buffer();
    await b.add(cand(1));
    await b.add(null);
    await b.add(cand(2));
    expect(applied).toEqual([]);
    expect(b.size).toBe(3);
    setReady(true);
    await b.flush();
    expect(applied).toEqual([cand(1), null, cand(2)]);
    expect(b.size).toBe(0);
  });

  it('applies at once when the remote description is there', async () => {
    const { b, applied } = buffer({ ready: true });
    await b.add(cand(3));
    expect(applied).toEqual([cand(3)]);
  });

  it('a candidate arriving while older ones wait goes behind them', async () => {
    const { b, applied, setReady } = buffer();
    await b.add(cand(1));
    setReady(true);
    await b.add(cand(2)); // flushes the older one first
    expect(applied).toEqual([cand(1), cand(2)]);
  });

  it('a rejected candidate is reported and the rest still applied', async () => {
    const { b, applied, errors, setReady } = buffer({ reject: (c) => c?.candidate === line(2) });
    await b.add(cand(1));
    await b.add(cand(2));
    await b.add(cand(3));
    setReady(true);
    await b.flush();
    expect(applied).toEqual([cand(1), cand(3)]);
    expect(errors).toEqual(['the candidate was rejected: OperationError: refused']);
  });

  it('malformed payloads are reported and never held', async () => {
    const { b, errors } = buffer();
    await b.addPayload({ candidate: { candidate: 'rubbish', sdpMid: '0' } });
    await b.addPayload('not even an object');
    expect(b.size).toBe(0);
    expect(errors).toHaveLength(2);
  });

  it('bounds what it holds, dropping the oldest', async () => {
    const { b, errors, applied, setReady } = buffer({ limit: 2 });
    await b.add(cand(1));
    await b.add(cand(2));
    await b.add(cand(3));
    expect(b.size).toBe(2);
    expect(errors).toHaveLength(1);
    setReady(true);
    await b.flush();
    expect(applied).toEqual([cand(2), cand(3)]);
  });
});

describe('parseCandidatePayload', () => {
  it('accepts a browser candidate and end-of-candidates', () => {
    expect(parseCandidatePayload({ candidate: cand(1) })).toEqual({ ok: true, candidate: cand(1) });
    expect(parseCandidatePayload({ candidate: null })).toEqual({ ok: true, candidate: null });
    const mdns = { candidate: 'candidate:9 1 udp 2122260223 3f2a1c44-aaaa.local 54321 typ host generation 0', sdpMid: '0' };
    expect(parseCandidatePayload({ candidate: mdns })).toEqual({ ok: true, candidate: mdns });
    expect(parseCandidatePayload({ candidate: { candidate: '', sdpMid: '0' } })).toMatchObject({ ok: true });
  });

  it('refuses wrong shapes with a reason', () => {
    const bad = [
      {},
      { candidate: 'candidate:1 1 udp 1 1.2.3.4 5 typ host' },
      { candidate: { candidate: 5 } },
      { candidate: { candidate: 'hello world', sdpMid: '0' } },
      { candidate: { candidate: line(1) } },
      { candidate: { candidate: line(1), sdpMid: 3 } },
      { candidate: { candidate: line(1), sdpMLineIndex: -1 } },
      { candidate: { candidate: line(1) + 'x'.repeat(3000), sdpMid: '0' } },
    ];
    for (const payload of bad) {
      const result = parseCandidatePayload(payload);
      expect(result.ok, JSON.stringify(payload).slice(0, 80)).toBe(false);
      if (!result.ok) expect(result.error.length).toBeGreaterThan(5);
    }
  });
});
