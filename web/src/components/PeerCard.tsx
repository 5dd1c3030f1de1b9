import { peerRelayTitle } from '../app/relayView';
import type { Peer } from '../daemon/protocol';
import type { PeerView } from '../peer/PeerController';
import { fingerprint, isNewToday, namesakeWarning, ownNameWarning } from '../peer/peerIdentity';
import type { PickedFile } from '../transfer/pickFiles';
import { relativeTime, sourcesText } from './format';
import { SendFilesButton } from './SendFilesButton';
import { useFileDrop } from './useFileDrop';

export interface PeerCardActions {
  connect: (id: string) => void;
  disconnect: (id: string) => void;
  retry: (id: string) => void;
  dismiss: (id: string) => void;
  forget: (id: string) => void;
  select: (id: string) => void;
  /** Shows this peer with its debug panel open (or closes it). */
  debug: (id: string) => void;
  /** Files dropped on the card or picked with "Send files…": sent daemon to daemon, no Connect needed. */
  sendFiles?: (id: string, files: PickedFile[]) => void;
}

interface Props {
  view: PeerView;
  selected: boolean;
  now: number;
  actions: PeerCardActions;
  /** This peer's debug panel is open. */
  debugOpen?: boolean;
  /** Other listed peers with the same name (a warning says how to tell them apart). */
  namesakes?: readonly Peer[];
  /** It calls itself what this computer is called (a warning says it is another device). */
  hasOwnName?: boolean;
  /** Messages from it not read yet (messages daemon to daemon). */
  unreadMessages?: number;
}

/** One peer in the list: who it is (name, fingerprint, marks), how it was found, its connection state and buttons. */
export function PeerCard({
  view,
  selected,
  now,
  actions,
  debugOpen = false,
  namesakes = [],
  hasOwnName = false,
  unreadMessages = 0,
}: Props) {
  const { peer, connection } = view;
  const id = peer.id;
  const stateClass = `state state-${connection.state}`;
  const send = actions.sendFiles && !peer.outdated ? (files: PickedFile[]) => actions.sendFiles?.(id, files) : null;
  const drop = useFileDrop(send);
  return (
    <li
      className={`peer-card${selected ? ' selected' : ''}${drop.over ? ' drop-over' : ''}`}
      aria-current={selected ? 'true' : undefined}
      {...drop.handlers}
    >
      <div className="peer-head">
        <button type="button" className="peer-name link" onClick={() => actions.select(id)} aria-label={`Show ${peer.name}`}>
          <span className={`dot ${peer.online ? 'dot-online' : 'dot-offline'}`} aria-hidden="true" />
          {peer.name}
        </button>
        <span className={`pill ${peer.online ? 'pill-online' : 'pill-offline'}`}>{peer.online ? 'Online' : 'Offline'}</span>
        {peer.confirmed && (
          <span className="pill pill-verified" title="You compared verification codes with this device and marked it as verified">
            Verified {'\u2713'}
          </span>
        )}
        {isNewToday(peer.firstSeen, now) && (
          <span className="pill pill-new" title="PeerDrop saw this device for the first time today">
            New today
          </span>
        )}
        {unreadMessages > 0 && (
          <span className="pill pill-unread" title={`Messages from ${peer.name} you have not read: open it to read them`}>
            {unreadMessages === 1 ? '1 new message' : `${unreadMessages} new messages`}
          </span>
        )}
        {peer.relay && (
          <span className="pill pill-relay" title={peerRelayTitle(peer.name, peer.relay)} data-testid="peer-relay">
            relay
          </span>
        )}
      </div>
      <p className="muted small-text peer-fingerprint">
        Fingerprint <code title={`Peer id ${id}`}>{fingerprint(id)}</code>
      </p>
      {namesakes.length > 0 && (
        <p className="warning" role="note" aria-label="Same name">
          {namesakeWarning(peer, namesakes)}
        </p>
      )}
      {hasOwnName && (
        <p className="warning" role="note" aria-label="Same name as this computer">
          {ownNameWarning(peer)}
        </p>
      )}
      <p className="muted small-text peer-meta">
        Found by {sourcesText(peer.sources)}
        {peer.addresses[0] ? ` \u00b7 ${peer.addresses[0]}` : ''} {'\u00b7'} last connected{' '}
        {peer.lastConnected ? relativeTime(peer.lastConnected, now) : 'never'}
      </p>
      {peer.outdated && (
        <p className="warning" role="note">
          {peer.name} runs an older PeerDrop; update it there to connect.
        </p>
      )}
      {connection.label && <p className={stateClass}>{connection.label}</p>}
      {connection.detail && (
        <p className={connection.problem ? 'error' : 'muted'} role={connection.problem ? 'alert' : undefined}>
          {connection.detail}
        </p>
      )}
      {!peer.online && connection.idle && (
        <p className="muted small-text">{peer.name} is offline right now; a request waits for it to come back.</p>
      )}
      {view.warnings.length > 0 && (
        <ul className="warnings" aria-label={`Problems with ${peer.name}`}>
          {view.warnings.map((w, i) => (
            <li key={i} className="warning">
              {w}
            </li>
          ))}
        </ul>
      )}
      <div className="peer-actions">
        {send && <SendFilesButton peerName={peer.name} onFiles={send} />}
        {connection.actions.connect && !peer.outdated && (
          <button type="button" onClick={() => actions.connect(id)}>
            Connect
          </button>
        )}
        {connection.actions.retry && (
          <button type="button" onClick={() => actions.retry(id)}>
            Retry
          </button>
        )}
        {connection.actions.cancel && (
          <button type="button" className="secondary" onClick={() => actions.disconnect(id)}>
            Cancel
          </button>
        )}
        {connection.actions.disconnect && (
          <button type="button" className="secondary" onClick={() => actions.disconnect(id)}>
            Disconnect
          </button>
        )}
        {connection.actions.dismiss && (
          <button type="button" className="ghost" onClick={() => actions.dismiss(id)}>
            Dismiss
          </button>
        )}
        {connection.actions.forget && (
          <button
            type="button"
            className="ghost danger"
            onClick={() => actions.forget(id)}
            title={`Forget ${peer.name}: remove it from this list and from the history`}
          >
            Forget
          </button>
        )}
        <button type="button" className="ghost small" aria-expanded={debugOpen} onClick={() => actions.debug(id)}>
          Debug
        </button>
      </div>
    </li>
  );
}
