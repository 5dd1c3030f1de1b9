import { describe, expect, it } from 'vitest';
import { OfferAssembler } from '../../src/transfer/OfferAssembler';
import { MAX_FILES, type OfferedFile, type XferOffer } from '../../src/transfer/wire';

const TID = 'O'.repeat(22);
const file = (i: number, size = 10): OfferedFile => ({ i, path: `f${i}`, size });
const frame = (files: OfferedFile[], total: number, more = false): XferOffer => ({ t: 'xfer_offer', tid: TID, files, total, more });

describe('OfferAssembler', () => {
  it('puts an offer in several frames together', () => {
    const a = new OfferAssembler();
    expect(a.add('BOB', frame([file(0)], 20, true), false)).toEqual({ type: 'none' });
    expect(a.pending).toBe(1);
    expect(a.add('BOB', frame([file(1)], 20), false)).toEqual({ type: 'complete', files: [file(0), file(1)] });
    expect(a.pending).toBe(0);
  });

  it('declines an empty offer, files out of order, or a total that does not add up', () => {
    const a = new OfferAssembler();
    expect(a.add('BOB', frame([], 0), false)).toEqual({ type: 'decline' });
    expect(a.add('BOB', frame([file(1), file(0)], 20), false)).toEqual({ type: 'decline' });
    expect(a.add('BOB', frame([file(0)], 11), false)).toEqual({ type: 'decline' });
  });

  it('declines an offer of more than MAX_FILES files as soon as it passes the limit', () => {
    const a = new OfferAssembler();
    const many = Array.from({ length: MAX_FILES }, (_, i) => file(i));
    expect(a.add('BOB', frame(many, 0, true), false)).toEqual({ type: 'none' });
    expect(a.add('BOB', frame([file(MAX_FILES)], 0, true), false)).toEqual({ type: 'decline' });
    expect(a.pending).toBe(0);
  });

  it('an unreadable frame drops what was put together and is declined, unless the transfer is known', () => {
    const a = new OfferAssembler();
    a.add('BOB', frame([file(0)], 20, true), false);
    expect(a.add('BOB', { ...frame([], 0), unreadable: true }, false)).toEqual({ type: 'decline' });
    expect(a.pending).toBe(0);
    expect(a.add('BOB', { ...frame([], 0), unreadable: true }, true)).toEqual({ type: 'none' });
  });

  it('the last frame of a known transfer\u2019s offer is an offer again; its other frames are nothing', () => {
    const a = new OfferAssembler();
    expect(a.add('BOB', frame([file(0)], 20, true), true)).toEqual({ type: 'none' });
    expect(a.add('BOB', frame([file(1)], 20), true)).toEqual({ type: 'again' });
  });

  it('another peer\u2019s frame with the same id starts over', () => {
    const a = new OfferAssembler();
    a.add('BOB', frame([file(0)], 10, true), false);
    expect(a.add('CAROL', frame([file(0)], 10), false)).toEqual({ type: 'complete', files: [file(0)] });
  });
});
