import type { DaemonSocketStatus } from '../daemon/DaemonSocket';
import { useNow } from './useNow';

/** Says when this page has lost its own daemon, and when it tries again. */
export function DaemonStatusBanner({ status }: { status: DaemonSocketStatus }) {
  const now = useNow(500);
  if (status.state === 'connected' || status.state === 'stopped') return null;
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
