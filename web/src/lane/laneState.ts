// The page's view of the transfer lane, as an explicit typed reducer: the
// daemon's last `transfers` push, the offers this tab already answered (kept
// out of the dialog queue until the push drops them), the page's own
// uploads, speed samples, and what the person removed from the list. Pure:
// time comes in with the events.

import { isFinalLaneState, type LaneOffer, type LaneOfferedFile, type LaneTransfer, type TransfersMessage } from '../daemon/laneProtocol';

/** Where this page's upload of a transfer it sends stands. */
export type LaneUpload =
  | { state: 'uploading' }
  /** A record says this page sent it, and no upload runs here: the files must be chosen again. */
  | { state: 'paused' }
  /** The upload stopped on an error (the files can be chosen again). */
  | { state: 'failed'; error: string }
  /** The daemon holds every byte. */
  | { state: 'uploaded' };

export interface SpeedSample {
  bytes: number;
  at: number;
}

export interface LaneModel {
  /** A push arrived since the page started. */
  pushed: boolean;
  /** Newest first, as pushed. */
  transfers: readonly LaneTransfer[];
  /** Incoming offers waiting for an answer here, as pushed. */
  offers: readonly LaneOffer[];
  /** Offers this tab answered: not shown again while the push still lists them. */
  answering: readonly string[];
  uploads: Readonly<Record<string, LaneUpload>>;
  /** The file lists the page knows (from offers and its own sends), by tid. */
  files: Readonly<Record<string, readonly LaneOfferedFile[]>>;
  /** Progress samples of the last seconds, by tid. */
  samples: Readonly<Record<string, readonly SpeedSample[]>>;
  /** Ended transfers the person removed from the list. */
  dismissed: readonly string[];
}

export type LaneEvent =
  | { type: 'PUSH'; message: TransfersMessage; now: number }
  | { type: 'ANSWERING'; tid: string }
  /** The answer did not reach the daemon: the offer goes back into the queue. */
  | { type: 'ANSWER_FAILED'; tid: string }
  | { type: 'UPLOAD'; tid: string; upload: LaneUpload | null }
  | { type: 'FILES'; tid: string; files: readonly LaneOfferedFile[] }
  | { type: 'DISMISS'; tid: string };

/** Speed is measured over this window. */
export const SPEED_WINDOW_MS = 5_000;
const MAX_SAMPLES = 32;
/** File lists kept per tid (for the rows of a transfer). */
const MAX_KEPT_FILES = 100;

export function initialLaneModel(): LaneModel {
  return { pushed: false, transfers: [], offers: [], answering: [], uploads: {}, files: {}, samples: {}, dismissed: [] };
}

export function laneReducer(model: LaneModel, event: LaneEvent): LaneModel {
  switch (event.type) {
    case 'PUSH':
      return applyPush(model, event.message, event.now);
    case 'ANSWERING':
      return model.answering.includes(event.tid) ? model : { ...model, answering: [...model.answering, event.tid] };
    case 'ANSWER_FAILED':
      return { ...model, answering: model.answering.filter((t) => t !== event.tid) };
    case 'UPLOAD': {
      const uploads = { ...model.uploads };
      if (event.upload) uploads[event.tid] = event.upload;
      else delete uploads[event.tid];
      return { ...model, uploads };
    }
    case 'FILES':
      return { ...model, files: { ...model.files, [event.tid]: event.files.slice(0, MAX_KEPT_FILES) } };
    case 'DISMISS': {
      const transfer = model.transfers.find((t) => t.tid === event.tid);
      if (!transfer || !isFinalLaneState(transfer.state) || model.dismissed.includes(event.tid)) return model;
      return { ...model, dismissed: [...model.dismissed, event.tid] };
    }
  }
}

function applyPush(model: LaneModel, message: TransfersMessage, now: number): LaneModel {
  const listed = new Set(message.transfers.map((t) => t.tid));
  const offered = new Set(message.offers.map((o) => o.tid));
  for (const o of message.offers) listed.add(o.tid);
  const files: Record<string, readonly LaneOfferedFile[]> = {};
  for (const [tid, list] of Object.entries(model.files)) if (listed.has(tid) || model.uploads[tid]) files[tid] = list;
  for (const offer of message.offers) if (offer.files.length > 0) files[offer.tid] = offer.files.slice(0, MAX_KEPT_FILES);
  const samples: Record<string, readonly SpeedSample[]> = {};
  for (const t of message.transfers) {
    if (t.state !== 'accepted') continue;
    const previous = (model.samples[t.tid] ?? []).filter((s) => now - s.at <= SPEED_WINDOW_MS && s.bytes <= t.doneBytes);
    const last = previous.at(-1);
    samples[t.tid] = last && last.bytes === t.doneBytes && last.at === now ? previous : [...previous, { bytes: t.doneBytes, at: now }].slice(-MAX_SAMPLES);
  }
  return {
    ...model,
    pushed: true,
    transfers: message.transfers,
    offers: message.offers,
    // An answered offer the push no longer lists is settled; one it still lists stays hidden.
    answering: model.answering.filter((tid) => offered.has(tid)),
    files,
    samples,
    dismissed: model.dismissed.filter((tid) => listed.has(tid)),
  };
}

/** The offers to ask the person about, oldest first: one dialog each, in this order. */
export function dialogQueue(model: LaneModel): LaneOffer[] {
  return model.offers.filter((o) => !model.answering.includes(o.tid)).sort((a, b) => a.createdAt - b.createdAt || a.tid.localeCompare(b.tid));
}

/** Bytes per second over the samples' window, or null while it cannot tell (fewer than two samples, under half a second). */
export function laneSpeed(model: LaneModel, tid: string, now: number): number | null {
  const samples = (model.samples[tid] ?? []).filter((s) => now - s.at <= SPEED_WINDOW_MS);
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || last.at - first.at < 500) return null;
  // Nothing pushed for over a second: the bytes stopped (the daemon pushes every change), so the rate falls.
  const end = now - last.at > 1_000 ? now : last.at;
  return ((last.bytes - first.bytes) * 1000) / (end - first.at);
}

/** The transfers to list (not removed by the person), newest first. */
export function listedTransfers(model: LaneModel): LaneTransfer[] {
  return model.transfers.filter((t) => !model.dismissed.includes(t.tid));
}
