import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { ChatMessage } from '../chat/ChatSession';
import { clockTime } from './format';

interface Props {
  peerName: string;
  messages: readonly ChatMessage[];
  /** The connection can carry messages now (else they wait). */
  live: boolean;
  onSend: (text: string) => void;
  onResend: (id: string) => void;
}

const STATUS_WORDS = { sending: 'Sending\u2026', delivered: 'Delivered', failed: 'Not delivered', received: '' } as const;

/** Text messages with one peer over the control channel. Enter sends, Shift+Enter starts a new line. */
export function ChatPanel({ peerName, messages, live, onSend, onResend }: Props) {
  const [text, setText] = useState('');
  const logRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const log = logRef.current;
    if (log) log.scrollTop = log.scrollHeight;
  }, [messages.length]);

  const send = () => {
    if (!text.trim()) return;
    onSend(text);
    setText('');
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    send();
  };
  const keyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  return (
    <section className="chat" aria-label={`Chat with ${peerName}`}>
      <div className="chat-log" role="log" aria-label={`Messages with ${peerName}`} ref={logRef} tabIndex={0}>
        {messages.length === 0 && <p className="muted empty">No messages yet. Say hello to {peerName}.</p>}
        {messages.map((m) => (
          <div key={m.id} className={`bubble bubble-${m.direction} bubble-${m.status}`}>
            <p className="bubble-text">{m.text}</p>
            <p className="bubble-meta">
              <time dateTime={new Date(m.sentAt).toISOString()}>{clockTime(m.sentAt)}</time>
              {m.direction === 'out' && <span className="bubble-status"> {'\u00b7'} {STATUS_WORDS[m.status]}</span>}
              {m.status === 'failed' && (
                <button type="button" className="ghost small" onClick={() => onResend(m.id)}>
                  Try again
                </button>
              )}
            </p>
          </div>
        ))}
      </div>
      {!live && <p className="muted small-text">Messages you write now are sent when the connection is back.</p>}
      <form className="chat-form" onSubmit={submit}>
        <textarea
          aria-label="Message"
          placeholder={`Message ${peerName}`}
          rows={1}
          value={text}
          maxLength={10_000}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={keyDown}
        />
        <button type="submit" disabled={!text.trim()}>
          Send
        </button>
      </form>
    </section>
  );
}
