import { useState, type FormEvent } from 'react';
import { describeRelay } from '../app/relayView';
import type { RelayStatus, SelfInfo } from '../daemon/protocol';
import { fingerprint } from '../peer/peerIdentity';

interface Props {
  self: SelfInfo | null;
  /** This computer's relay; null when the daemon has not said (nothing is shown). */
  relay?: RelayStatus | null;
  canRename: boolean;
  onRename: (name: string) => Promise<string | null>;
}

/** This computer: its name (editable), its fingerprint (which other computers show on its card), and its relay's state. */
export function SelfCard({ self, relay = null, canRename, onRename }: Props) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  if (!self) {
    return (
      <section className="card self-card" aria-label="This computer">
        <p className="muted">Waiting for PeerDrop on this computer{'\u2026'}</p>
      </section>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    const problem = await onRename(draft.trim());
    setSaving(false);
    setError(problem);
    if (!problem) setEditing(false);
  };

  return (
    <section className="card self-card" aria-label="This computer">
      <div className="self-row">
        <div className="avatar" aria-hidden="true">
          {self.name.slice(0, 1).toUpperCase()}
        </div>
        <div className="self-text">
          {editing ? (
            <form onSubmit={submit} className="inline-form">
              <input
                aria-label="Name of this computer"
                value={draft}
                maxLength={64}
                autoFocus
                onChange={(e) => setDraft(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Escape') setEditing(false);
                }}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? 'self-name-error' : undefined}
              />
              <button type="submit" disabled={saving}>
                Save name
              </button>
              <button type="button" className="ghost" onClick={() => setEditing(false)}>
                Cancel
              </button>
            </form>
          ) : (
            <h2 className="self-name">
              {self.name}
              {canRename && (
                <button
                  type="button"
                  className="ghost small"
                  onClick={() => {
                    setDraft(self.name);
                    setError(null);
                    setEditing(true);
                  }}
                >
                  Rename
                </button>
              )}
            </h2>
          )}
          {error && (
            <p className="error" id="self-name-error" role="alert">
              {error}
            </p>
          )}
          <p className="muted small-text">
            This computer {'\u00b7'} fingerprint <code title={`Peer id ${self.id}`}>{fingerprint(self.id)}</code>{' '}
            {'\u00b7'} PeerDrop {self.version}
          </p>
          {relay && <RelayLine relay={relay} />}
        </div>
      </div>
    </section>
  );
}

/** "Relay: on, 198.51.100.12:3478 — …", "Relay: restarting (…)…", "Relay: could not start: …" or "Relay: off". */
function RelayLine({ relay }: { relay: RelayStatus }) {
  const view = describeRelay(relay);
  return (
    <p
      className={`small-text relay-status ${view.problem ? 'error' : 'muted'}`}
      role="status"
      aria-label="Relay status"
      data-testid="relay-status"
    >
      {view.text}
    </p>
  );
}
