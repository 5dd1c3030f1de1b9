// A PeerView as PeerController makes it, for component tests: `name` in
// `state`, with what a test needs changed in `extra`.

import type { ConnectionStateName } from '../../src/rtc/connectionMachine';
import { describeConnection } from '../../src/rtc/connectionView';
import type { PeerView } from '../../src/peer/PeerController';

export function peerView(name: string, state: ConnectionStateName, extra: Partial<PeerView> = {}): PeerView {
  return {
    peer: { id: `ID-${name}`, name, addresses: ['198.51.100.3:3001'], online: true, sources: ['broadcast', 'manual'], lastSeen: 1, lastConnected: 0, verified: true, outdated: false, firstSeen: 0, confirmed: false },
    connection: describeConnection(state, {
      peerName: name,
      failure: state === 'failed' ? { code: 'no_answer', text: `${name} did not answer the request` } : null,
      ended: state === 'closed' ? `${name} disconnected` : null,
      notice: null,
    }),
    stateDetail: state,
    session: null,
    role: null,
    incoming: null,
    chat: [],
    quality: null,
    debug: [],
    warnings: [],
    remoteName: null,
    timing: {},
    forceRelay: false,
    forceRelayPending: false,
    relays: null,
    ...extra,
  };
}
