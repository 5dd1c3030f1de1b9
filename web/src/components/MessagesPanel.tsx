import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { PeerMessage } from '../daemon/protocol';
import { messageStateLabel } from '../messages/MessageBook';
import { clockTime } from './format';

interface Props {
  peerName: string;
  messages: readonly PeerMessage[];
  /** Queues the text at this computer's daemon; resolves with an error sentence, or null when queued. */
  onSend: (text: string) => Promise<string | null>;
}

/**
 * Messages daemon to daemon with one PeerDrop computer: they need no
 * connection and no open page there. Each of ours says Queued, Delivered (the
 * peer's daemon has it) or Expired. Enter sends, Shift+Enter starts a new line.
 */
export function MessagesPanel({ peerName, messages, onSend }: Props) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const logRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const log = logRef.current;
    if (log) log.scrollTop = log.scrollHeight;
  }, [messages.length]);

  const send = async () => {
    if (!text.trim() || sending) return;
    setSending(true);
    const problem = await onSend(text);
    setSending(false);
    setError(problem);
    if (problem === null) setText('');
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void send();
  };
  const keyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };

  return (
    <section className="chat messages" aria-label={`Messages with ${peerName}'s computer`}>
      <div className="chat-log" role="log" aria-label={`Message history with ${peerName}`} ref={logRef} tabIndex={0}>
        {messages.length === 0 && (
          <p className="muted empty">No messages yet. {peerName} gets yours even with PeerDrop closed there.</p>
        )}
        {messages.map((m) => (
          <div key={m.seq} className={`bubble bubble-${m.direction} bubble-${m.state}`}>
            <p className="bubble-text">{m.text}</p>
            <p className="bubble-meta">
              <time dateTime={new Date(m.sentAt).toISOString()}>{clockTime(m.sentAt)}</time>
              {m.direction === 'out' && <span className="bubble-status"> {'\u00b7'} {messageStateLabel(m)}</span>}
            </p>
          </div>
        ))}
      </div>
      {error && (
        <p className="error small-text" role="alert">
          {error}
        </p>
      )}
      <form className="chat-form" onSubmit={submit}>
        <textarea
          aria-label="Message to send"
          placeholder={`Message ${peerName}`}
          rows={1}
          value={text}
          maxLength={16_384}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={keyDown}
        />
        <button type="submit" disabled={!text.trim() || sending}>
          Send
        </button>
      </form>
    </section>
  );
}
