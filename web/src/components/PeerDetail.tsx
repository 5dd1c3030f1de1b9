import type { PeerController, PeerView } from '../peer/PeerController';
import type { TransferView } from '../transfer/transferView';
import type { PeerMessage } from '../daemon/protocol';
import { ChatPanel } from './ChatPanel';
import { MessagesPanel } from './MessagesPanel';
import { TransferPanel, type TransferActions } from './TransferPanel';
import { DebugPanel } from './DebugPanel';
import { QualityBadge } from './QualityBadge';
import { VerificationPanel } from './VerificationPanel';

interface Props {
  view: PeerView;
  controller: PeerController;
  /** Transfers with this peer, newest first. */
  transfers?: readonly TransferView[];
  transferActions?: TransferActions;
  /** "Always accept connections and files from this peer" (null: the daemon has no such setting). */
  autoAccept?: boolean | null;
  /** The debug panel is open (controlled by the page); uncontrolled when absent. */
  debugOpen?: boolean;
  onDebugToggle?: (open: boolean) => void;
  /** This computer's name (the verification instructions name it). */
  selfName?: string | null;
  /** "Mark as verified" and "Remove verification"; without it the verification code is not shown. */
  onSetConfirmed?: (confirmed: boolean) => Promise<string | null>;
  /** Messages daemon to daemon with this peer; without onSendMessage the panel is not shown. */
  messages?: readonly PeerMessage[];
  onSendMessage?: (text: string) => Promise<string | null>;
}

/** The selected peer: its verification code, connection quality, files, chat and the debug panel. */
export function PeerDetail({
  view,
  controller,
  transfers = [],
  transferActions,
  autoAccept = null,
  debugOpen,
  onDebugToggle,
  selfName = null,
  onSetConfirmed,
  messages = [],
  onSendMessage,
}: Props) {
  const { peer, connection } = view;
  const showChat = connection.chat || view.chat.length > 0;
  return (
    <section className="card detail" aria-label={peer.name}>
      <header className="detail-head">
        <h2>{peer.name}</h2>
        <span className={`state state-${connection.state}`}>{connection.label || (peer.online ? 'Online' : 'Offline')}</span>
      </header>
      {onSetConfirmed && <VerificationPanel peer={peer} selfName={selfName} onSetConfirmed={onSetConfirmed} />}
      {connection.showsQuality && <QualityBadge sample={view.quality} />}
      {transferActions && (
        <TransferPanel
          peerId={peer.id}
          peerName={peer.name}
          connected={connection.live || !peer.outdated}
          transfers={transfers}
          autoAccept={autoAccept}
          actions={transferActions}
        />
      )}
      {onSendMessage && peer.verified && <MessagesPanel peerName={peer.name} messages={messages} onSend={onSendMessage} />}
      {showChat ? (
        <ChatPanel
          peerName={peer.name}
          messages={view.chat}
          live={connection.live}
          onSend={(text) => controller.sendChat(text)}
          onResend={(id) => controller.resendChat(id)}
        />
      ) : (
        <p className="muted">Connect to {peer.name} to exchange messages.</p>
      )}
      <DebugPanel
        view={view}
        debugText={() => controller.debugText()}
        onForceRelay={(on) => controller.setForceRelay(on)}
        open={debugOpen}
        onToggle={onDebugToggle}
      />
    </section>
  );
}
