// Telling peers apart (docs/protocol.md, "Telling peers apart"): a name is
// whatever a device says it is; its fingerprint and the verification code
// come from its key. Pure functions: the components only render their words.

import type { Peer } from '../daemon/protocol';

/** The first 12 characters of a peer id, in groups of 4: "MZUH VLPY MK6X". */
export function fingerprint(id: string): string {
  return (id.slice(0, 12).match(/.{1,4}/g) ?? []).join(' ');
}

/** "054631" → "054 631": easier to read out and compare. */
export function formatCode(code: string): string {
  return code.length === 6 ? `${code.slice(0, 3)} ${code.slice(3)}` : code;
}

/** A name as people compare names: white space at the ends, case and width do not count. */
export function nameKey(name: string): string {
  return name.normalize('NFKC').trim().toLowerCase();
}

/** For each listed peer that shares its name with others: those others, in list order. */
export function namesakes(peers: readonly Peer[]): Map<string, Peer[]> {
  const byName = new Map<string, Peer[]>();
  for (const peer of peers) {
    const key = nameKey(peer.name);
    byName.set(key, [...(byName.get(key) ?? []), peer]);
  }
  const out = new Map<string, Peer[]>();
  for (const group of byName.values()) {
    if (group.length < 2) continue;
    for (const peer of group) out.set(peer.id, group.filter((p) => p.id !== peer.id));
  }
  return out;
}

/** First seen on this computer's calendar day of `now`; a peer known before the daemon kept the date is not new. */
export function isNewToday(firstSeen: number, now: number): boolean {
  if (firstSeen <= 0) return false;
  const seen = new Date(firstSeen);
  const today = new Date(now);
  return (
    seen.getFullYear() === today.getFullYear() && seen.getMonth() === today.getMonth() && seen.getDate() === today.getDate()
  );
}

/**
 * The warning on the card of `peer`, which shares its name with `others`:
 * that there are several devices of that name, which one the user verified
 * (if any), and how to tell them apart.
 */
export function namesakeWarning(peer: Peer, others: readonly Peer[]): string {
  const count = others.length + 1;
  const name = peer.name.trim();
  const devices = `${count === 2 ? 'Two' : count} devices are named \u201c${name}\u201d.`;
  if (peer.confirmed) {
    const rest = count === 2 ? 'the other one is a different device' : 'the others are different devices';
    return `${devices} This one (fingerprint ${fingerprint(peer.id)}) is the one you verified; ${rest}.`;
  }
  const verified = others.find((p) => p.confirmed);
  if (verified) {
    return (
      `${devices} This one is not the ${name} you verified (that one has fingerprint ${fingerprint(verified.id)}): ` +
      'it is a different device. Connect to it only if you know whose it is.'
    );
  }
  return (
    `${devices} To tell which is which, compare each one\u2019s fingerprint with the one shown on that device\u2019s ` +
    'own PeerDrop page, or compare verification codes, then mark the right one as verified.'
  );
}

/** The warning on the card of a peer that calls itself what this computer is called. */
export function ownNameWarning(peer: Peer): string {
  return (
    `This device calls itself \u201c${peer.name.trim()}\u201d, as this computer does, but it is another device ` +
    `(fingerprint ${fingerprint(peer.id)}). Connect to it only if you know whose it is.`
  );
}
