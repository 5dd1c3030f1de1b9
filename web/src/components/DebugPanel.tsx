import { useState } from 'react';
import type { PeerView } from '../peer/PeerController';
import { formatTime, type DebugCategory } from '../rtc/DebugLog';
import { RELAY_WHERE } from '../rtc/connectionMachine';

interface Props {
  view: PeerView;
  debugText: () => string;
  /** Turns "Force relay" on or off for this peer. */
  onForceRelay: (on: boolean) => void;
  /** Open (controlled by the page: the peer card's Debug button opens it); uncontrolled when absent. */
  open?: boolean;
  onToggle?: (open: boolean) => void;
}

async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall back below (insecure origin, permissions)
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  document.body.removeChild(area);
  return ok;
}

function Entries({ view, categories, title }: { view: PeerView; categories: DebugCategory[]; title: string }) {
  const entries = view.debug.filter((e) => categories.includes(e.category));
  return (
    <div className="debug-section">
      <h4>{title}</h4>
      {entries.length === 0 ? (
        <p className="muted small-text">none</p>
      ) : (
        <ol className="debug-list">
          {entries.slice(-150).map((e, i) => (
            <li key={i}>
              <time>{formatTime(e.at)}</time> {e.category !== categories[0] && <span className="tag">{e.category}</span>} {e.text}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

/** Everything a bug report needs about one peer, and the force-relay switch; collapsed by default. */
export function DebugPanel({ view, debugText, onForceRelay, open, onToggle }: Props) {
  const [copied, setCopied] = useState<string | null>(null);
  const name = view.peer.name;
  const noRelay = view.forceRelay && view.relays !== null && view.relays.length === 0;
  return (
    <details className="debug" open={open} onToggle={(e) => onToggle?.(e.currentTarget.open)}>
      <summary>Debug</summary>
      <div className="debug-switch">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={view.forceRelay}
            onChange={(e) => onForceRelay(e.target.checked)}
            aria-describedby="force-relay-help"
          />
          Force relay (troubleshooting)
        </label>
        <p className="muted small-text" id="force-relay-help">
          Connect to {name} only through a relay (TURN), to test it. It applies when a connection starts, and stays on
          for this page until you reload it.{' '}
          {view.relays !== null &&
            (view.relays.length > 0 ? `Relays of this connection: ${view.relays.join(', ')}.` : 'This connection has no relay.')}
        </p>
        {view.forceRelayPending && (
          <p className="small-text" role="status">
            This connection keeps its route: disconnect and connect again to {view.forceRelay ? 'use only a relay' : 'allow direct routes'}.
          </p>
        )}
        {noRelay && (
          <p className="error small-text" role="alert">
            Force relay is on, but no relay is available for {name}: turn on the relay (Settings {'\u2192'} Run a relay on
            this computer) {RELAY_WHERE}, or turn Force relay off.
          </p>
        )}
      </div>
      <p className="small-text">
        State <code>{view.stateDetail}</code> {'\u00b7'} session <code>{view.session ?? '-'}</code> {'\u00b7'} role{' '}
        <code>{view.role ?? '-'}</code>
      </p>
      <button
        type="button"
        className="secondary"
        onClick={async () => setCopied((await copyText(debugText())) ? 'Copied.' : 'Could not copy; select the text below instead.')}
      >
        Copy debug info
      </button>
      {copied && (
        <span className="muted small-text" role="status">
          {' '}
          {copied}
        </span>
      )}
      <Entries view={view} title="State machine" categories={['state']} />
      <Entries view={view} title="Signaling" categories={['signal-out', 'signal-in']} />
      <Entries view={view} title="ICE candidates" categories={['local-candidate', 'remote-candidate']} />
      <Entries view={view} title="WebRTC and errors" categories={['rtc', 'error', 'chat']} />
      <div className="debug-section">
        <h4>The daemon{'\u2019'}s view of this peer</h4>
        <pre>{JSON.stringify(view.peer, null, 2)}</pre>
      </div>
    </details>
  );
}
