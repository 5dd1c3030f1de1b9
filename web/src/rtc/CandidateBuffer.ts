// Remote ICE candidates: checked before use, held back until the remote
// description is set, then applied in the order they arrived. Nothing here
// throws: bad candidates are reported through onError.

import { isObject } from '../daemon/protocol';

/** A candidate as it travels in an `ice_candidate` signal; null means end-of-candidates. */
export type CandidateInit = {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
};

export type ParsedCandidate = { ok: true; candidate: CandidateInit | null } | { ok: false; error: string };

const MAX_CANDIDATE_CHARS = 2048;

/**
 * Checks the payload of an `ice_candidate` signal: `{"candidate": {...}}` or
 * `{"candidate": null}` (end of candidates).
 */
export function parseCandidatePayload(payload: unknown): ParsedCandidate {
  if (!isObject(payload) || !('candidate' in payload)) {
    return { ok: false, error: 'the ice_candidate message has no "candidate" field' };
  }
  const value = payload.candidate;
  if (value === null) return { ok: true, candidate: null };
  if (!isObject(value)) return { ok: false, error: 'the candidate is not an object' };
  const text = value.candidate;
  if (typeof text !== 'string') return { ok: false, error: 'the candidate has no "candidate" string' };
  if (text.length > MAX_CANDIDATE_CHARS) return { ok: false, error: 'the candidate is too long' };
  if (text !== '' && !/^(a=)?candidate:\S+ \d+ \S+ \d+ \S+ \d+ typ \S+/.test(text)) {
    return { ok: false, error: `the candidate line is malformed: "${text.slice(0, 80)}"` };
  }
  const mid = value.sdpMid;
  const index = value.sdpMLineIndex;
  if (mid !== undefined && mid !== null && typeof mid !== 'string') {
    return { ok: false, error: 'sdpMid is not a string' };
  }
  if (index !== undefined && index !== null && (typeof index !== 'number' || !Number.isInteger(index) || index < 0)) {
    return { ok: false, error: 'sdpMLineIndex is not a non-negative integer' };
  }
  if (text !== '' && (mid === undefined || mid === null) && (index === undefined || index === null)) {
    return { ok: false, error: 'the candidate names neither sdpMid nor sdpMLineIndex' };
  }
  const candidate: CandidateInit = { candidate: text };
  if (mid !== undefined) candidate.sdpMid = mid as string | null;
  if (index !== undefined) candidate.sdpMLineIndex = index as number | null;
  if (typeof value.usernameFragment === 'string') candidate.usernameFragment = value.usernameFragment;
  return { ok: true, candidate };
}

export interface CandidateBufferOptions {
  /** True once the peer connection has a remote description. */
  hasRemoteDescription: () => boolean;
  /** Hands one candidate (null: end of candidates) to the peer connection. */
  apply: (candidate: CandidateInit | null) => Promise<void>;
  /** A candidate was refused (malformed or rejected by the peer connection). */
  onError: (error: string, candidate: CandidateInit | null) => void;
  /** At most this many are held back; older ones are dropped (and reported). */
  limit?: number;
}

export class CandidateBuffer {
  private pending: (CandidateInit | null)[] = [];
  private readonly limit: number;

  constructor(private readonly options: CandidateBufferOptions) {
    this.limit = options.limit ?? 500;
  }

  /** How many candidates wait for the remote description. */
  get size(): number {
    return this.pending.length;
  }

  /** Takes a raw `ice_candidate` payload: applies it, holds it, or reports it as malformed. */
  async addPayload(payload: unknown): Promise<void> {
    const parsed = parseCandidatePayload(payload);
    if (!parsed.ok) {
      this.options.onError(parsed.error, null);
      return;
    }
    await this.add(parsed.candidate);
  }

  async add(candidate: CandidateInit | null): Promise<void> {
    if (!this.options.hasRemoteDescription() || this.pending.length > 0) {
      this.pending.push(candidate);
      if (this.pending.length > this.limit) {
        const dropped = this.pending.shift() ?? null;
        this.options.onError('too many candidates arrived before the remote description; dropped the oldest', dropped);
      }
      if (this.options.hasRemoteDescription()) await this.flush();
      return;
    }
    await this.applyOne(candidate);
  }

  /** Applies everything held back, in arrival order (call after setting the remote description). */
  async flush(): Promise<void> {
    while (this.pending.length > 0 && this.options.hasRemoteDescription()) {
      const next = this.pending.shift() ?? null;
      await this.applyOne(next);
    }
  }

  clear(): void {
    this.pending = [];
  }

  private async applyOne(candidate: CandidateInit | null): Promise<void> {
    try {
      await this.options.apply(candidate);
    } catch (error) {
      this.options.onError(`the candidate was rejected: ${errorText(error)}`, candidate);
    }
  }
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
