// Reading and waiting on a daemon's peer list (GET /api/peers).

import { waitFor } from './wait.mjs';

export function findPeer(peers, id) {
  return peers.find((peer) => peer.id === id);
}

/** A target is a Host (its daemon's id), a ForgedPeer, or an id string. */
function targetId(target) {
  const id = typeof target === 'string' ? target : target.id;
  if (!id) throw new Error(`no peer id for ${target?.name ?? target}: was its daemon started?`);
  return id;
}

function targetLabel(target) {
  return typeof target === 'string' ? target.slice(0, 8) : `${target.name} (${targetId(target).slice(0, 8)}…)`;
}

/**
 * Waits until `observer`'s daemon lists `target` with online === `online`
 * and, if given, `source` among its sources, `verified` as given (a
 * handshake proved its key: what the web UI lists) and `address` among its
 * proven `addresses` (an address is only a candidate until a handshake there
 * proved the key). Resolves with the peer entry.
 */
export async function waitForPeer(observer, target, {
  online = true, source, verified, address, timeout = 5000, what,
} = {}) {
  const id = targetId(target);
  const matches = (peer) => peer && peer.online === online && (!source || (peer.sources ?? []).includes(source)) &&
    (verified === undefined || peer.verified === verified) && (!address || (peer.addresses ?? []).includes(address));
  const peers = await waitFor(() => observer.peers(), {
    timeout,
    interval: 50,
    what: what ?? `${observer.name} to list ${targetLabel(target)} as ${online ? 'online' : 'offline'}` +
      `${source ? ` with source "${source}"` : ''}${verified === undefined ? '' : `, verified ${verified}`}` +
      `${address ? `, address ${address} proven` : ''}`,
    until: (list) => matches(findPeer(list, id)),
  });
  return findPeer(peers, id);
}

/**
 * Waits until `observer`'s daemon lists `target` with the relay state
 * `relay`: 'ready' (it holds credentials for target's TURN relay),
 * 'offered', or undefined (no relay). Resolves with the peer entry.
 */
export async function waitForRelay(observer, target, { relay = 'ready', timeout = 20_000 } = {}) {
  const id = targetId(target);
  const peers = await waitFor(() => observer.peers(), {
    timeout,
    interval: 100,
    what: `${observer.name} to list ${targetLabel(target)} with relay ${relay ?? '(none)'}`,
    until: (list) => {
      const peer = findPeer(list, id);
      return peer !== undefined && peer.relay === relay;
    },
  });
  return findPeer(peers, id);
}
