import { useEffect, useRef, type KeyboardEvent } from 'react';

interface Props {
  peerName: string;
  peerId: string;
  onAccept: () => void;
  onDecline: () => void;
}

/** "Bob wants to connect": a modal dialog. Enter accepts, Escape declines. */
export function ConnectionRequestDialog({ peerName, peerId, onAccept, onDecline }: Props) {
  const acceptRef = useRef<HTMLButtonElement>(null);
  const dialogRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    // Do not take the focus from someone typing (their next Enter would accept).
    const typing = previous instanceof HTMLInputElement || previous instanceof HTMLTextAreaElement;
    if (!typing) acceptRef.current?.focus();
    return () => {
      if (!typing && previous && document.contains(previous)) previous.focus();
    };
  }, [peerId]);

  const keyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      onDecline();
    } else if (event.key === 'Enter' && !(event.target instanceof HTMLButtonElement)) {
      event.preventDefault();
      onAccept();
    } else if (event.key === 'Tab') {
      // Keep the focus inside the dialog.
      const buttons = dialogRef.current?.querySelectorAll<HTMLButtonElement>('button');
      if (!buttons || buttons.length === 0) return;
      const first = buttons[0]!;
      const last = buttons[buttons.length - 1]!;
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  };

  const titleId = `request-title-${peerId}`;
  return (
    <div className="backdrop">
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={`${titleId}-text`}
        ref={dialogRef}
        onKeyDown={keyDown}
      >
        <h2 id={titleId}>Connection request from {peerName}</h2>
        <p id={`${titleId}-text`}>
          <strong>{peerName}</strong> wants to connect to this computer. You can then exchange messages directly.
        </p>
        <p className="muted small-text">
          id <code>{peerId.slice(0, 16)}{'\u2026'}</code>
        </p>
        <div className="dialog-actions">
          <button type="button" className="secondary" onClick={onDecline}>
            Decline
          </button>
          <button type="button" ref={acceptRef} onClick={onAccept}>
            Accept
          </button>
        </div>
      </div>
    </div>
  );
}
