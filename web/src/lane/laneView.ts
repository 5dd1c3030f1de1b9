// What React shows of a lane transfer: the same TransferView the WebRTC
// transfers have (so TransferProgress and FileRequestDialog show both), made
// from the daemon's push and what this page knows (its uploads, file lists).
// Pure: no React, no I/O.

import { isFinalLaneState, type LaneAnsweredBy, type LaneOffer, type LaneOfferedFile, type LaneTransfer } from '../daemon/laneProtocol';
import { etaSeconds } from '../transfer/progress';
import type { TransferPhase } from '../transfer/transferState';
import type { TransferFileStatus, TransferFileView, TransferView } from '../transfer/transferView';
import type { LaneUpload } from './laneState';

export interface LaneViewContext {
  /** The name the page shows for the peer. */
  peerName: string;
  /** This page's upload of it, if it sends it. */
  upload: LaneUpload | null;
  /** The files the page knows of it (maybe only the first ones). */
  files: readonly LaneOfferedFile[];
  /** Bytes per second, null if unknown. */
  speed: number | null;
}

const PHASES: Record<LaneTransfer['state'], TransferPhase> = {
  offered: 'offered',
  accepted: 'running',
  done: 'done',
  declined: 'declined',
  expired: 'failed',
  cancelled: 'cancelled',
  failed: 'failed',
};

const ANSWERED: Record<LaneAnsweredBy, string> = {
  trust: 'automatically',
  tab: 'in a tab',
  'command line': 'on the command line',
  notification: 'from a notification',
};

export function lanePercent(done: number, total: number): number {
  return total <= 0 ? 100 : Math.min(100, Math.floor((done * 100) / total));
}

/** The page must get the files again before this transfer's bytes can flow. */
export function needsFiles(t: LaneTransfer, upload: LaneUpload | null): boolean {
  return t.direction === 'outgoing' && !isFinalLaneState(t.state) && (upload?.state === 'paused' || upload?.state === 'failed');
}

/** Its state in words: "Waiting for Bob to accept", "Sending… 45 %", "Declined by Bob", … */
export function laneStateText(t: LaneTransfer, peerName: string, upload: LaneUpload | null): string {
  const out = t.direction === 'outgoing';
  switch (t.state) {
    case 'offered':
      if (out && needsFiles(t, upload)) return `Offered to ${peerName}; paused \u2014 choose the same files again to send them`;
      return out ? `Waiting for ${peerName} to accept` : 'Waiting for your answer';
    case 'accepted': {
      if (needsFiles(t, upload)) {
        const why = upload?.state === 'failed' ? `: ${upload.error}` : '';
        return `Paused${why} \u2014 choose the same files again to resume`;
      }
      const percent = `${lanePercent(t.doneBytes, t.totalBytes)} %`;
      return out ? `Sending\u2026 ${percent}` : `Receiving\u2026 ${percent}`;
    }
    case 'done':
      return out ? `Sent to ${peerName}` : 'Received';
    case 'declined':
      if (out) return `Declined by ${peerName}`;
      return t.answeredBy ? `Declined ${ANSWERED[t.answeredBy]}` : 'Declined';
    case 'expired': {
      if (t.expiresAt && t.createdAt && t.expiresAt > t.createdAt) {
        const minutes = Math.max(1, Math.round((t.expiresAt - t.createdAt) / 60_000));
        return `Expired: nobody answered within ${minutes === 1 ? '1 minute' : `${minutes} minutes`}`;
      }
      return t.reason ? `Expired: ${lowerFirst(t.reason)}` : 'Expired: nobody answered in time';
    }
    case 'cancelled':
      return t.reason ? `Cancelled: ${lowerFirst(t.reason)}` : 'Cancelled';
    case 'failed':
      return `Failed: ${t.reason ? lowerFirst(t.reason) : 'the transfer stopped'}`;
  }
}

/** Each known file's bytes, taking the transfer's done bytes in file order (files go in order). */
function fileViews(t: LaneTransfer, files: readonly LaneOfferedFile[], running: boolean): TransferFileView[] {
  let left = t.doneBytes;
  return files.map((f, i) => {
    const landed = t.state === 'done' || i < t.filesLanded;
    const done = landed ? f.size : Math.min(f.size, left);
    left = Math.max(0, left - done);
    let status: TransferFileStatus = 'waiting';
    if (landed) status = 'verified';
    else if (running && f.size > 0 && done >= f.size) status = 'checking';
    else if (running && done > 0) status = t.direction === 'outgoing' ? 'sending' : 'receiving';
    return { i, path: f.path, size: f.size, done, status, name: null, error: null, missing: false };
  });
}

export function laneTransferView(t: LaneTransfer, context: LaneViewContext): TransferView {
  const final = isFinalLaneState(t.state);
  const paused = needsFiles(t, context.upload);
  const phase: TransferPhase = paused ? 'paused' : PHASES[t.state];
  const running = phase === 'running';
  return {
    tid: t.tid,
    peerId: t.peer,
    peerName: context.peerName,
    direction: t.direction === 'outgoing' ? 'out' : 'in',
    phase,
    pause: paused ? 'files' : null,
    stateText: laneStateText(t, context.peerName, context.upload),
    problem: final ? null : (t.stalled ?? null),
    files: fileViews(t, context.files, running),
    fileCount: t.fileCount,
    total: t.totalBytes,
    bytesDone: t.doneBytes,
    bytesMoved: t.doneBytes,
    speed: running ? context.speed : null,
    etaSeconds: running ? etaSeconds(t.totalBytes - t.doneBytes, context.speed) : null,
    verified: t.state === 'done',
    canCancel: !final,
    canDismiss: final,
    missingFiles: paused ? context.files.map((f) => f.path) : [],
    createdAt: t.createdAt,
  };
}

/** An incoming offer as the file request dialog shows it. */
export function laneOfferView(offer: LaneOffer, peerName: string): TransferView {
  return laneTransferView(offer, { peerName, upload: null, files: offer.files, speed: null });
}

function lowerFirst(text: string): string {
  return text.length > 1 && /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}
