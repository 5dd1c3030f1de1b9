import { useMemo } from 'react';
import type { PeerView } from '../peer/PeerController';
import { nameKey, namesakes } from '../peer/peerIdentity';
import { PeerCard, type PeerCardActions } from './PeerCard';
import { useNow } from './useNow';

interface Props {
  peers: readonly PeerView[];
  selectedPeerId: string | null;
  actions: PeerCardActions;
  /** The peer whose debug panel is open. */
  debugPeerId?: string | null;
  /** This computer's name: a peer that uses it too is marked. */
  selfName?: string | null;
  /** Unread messages per peer id. */
  unreadMessages?: Readonly<Record<string, number>>;
}

/** The peers the daemon knows: recently connected first, then online, then by name. */
export function PeerList({ peers, selectedPeerId, actions, debugPeerId = null, selfName = null, unreadMessages = {} }: Props) {
  const now = useNow(15_000);
  const sameName = useMemo(() => namesakes(peers.map((v) => v.peer)), [peers]);
  return (
    <section className="peer-list" aria-labelledby="peers-heading">
      <h2 id="peers-heading" className="section-title">
        Peers
      </h2>
      {peers.length === 0 && (
        <p className="muted empty">
          No other PeerDrop found yet. Computers on this network show up by themselves; for other networks, add one by
          address or scan.
        </p>
      )}
      <ul aria-label="Peers" className="peers">
        {peers.map((view) => (
          <PeerCard
            key={view.peer.id}
            view={view}
            selected={view.peer.id === selectedPeerId}
            now={now}
            actions={actions}
            debugOpen={view.peer.id === debugPeerId}
            unreadMessages={unreadMessages[view.peer.id] ?? 0}
            namesakes={sameName.get(view.peer.id)}
            hasOwnName={selfName !== null && nameKey(view.peer.name) === nameKey(selfName)}
          />
        ))}
      </ul>
    </section>
  );
}
