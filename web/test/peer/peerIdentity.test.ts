import { describe, expect, it } from 'vitest';
import type { Peer } from '../../src/daemon/protocol';
import { fingerprint, formatCode, isNewToday, nameKey, namesakes, namesakeWarning } from '../../src/peer/peerIdentity';

const ZEROS = 'MZUHVLPYMK6XO3EPYGFY5H4OEAEJOFEFN3RDHM4QFJMR2DK7FESQ'; // the id of the key of 32 zero bytes
const COUNTING = 'MMG42KLGYQZWNEISKRELXMS3J72BFJE4OMW3FSFLYG4FQG6XCDOQ';

function peer(id: string, name: string, extra: Partial<Peer> = {}): Peer {
  return { id, name, addresses: [], online: true, sources: [], lastSeen: 0, lastConnected: 0, verified: true, outdated: false, firstSeen: 0, confirmed: false, ...extra };
}

describe('telling peers apart', () => {
  it('a fingerprint is the id\u2019s first 12 characters in groups of 4; a code is read in two halves', () => {
    expect(fingerprint(ZEROS)).toBe('MZUH VLPY MK6X');
    expect(fingerprint(COUNTING)).toBe('MMG4 2KLG YQZW');
    expect(formatCode('054631')).toBe('054 631');
  });

  it('names are the same whatever their case, width or white space at the ends', () => {
    expect(nameKey('  Kitchen ')).toBe(nameKey('kitchen'));
    expect(nameKey('\uff4bitchen')).toBe(nameKey('kitchen')); // a fullwidth k
    expect(nameKey('kitchen 2')).not.toBe(nameKey('kitchen'));
  });

  it('finds every peer that shares its name, and no other', () => {
    const a = peer(ZEROS, 'kitchen');
    const b = peer(COUNTING, ' Kitchen');
    const c = peer('CCCC', 'hall');
    const found = namesakes([a, b, c]);
    expect(found.get(a.id)).toEqual([b]);
    expect(found.get(b.id)).toEqual([a]);
    expect(found.has(c.id)).toBe(false);
  });

  it('"new" is the first sighting on today\u2019s date, not 24 hours, and never for a peer known before the date was kept', () => {
    const now = new Date(2025, 5, 10, 9, 0).getTime();
    expect(isNewToday(new Date(2025, 5, 10, 0, 5).getTime(), now)).toBe(true);
    expect(isNewToday(new Date(2025, 5, 9, 23, 55).getTime(), now)).toBe(false);
    expect(isNewToday(new Date(2024, 5, 10, 9, 0).getTime(), now)).toBe(false);
    expect(isNewToday(0, now)).toBe(false);
  });

  it('the warning says how to tell them apart, and which one is the verified one', () => {
    const real = peer(ZEROS, 'kitchen');
    const impostor = peer(COUNTING, 'kitchen');
    expect(namesakeWarning(impostor, [real])).toMatch(/^Two devices are named \u201ckitchen\u201d\. To tell which is which, compare each one\u2019s fingerprint/);
    const verified = { ...real, confirmed: true };
    expect(namesakeWarning(verified, [impostor])).toBe(
      'Two devices are named \u201ckitchen\u201d. This one (fingerprint MZUH VLPY MK6X) is the one you verified; the other one is a different device.',
    );
    expect(namesakeWarning(impostor, [verified])).toBe(
      'Two devices are named \u201ckitchen\u201d. This one is not the kitchen you verified (that one has fingerprint MZUH VLPY MK6X): ' +
        'it is a different device. Connect to it only if you know whose it is.',
    );
    expect(namesakeWarning(impostor, [verified, peer('CCCC', 'Kitchen')])).toMatch(/^3 devices are named/);
  });
});
