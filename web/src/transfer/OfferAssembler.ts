// A request (xfer_offer) may come in several frames: this puts them together
// per transfer id and says what to do with each frame. Pure: it sends nothing.

import { MAX_FILES, type OfferedFile, type XferOffer } from './wire';

export type OfferOutcome =
  /** Nothing to do (more frames to come, or a frame of a known transfer's offer). */
  | { type: 'none' }
  /** Refuse the offer (xfer_decline bad_offer). */
  | { type: 'decline' }
  /** The last frame of an offer this page knows already: the sender did not hear the answer. */
  | { type: 'again' }
  /** A whole, valid new offer. */
  | { type: 'complete'; files: OfferedFile[] };

interface PartialOffer {
  peer: string;
  files: OfferedFile[];
}

export class OfferAssembler {
  private readonly partial = new Map<string, PartialOffer>();

  /** `known`: this page has a transfer with the frame's tid. */
  add(peer: string, frame: XferOffer, known: boolean): OfferOutcome {
    if (frame.unreadable) {
      // Files this page cannot take: say so instead of leaving the sender waiting.
      if (this.partial.get(frame.tid)?.peer === peer) this.partial.delete(frame.tid);
      return known ? { type: 'none' } : { type: 'decline' };
    }
    if (known) {
      this.partial.delete(frame.tid);
      return frame.more ? { type: 'none' } : { type: 'again' };
    }
    let partial = this.partial.get(frame.tid);
    if (!partial || partial.peer !== peer) {
      partial = { peer, files: [] };
      this.partial.set(frame.tid, partial);
    }
    partial.files.push(...frame.files);
    if (partial.files.length > MAX_FILES) {
      this.partial.delete(frame.tid);
      return { type: 'decline' };
    }
    if (frame.more) return { type: 'none' };
    this.partial.delete(frame.tid);
    const files = partial.files;
    const sum = files.reduce((s, f) => s + f.size, 0);
    const ordered = files.every((f, k) => f.i === k);
    if (files.length === 0 || !ordered || sum !== frame.total) return { type: 'decline' };
    return { type: 'complete', files };
  }

  /** Offers still being put together. */
  get pending(): number {
    return this.partial.size;
  }
}
