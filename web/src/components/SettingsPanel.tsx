import { useEffect, useState, type FormEvent } from 'react';
import type { Settings } from '../daemon/protocol';
import {
  EMPTY_ICE_ROW,
  MAX_ICE_SERVERS,
  TIMEOUT_MAX_S,
  TIMEOUT_MIN_S,
  fromForm,
  toForm,
  type FieldErrors,
  type IceAuth,
  type SettingsForm,
} from '../settings/validate';

interface Props {
  settings: Settings | null;
  available: boolean;
  /** Saves; resolves to the daemon's field errors (empty when saved). */
  onSave: (settings: Settings) => Promise<{ errors: FieldErrors; message: string | null }>;
  onClose: () => void;
}

const SECRET_KEPT = 'Secret stored \u2014 leave empty to keep it';

/** Display name, the relay switch, STUN/TURN servers and the connection timeout, stored by the daemon. */
export function SettingsPanel({ settings, available, onSave, onClose }: Props) {
  const [form, setForm] = useState<SettingsForm | null>(settings ? toForm(settings) : null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (settings && !form) setForm(toForm(settings));
  }, [settings, form]);

  if (!available) {
    return (
      <section className="card settings" aria-label="Settings">
        <h2>Settings</h2>
        <p className="error">PeerDrop on this computer does not offer settings (it may be an older version).</p>
        <button type="button" className="secondary" onClick={onClose}>
          Close settings
        </button>
      </section>
    );
  }
  if (!form) {
    return (
      <section className="card settings" aria-label="Settings">
        <p className="muted">Loading settings{'\u2026'}</p>
      </section>
    );
  }

  const update = (patch: Partial<SettingsForm>) => setForm({ ...form, ...patch });
  const updateRow = (index: number, patch: Partial<SettingsForm['iceServers'][number]>) =>
    update({ iceServers: form.iceServers.map((row, i) => (i === index ? { ...row, ...patch } : row)) });
  // One kind of sign-in per server: switching clears what the other kind had typed.
  const setAuth = (index: number, auth: IceAuth) =>
    updateRow(index, auth === 'secret' ? { auth, username: '', credential: '' } : { auth, secret: '' });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const checked = fromForm(form);
    if (checked.errors) {
      setErrors(checked.errors);
      setMessage({ text: 'Please correct the marked fields.', error: true });
      return;
    }
    setSaving(true);
    const result = await onSave(checked.settings);
    setSaving(false);
    setErrors(result.errors);
    if (result.message) setMessage({ text: result.message, error: true });
    else {
      setMessage({ text: 'Saved.', error: false });
      setForm(toForm(checked.settings));
    }
  };

  const describedBy = (field: keyof FieldErrors) => (errors[field] ? `settings-${field}-error` : undefined);

  return (
    <section className="card settings" aria-label="Settings">
      <div className="settings-head">
        <h2>Settings</h2>
        <button type="button" className="ghost" onClick={onClose}>
          Close settings
        </button>
      </div>
      <form onSubmit={submit} noValidate>
        <label className="field">
          <span>Display name</span>
          <input
            value={form.name}
            maxLength={64}
            onChange={(e) => update({ name: e.target.value })}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={describedBy('name')}
          />
        </label>
        {errors.name && (
          <p className="error" id="settings-name-error">
            {errors.name}
          </p>
        )}

        {form.relay !== null && (
          <div className="field">
            <label className="checkbox">
              <input
                type="checkbox"
                checked={form.relay}
                onChange={(e) => update({ relay: e.target.checked })}
                aria-describedby="settings-relay-help"
              />
              Run a relay on this computer
            </label>
            <span className="muted small-text" id="settings-relay-help">
              When a firewall blocks WebRTC between this computer and another, connections between the two go through it,
              for computers you trust here ({'\u201c'}Always accept{'\u201d'}) or have connected with; its state shows under
              this computer{'\u2019'}s name.
            </span>
          </div>
        )}

        <fieldset className="field">
          <legend>ICE servers (STUN/TURN)</legend>
          <p className="muted small-text">
            PeerDrop always uses the STUN responders of both computers{'\u2019'} PeerDrop, and the relays PeerDrops on
            this network run; add your own STUN or TURN servers for networks where that is not enough. Several URLs for
            one server: separate them by spaces. A TURN server signs in with a username and password, or with a shared
            secret (coturn{'\u2019'}s use-auth-secret), from which PeerDrop makes short-lived passwords.
          </p>
          {form.iceServers.length === 0 && <p className="muted small-text">No extra servers.</p>}
          {form.iceServers.map((row, index) => {
            const n = index + 1;
            return (
              <div className="ice-row" key={index} role="group" aria-label={`ICE server ${n}`}>
                <input
                  aria-label={`URLs of ICE server ${n}`}
                  placeholder="turn:198.51.100.9:3478"
                  value={row.urls}
                  onChange={(e) => updateRow(index, { urls: e.target.value })}
                />
                <select
                  aria-label={`Sign-in of ICE server ${n}`}
                  value={row.auth}
                  onChange={(e) => setAuth(index, e.target.value === 'secret' ? 'secret' : 'password')}
                >
                  <option value="password">Username and password</option>
                  <option value="secret">Shared secret (TURN)</option>
                </select>
                {row.auth === 'password' ? (
                  <>
                    <input
                      aria-label={`Username of ICE server ${n}`}
                      placeholder="username"
                      value={row.username}
                      autoComplete="off"
                      onChange={(e) => updateRow(index, { username: e.target.value })}
                    />
                    <input
                      aria-label={`Credential of ICE server ${n}`}
                      placeholder="password"
                      type="password"
                      value={row.credential}
                      autoComplete="new-password"
                      onChange={(e) => updateRow(index, { credential: e.target.value })}
                    />
                  </>
                ) : (
                  <input
                    className="ice-secret"
                    aria-label={`Shared secret of ICE server ${n}`}
                    placeholder={row.secretSet ? SECRET_KEPT : 'shared secret'}
                    type="password"
                    value={row.secret}
                    autoComplete="new-password"
                    aria-describedby={row.secretSet ? `settings-secret-${n}` : undefined}
                    onChange={(e) => updateRow(index, { secret: e.target.value })}
                  />
                )}
                <button
                  type="button"
                  className="ghost danger"
                  onClick={() => update({ iceServers: form.iceServers.filter((_, i) => i !== index) })}
                >
                  Remove server {n}
                </button>
                {row.auth === 'secret' && row.secretSet && (
                  <span className="muted small-text ice-note" id={`settings-secret-${n}`}>
                    {SECRET_KEPT}.
                  </span>
                )}
              </div>
            );
          })}
          <button
            type="button"
            className="secondary"
            disabled={form.iceServers.length >= MAX_ICE_SERVERS}
            onClick={() => update({ iceServers: [...form.iceServers, { ...EMPTY_ICE_ROW }] })}
          >
            Add ICE server
          </button>
          {errors.iceServers && (
            <p className="error" id="settings-iceServers-error">
              {errors.iceServers}
            </p>
          )}
        </fieldset>

        <label className="field">
          <span>Connection timeout (seconds)</span>
          <input
            inputMode="numeric"
            value={form.timeoutSeconds}
            onChange={(e) => update({ timeoutSeconds: e.target.value })}
            aria-invalid={errors.connectTimeoutMs ? true : undefined}
            aria-describedby={describedBy('connectTimeoutMs')}
          />
          <span className="muted small-text">
            {TIMEOUT_MIN_S} to {TIMEOUT_MAX_S} s: how long a connection may take before it is reported as failed.
          </span>
        </label>
        {errors.connectTimeoutMs && (
          <p className="error" id="settings-connectTimeoutMs-error">
            {errors.connectTimeoutMs}
          </p>
        )}

        {settings?.downloadDir && (
          <div className="field">
            <span>Download folder</span>
            <code>{settings.downloadDir}</code>
            <span className="muted small-text">Received files are saved here (set with peerdropd --download-dir).</span>
          </div>
        )}

        <div className="settings-actions">
          <button type="submit" disabled={saving}>
            {saving ? 'Saving\u2026' : 'Save settings'}
          </button>
          {message && (
            <span className={message.error ? 'error' : 'muted'} role={message.error ? 'alert' : 'status'}>
              {message.text}
            </span>
          )}
        </div>
      </form>
    </section>
  );
}
