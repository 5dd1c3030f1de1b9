import { useState, type FormEvent } from 'react';
import type { ScanStatus } from '../daemon/api';

interface Props {
  onAdd: (address: string) => Promise<string | null>;
  onScan: () => Promise<string | null>;
  scan: ScanStatus | null;
}

/** Add a peer by address, or scan the local networks. */
export function AddPeerForm({ onAdd, onScan, scan }: Props) {
  const [address, setAddress] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = address.trim();
    if (!value) {
      setMessage({ text: 'Type an address like 192.168.1.20 or 192.168.1.20:3001.', error: true });
      return;
    }
    setBusy(true);
    setMessage({ text: `Looking for PeerDrop at ${value}\u2026`, error: false });
    const problem = await onAdd(value);
    setBusy(false);
    if (problem) setMessage({ text: problem, error: true });
    else {
      setMessage({ text: `Found PeerDrop at ${value}.`, error: false });
      setAddress('');
    }
  };

  const scanNow = async () => {
    const problem = await onScan();
    setMessage(problem ? { text: problem, error: true } : { text: 'Scanning the local network\u2026', error: false });
  };

  return (
    <section className="card add-peer" aria-label="Find peers">
      <form onSubmit={submit} className="inline-form">
        <input
          aria-label="Peer address"
          placeholder="Address, e.g. 192.168.1.20:3001"
          value={address}
          onChange={(e) => setAddress(e.target.value)}
          disabled={busy}
        />
        <button type="submit" disabled={busy}>
          Add peer
        </button>
        <button type="button" className="secondary" onClick={scanNow} disabled={scan?.running === true}>
          {scan?.running ? 'Scanning\u2026' : 'Scan'}
        </button>
      </form>
      {message && (
        <p className={message.error ? 'error' : 'muted'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      {scan && !scan.running && scan.startedAt > 0 && (
        <p className="muted small-text">
          Last scan: {scan.probed} addresses in {scan.subnets.join(', ') || 'no subnet'}, {scan.found} found.
        </p>
      )}
    </section>
  );
}
