// This computer's relay (TURN) in words, from the daemon's `relay` message:
// what the self card shows.

import type { PeerRelay, RelayStatus } from '../daemon/protocol';

export interface RelayView {
  /** "Relay: on, 198.51.100.12:3478 — computers you trust can connect with this one through it" */
  text: string;
  /** It should run but cannot: shown as an error. */
  problem: boolean;
}

const DEFAULT_RELAY_PORT = 3478;

function endpoint(address: string, port: number): string {
  const host = address.includes(':') ? `[${address}]` : address;
  return port > 0 ? `${host}:${port}` : host;
}

/** A sentence from the daemon, without its final full stop (it is put inside ours). */
function clause(reason: string | undefined): string {
  return (reason ?? '').trim().replace(/[.\s]+$/, '');
}

export function describeRelay(relay: RelayStatus): RelayView {
  // Turned off: 'off' once it is down (a relay that was running says 'stopping' first).
  if (relay.state === 'off' || (!relay.enabled && relay.state === 'stopped')) return { text: 'Relay: off', problem: false };
  const reason = clause(relay.reason);
  switch (relay.state) {
    case 'running': {
      const where = relay.addresses.map((a) => endpoint(a, relay.port)).join(', ');
      return {
        text: `Relay: on${where ? `, ${where}` : ''} \u2014 computers you trust can connect with this one through it`,
        problem: false,
      };
    }
    case 'restarting':
      return { text: `Relay: restarting${reason ? ` (${reason})` : ''}\u2026`, problem: false };
    case 'failed':
      return {
        text:
          `Relay: could not start${reason ? `: ${reason}` : ''}. Check that coturn (turnserver) is installed and that ` +
          `port ${relay.port || DEFAULT_RELAY_PORT} is free on this computer, or turn the relay off in Settings.`,
        problem: true,
      };
    case 'stopping':
      return { text: 'Relay: stopping\u2026', problem: false };
    case 'stopped':
      return { text: `Relay: stopped${reason ? ` (${reason})` : ''}`, problem: false };
    default:
      return { text: `Relay: ${relay.state}${reason ? ` (${reason})` : ''}`, problem: false };
  }
}

/** The title of a peer's "relay" mark. */
export function peerRelayTitle(name: string, relay: PeerRelay): string {
  const runs = `${name}\u2019s computer runs a relay: a connection with ${name} can go through it`;
  return relay === 'ready' ? `${runs} (PeerDrop here can use it)` : runs;
}
