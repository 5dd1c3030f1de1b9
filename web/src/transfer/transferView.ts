// What React renders of a transfer, and what benchmarks read of it: a pure
// projection of the transfer's facts (its status, files, results and byte
// counts) into words, per-file states and flags. No React, no I/O.

import type { FileResult } from './FileReceiver';
import { etaSeconds } from './progress';
import {
  errorText,
  isTerminal,
  phaseText,
  type PauseReason,
  type TransferDirection,
  type TransferPhase,
  type TransferStatus,
} from './transferState';
import type { OfferedFile } from './wire';

export type TransferFileStatus = 'waiting' | 'sending' | 'receiving' | 'checking' | 'verified' | 'failed';

export interface TransferFileView {
  i: number;
  path: string;
  size: number;
  /** Bytes held durably by the receiving daemon. */
  done: number;
  status: TransferFileStatus;
  /** The final name on the receiving computer (when verified). */
  name: string | null;
  error: string | null;
  /** The sender has no File for it (after a reload). */
  missing: boolean;
}

export interface TransferView {
  tid: string;
  peerId: string;
  peerName: string;
  direction: TransferDirection;
  phase: TransferPhase;
  pause: PauseReason | null;
  /** "Sending", "Paused — …", "Done", "Failed: …" */
  stateText: string;
  /** A problem in plain words (failed files, a read error), or null. */
  problem: string | null;
  files: readonly TransferFileView[];
  fileCount: number;
  total: number;
  /** Bytes held durably by the receiving daemon. */
  bytesDone: number;
  /** Bytes put on the channel (sender) or passed to the daemon (receiver). */
  bytesMoved: number;
  /** Bytes per second over the last seconds, null if unknown. */
  speed: number | null;
  etaSeconds: number | null;
  /** Every file was verified (SHA-256 matched on the receiving disk). */
  verified: boolean;
  canCancel: boolean;
  canDismiss: boolean;
  /** Names of files to select again (sender, after a reload). */
  missingFiles: readonly string[];
  createdAt: number;
}

/** window.__peerdrop.transfers: what benchmarks read. Times are performance.now(). */
export interface TransferHookInfo {
  tid: string;
  direction: TransferDirection;
  peer: string;
  state: TransferPhase;
  total: number;
  bytesSent: number;
  bytesDurable: number;
  startedAt: number | null;
  doneAt: number | null;
}

/** One file's bytes: held by the receiving daemon, and whether any of it moved yet. */
export interface FileBytes {
  durable: number;
  moved: boolean;
}

/** Everything a view is made of. */
export interface TransferFacts {
  tid: string;
  peerId: string;
  peerName: string;
  direction: TransferDirection;
  status: TransferStatus;
  files: readonly OfferedFile[];
  total: number;
  createdAt: number;
  results: ReadonlyMap<number, FileResult>;
  /** Files the sender has no File for (after a reload). */
  missing: readonly OfferedFile[];
  bytesDone: number;
  bytesMoved: number;
  /** Bytes per second while running, else null. */
  speed: number | null;
  fileBytes(i: number): FileBytes;
}

export function transferView(facts: TransferFacts): TransferView {
  const { status, direction } = facts;
  const running = status.phase === 'running';
  const missingSet = new Set(facts.missing.map((f) => f.i));
  const files = facts.files.map((f) => fileView(facts, f, missingSet.has(f.i)));
  const failedFiles = files.filter((f) => f.status === 'failed');
  const problem =
    status.phase === 'failed'
      ? null
      : failedFiles.length > 0
        ? `${failedFiles[0]!.path}: ${failedFiles[0]!.error ?? 'failed'}`
        : status.failure;
  return {
    tid: facts.tid,
    peerId: facts.peerId,
    peerName: facts.peerName,
    direction,
    phase: status.phase,
    pause: status.pause,
    stateText: phaseText(status, direction, facts.peerName),
    problem,
    files,
    fileCount: facts.files.length,
    total: facts.total,
    bytesDone: facts.bytesDone,
    bytesMoved: facts.bytesMoved,
    speed: facts.speed,
    etaSeconds: running ? etaSeconds(facts.total - facts.bytesDone, facts.speed) : null,
    verified: status.phase === 'done',
    canCancel: !isTerminal(status.phase),
    canDismiss: isTerminal(status.phase),
    missingFiles: facts.missing.map((f) => f.path),
    createdAt: facts.createdAt,
  };
}

function fileView(facts: TransferFacts, f: OfferedFile, missing: boolean): TransferFileView {
  const result = facts.results.get(f.i) ?? null;
  const bytes = facts.fileBytes(f.i);
  let done = bytes.durable;
  let status: TransferFileStatus = 'waiting';
  if (result) {
    status = result.ok ? 'verified' : 'failed';
    if (result.ok) done = f.size;
  } else if (facts.status.phase === 'running' || facts.status.phase === 'resuming') {
    if (done >= f.size && f.size > 0) status = 'checking';
    else if (bytes.moved) status = facts.direction === 'out' ? 'sending' : 'receiving';
  }
  return {
    i: f.i,
    path: f.path,
    size: f.size,
    done,
    status,
    name: result?.ok ? result.name : null,
    error: result && !result.ok ? errorText(result.error) : null,
    missing,
  };
}
