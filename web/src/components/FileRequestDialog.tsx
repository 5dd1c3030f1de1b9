import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { TransferView } from '../transfer/transferView';
import { displayName, formatBytes } from './format';

interface Props {
  offer: TransferView;
  onAccept: (always: boolean) => void;
  onDecline: () => void;
}

const MAX_LISTED = 50;

/** "Files from Bob": the files of a request, with Accept / Decline and "always accept". */
export function FileRequestDialog({ offer, onAccept, onDecline }: Props) {
  const [always, setAlways] = useState(false);
  const acceptRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const previous = document.activeElement;
    const typing = previous instanceof HTMLInputElement || previous instanceof HTMLTextAreaElement;
    if (!typing) acceptRef.current?.focus();
  }, [offer.tid]);

  const keyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      onDecline();
    }
  };

  const titleId = `files-title-${offer.tid}`;
  const listed = offer.files.slice(0, MAX_LISTED);
  return (
    <div className="backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby={titleId} onKeyDown={keyDown}>
        <h2 id={titleId}>Files from {offer.peerName}</h2>
        <p>
          <strong>{offer.peerName}</strong> wants to send you {offer.fileCount === 1 ? '1 file' : `${offer.fileCount} files`} (
          {formatBytes(offer.total)} in all).
        </p>
        <ul className="offer-files" aria-label="Offered files">
          {listed.map((f) => (
            <li key={f.i}>
              <span className="file-name">{displayName(f.path)}</span> <span className="muted small-text">{formatBytes(f.size)}</span>
            </li>
          ))}
        </ul>
        {offer.fileCount > listed.length && <p className="muted small-text">and {offer.fileCount - listed.length} more</p>}
        <p className="muted small-text">Total: {formatBytes(offer.total)}</p>
        <label className="checkbox">
          <input type="checkbox" checked={always} onChange={(e) => setAlways(e.target.checked)} />
          Always accept connections and files from {offer.peerName}
        </label>
        <div className="dialog-actions">
          <button type="button" className="secondary" onClick={onDecline}>
            Decline
          </button>
          <button type="button" ref={acceptRef} onClick={() => onAccept(always)}>
            Accept
          </button>
        </div>
      </div>
    </div>
  );
}
