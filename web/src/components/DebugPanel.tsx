import { useState } from 'react';
import type { PeerView } from '../rtc/PeerController';
import { formatTime, type DebugCategory } from '../rtc/DebugLog';

interface Props {
  view: PeerView;
  debugText: () => string;
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

/** Everything a bug report needs about one peer, collapsed by default. */
export function DebugPanel({ view, debugText }: Props) {
  const [copied, setCopied] = useState<string | null>(null);
  return (
    <details className="debug">
      <summary>Debug</summary>
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
