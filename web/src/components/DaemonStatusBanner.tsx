import type { DaemonSocketStatus } from '../daemon/DaemonSocket';
import { useNow } from './useNow';

/** Says when this page has lost its own daemon, and when it tries again; or that the daemon refused its key. */
export function DaemonStatusBanner({ status, keyRefused = false }: { status: DaemonSocketStatus; keyRefused?: boolean }) {
  const now = useNow(500);
  if (status.state === 'connected' || status.state === 'stopped') return null;
  if (keyRefused) {
    return (
      <div className="banner banner-error" role="alert">
        PeerDrop on this computer does not know this page&rsquo;s key. Open PeerDrop with the link its daemon printed
        when it started (it ends in <code>#token=&hellip;</code>), or run <code>peerdrop open</code>.
      </div>
    );
  }
  let text: string;
  if (status.state === 'reconnecting') {
    const seconds = Math.max(0, Math.ceil((status.nextAttemptAt - now) / 1000));
    text =
      seconds > 0
        ? `Lost contact with PeerDrop on this computer; retrying in ${seconds} s`
        : 'Lost contact with PeerDrop on this computer; retrying now';
  } else {
    text = status.attempt === 0 ? 'Connecting to PeerDrop on this computer\u2026' : 'Lost contact with PeerDrop on this computer; retrying now';
  }
  return (
    <div className={`banner ${status.state === 'reconnecting' ? 'banner-error' : ''}`} role="status">
      {text}
    </div>
  );
}
