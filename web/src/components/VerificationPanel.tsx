import { useState } from 'react';
import type { Peer } from '../daemon/protocol';
import { fingerprint, formatCode } from '../peer/peerIdentity';

interface Props {
  peer: Peer;
  /** This computer's name, as the other device lists it. */
  selfName: string | null;
  /** Marks the peer verified (true) or takes that back; resolves with a problem to show, or null. */
  onSetConfirmed: (confirmed: boolean) => Promise<string | null>;
}

/**
 * The peer's verification code, the same on both computers, and "Mark as
 * verified" once the person has compared them; "Verified ✓" after.
 */
export function VerificationPanel({ peer, selfName, onSetConfirmed }: Props) {
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const name = peer.name;
  const set = async (confirmed: boolean) => {
    setSaving(true);
    const error = await onSetConfirmed(confirmed);
    setSaving(false);
    setProblem(error);
  };

  return (
    <section className="verification" aria-label={`Verify ${name}`}>
      <h3 className="section-title">Is this really {name}?</h3>
      {peer.verificationCode ? (
        <>
          <p>
            Verification code{' '}
            <strong className="verification-code" aria-label="Verification code" data-testid="verification-code">
              {formatCode(peer.verificationCode)}
            </strong>{' '}
            <span className="muted small-text">(fingerprint {fingerprint(peer.id)})</span>
          </p>
          {peer.confirmed ? (
            <p className="verified-line">
              <span className="pill pill-verified">Verified {'\u2713'}</span> You checked that {name} shows the same code.{' '}
              <button type="button" className="ghost small" disabled={saving} onClick={() => void set(false)}>
                Remove verification
              </button>
            </p>
          ) : (
            <>
              <p className="muted small-text">
                Open PeerDrop on {name} and select {selfName ? `\u201c${selfName}\u201d` : 'this computer'} there: it
                shows a code too. If both codes are the same, this is the real {name}; mark it as verified. If they differ,
                this is another device using the name: do not send it anything.
              </p>
              <button type="button" disabled={saving} onClick={() => void set(true)}>
                Mark as verified
              </button>
            </>
          )}
        </>
      ) : (
        <p className="muted small-text">
          No verification code yet: PeerDrop shows one once it has proven {name}&rsquo;s key over an encrypted connection
          with its PeerDrop.
        </p>
      )}
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}
