// A fake sending daemon for the lane's page side: POST/GET transfers, the
// uploads of each file with offsets (409 when the offset is not what it
// holds), answers and cancels, and failures on demand.

import { LaneApiError, type UploadBody, type UploadResult } from '../../src/daemon/laneApi';
import type { LaneFileToSend, LaneTransfer, LaneUploadTransfer } from '../../src/daemon/laneProtocol';
import type { LanePort } from '../../src/lane/LaneController';

export function laneTransfer(extra: Partial<LaneTransfer> = {}): LaneTransfer {
  return {
    tid: 't1',
    direction: 'outgoing',
    peer: 'BOBID',
    peerName: 'bob',
    state: 'accepted',
    fileCount: 1,
    totalBytes: 100,
    doneBytes: 0,
    filesLanded: 0,
    createdAt: 1_000,
    updatedAt: 1_000,
    ...extra,
  };
}

/** The wire form of a transfer (snake_case), for pushes. */
export function wireTransfer(t: LaneTransfer & { files?: unknown }): Record<string, unknown> {
  return {
    tid: t.tid,
    direction: t.direction,
    peer: t.peer,
    peer_name: t.peerName,
    state: t.state,
    file_count: t.fileCount,
    total_bytes: t.totalBytes,
    done_bytes: t.doneBytes,
    files_landed: t.filesLanded,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    ...(t.expiresAt !== undefined ? { expires_at: t.expiresAt } : {}),
    ...(t.reason !== undefined ? { reason: t.reason } : {}),
    ...(t.answeredBy !== undefined ? { answered_by: t.answeredBy } : {}),
    ...(t.stalled !== undefined ? { stalled: t.stalled } : {}),
    ...(t.source !== undefined ? { source: t.source } : {}),
    ...(t.files !== undefined ? { files: t.files } : {}),
  };
}

export interface FakeUpload {
  tid: string;
  index: number;
  offset: number;
  bytes: number;
  /** The body was the Blob given (no copy): a File or a slice of one. */
  body: UploadBody;
}

interface Held {
  transfer: LaneUploadTransfer;
  held: number[];
}

export class FakeLaneDaemon implements LanePort {
  readonly transfers = new Map<string, Held>();
  readonly calls: string[] = [];
  readonly uploads: FakeUpload[] = [];
  /** The next uploads fail as if the daemon did not answer. */
  networkFailures = 0;
  /** The next upload takes only this many bytes, then the connection drops (network error). */
  cutAfter: number | null = null;
  /** Answers to offers: 'ok' or a 404 (answered elsewhere). */
  answerResult: 'ok' | 'gone' | 'network' = 'ok';
  private next = 1;

  async send(peer: string, files: readonly LaneFileToSend[]): Promise<LaneUploadTransfer> {
    this.calls.push(`POST /api/transfers ${peer} ${files.length}`);
    const tid = `t${this.next++}`;
    const transfer: LaneUploadTransfer = {
      tid,
      direction: 'outgoing',
      peer,
      peerName: 'bob',
      state: 'offered',
      fileCount: files.length,
      totalBytes: files.reduce((s, f) => s + f.size, 0),
      doneBytes: 0,
      filesLanded: 0,
      createdAt: 1_000,
      updatedAt: 1_000,
      source: 'page',
      files: files.map((f, index) => ({ index, path: f.path, size: f.size, uploaded: 0 })),
    };
    this.transfers.set(tid, { transfer, held: files.map(() => 0) });
    return this.snapshot(tid);
  }

  async get(tid: string): Promise<LaneUploadTransfer> {
    this.calls.push(`GET /api/transfers/${tid}`);
    if (!this.transfers.has(tid)) throw new LaneApiError('There is no such transfer', 404, 'not_found');
    return this.snapshot(tid);
  }

  async upload(tid: string, index: number, offset: number, body: UploadBody, signal?: AbortSignal): Promise<UploadResult> {
    this.calls.push(`PUT /api/transfers/${tid}/files/${index}?offset=${offset}`);
    if (signal?.aborted) throw new DOMException('aborted', 'AbortError');
    if (this.networkFailures > 0) {
      this.networkFailures--;
      throw new LaneApiError('PeerDrop on this computer does not answer.', 0, 'network');
    }
    const entry = this.transfers.get(tid);
    if (!entry) throw new LaneApiError('There is no such transfer', 404, 'not_found');
    const held = entry.held[index];
    if (held === undefined) throw new LaneApiError('No such file', 400, 'bad_request');
    if (offset !== held) return { type: 'offset', uploaded: held };
    this.uploads.push({ tid, index, offset, bytes: body.size, body });
    const size = entry.transfer.files[index]!.size;
    if (this.cutAfter !== null) {
      entry.held[index] = Math.min(size, offset + this.cutAfter);
      this.cutAfter = null;
      throw new LaneApiError('PeerDrop on this computer does not answer.', 0, 'network');
    }
    entry.held[index] = offset + body.size;
    return { type: 'done' };
  }

  async answer(tid: string, accept: boolean): Promise<void> {
    this.calls.push(`POST /api/offers/${tid}/${accept ? 'accept' : 'decline'}`);
    if (this.answerResult === 'gone') throw new LaneApiError('There is no such transfer or offer', 404, 'not_found');
    if (this.answerResult === 'network') throw new LaneApiError('PeerDrop on this computer does not answer.', 0, 'network');
  }

  async cancel(tid: string): Promise<void> {
    this.calls.push(`DELETE /api/transfers/${tid}`);
    const entry = this.transfers.get(tid);
    if (!entry) throw new LaneApiError('There is no such transfer', 404, 'not_found');
    entry.transfer = { ...entry.transfer, state: 'cancelled' };
  }

  held(tid: string): number[] {
    return [...(this.transfers.get(tid)?.held ?? [])];
  }

  private snapshot(tid: string): LaneUploadTransfer {
    const entry = this.transfers.get(tid)!;
    return { ...entry.transfer, files: entry.transfer.files.map((f, i) => ({ ...f, uploaded: entry.held[i] ?? 0 })) };
  }
}

/** A picked file of `size` bytes. */
export function pickedFile(path: string, size: number, lastModified = 1_700_000_000_000) {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return { path, file: new File([new Uint8Array(size)], name, { lastModified }) };
}
