// The chat with one peer: outgoing messages stay "sending" until the peer's UI
// acknowledges them and are sent again whenever the connection comes back (ICE
// restart or a new connection); when the connection is gone for good they are
// marked failed (and still go out with the next connection, or on "try again").
// Incoming messages are acknowledged and de-duplicated by id.

import { Emitter, randomId, realTimers, type Timers } from '../util/timers';
import { MAX_CHAT_TEXT, encodeControlMessage, type ControlMessage } from './controlProtocol';

export type ChatStatus = 'sending' | 'delivered' | 'failed' | 'received';

export interface ChatMessage {
  id: string;
  direction: 'out' | 'in';
  text: string;
  /** Unix ms when it was sent (the sender's clock). */
  sentAt: number;
  status: ChatStatus;
  /** How many times it went out on a channel (outgoing only). */
  attempts: number;
}

export interface ChatSessionOptions {
  /** Puts a frame on the control channel; false when there is no open channel. */
  send: (frame: string) => boolean;
  timers?: Timers;
  createId?: () => string;
  /** How many received ids are remembered for de-duplication. */
  dedupLimit?: number;
}

export class ChatSession {
  private list: ChatMessage[] = [];
  private readonly seen = new Set<string>();
  private readonly seenOrder: string[] = [];
  private readonly changes = new Emitter<readonly ChatMessage[]>();
  private readonly timers: Timers;
  private readonly createId: () => string;
  private readonly dedupLimit: number;
  private up = false;

  constructor(private readonly options: ChatSessionOptions) {
    this.timers = options.timers ?? realTimers;
    this.createId = options.createId ?? randomId;
    this.dedupLimit = options.dedupLimit ?? 10_000;
  }

  /** The conversation, oldest first (a new array after every change). */
  get messages(): readonly ChatMessage[] {
    return this.list;
  }

  onChange(listener: (messages: readonly ChatMessage[]) => void): () => void {
    return this.changes.on(listener);
  }

  /** Sends a message (kept as "sending" if the connection is not up). Blank text is not sent. */
  send(text: string): ChatMessage | null {
    const trimmed = text.replace(/\s+$/u, '');
    if (trimmed.trim().length === 0) return null;
    const message: ChatMessage = {
      id: this.createId(),
      direction: 'out',
      text: trimmed.slice(0, MAX_CHAT_TEXT),
      sentAt: this.timers.now(),
      status: 'sending',
      attempts: 0,
    };
    this.list = [...this.list, message];
    if (this.up) this.transmit(message.id);
    this.changed();
    return this.find(message.id) ?? message;
  }

  /** A failed message, tried again (now if connected, else when the connection is up). */
  resend(id: string): void {
    const message = this.find(id);
    if (!message || message.direction !== 'out' || message.status !== 'failed') return;
    this.update(id, { status: 'sending' });
    if (this.up) this.transmit(id);
    this.changed();
  }

  /** Handles a chat or chat_ack frame from the peer (other kinds are ignored here). */
  receive(message: ControlMessage): void {
    if (message.t === 'chat') {
      // Acknowledge every copy: the previous ack may be what got lost.
      this.options.send(encodeControlMessage({ t: 'chat_ack', id: message.id }));
      if (this.seen.has(message.id)) return;
      this.remember(message.id);
      this.list = [
        ...this.list,
        { id: message.id, direction: 'in', text: message.text, sentAt: message.sentAt, status: 'received', attempts: 0 },
      ];
      this.changed();
    } else if (message.t === 'chat_ack') {
      const mine = this.find(message.id);
      if (!mine || mine.direction !== 'out' || mine.status === 'delivered') return;
      this.update(message.id, { status: 'delivered' });
      this.changed();
    }
  }

  /** The control channel is usable (opened, or back after an ICE restart): send what is unacknowledged. */
  connectionUp(): void {
    this.up = true;
    let changed = false;
    for (const message of this.list) {
      if (message.direction !== 'out' || message.status === 'delivered') continue;
      if (message.status === 'failed') this.update(message.id, { status: 'sending' });
      this.transmit(message.id);
      changed = true;
    }
    if (changed) this.changed();
  }

  /**
   * The connection is interrupted (ICE restart under way): keep sending into the
   * channel (its transport buffers), everything unacknowledged goes again on the next up.
   */
  connectionInterrupted(): void {
    // Nothing to change: messages stay "sending" and connectionUp() resends them.
  }

  /** The connection is gone for good: whatever is unacknowledged failed. */
  connectionDown(): void {
    this.up = false;
    let changed = false;
    for (const message of this.list) {
      if (message.direction === 'out' && message.status === 'sending') {
        this.update(message.id, { status: 'failed' });
        changed = true;
      }
    }
    if (changed) this.changed();
  }

  private transmit(id: string): void {
    const message = this.find(id);
    if (!message) return;
    const sent = this.options.send(
      encodeControlMessage({ t: 'chat', id: message.id, text: message.text, sentAt: message.sentAt }),
    );
    if (sent) this.update(id, { attempts: message.attempts + 1 });
  }

  private find(id: string): ChatMessage | undefined {
    return this.list.find((m) => m.id === id);
  }

  private update(id: string, patch: Partial<ChatMessage>): void {
    this.list = this.list.map((m) => (m.id === id ? { ...m, ...patch } : m));
  }

  private remember(id: string): void {
    this.seen.add(id);
    this.seenOrder.push(id);
    if (this.seenOrder.length > this.dedupLimit) {
      const oldest = this.seenOrder.shift();
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }

  private changed(): void {
    this.changes.emit(this.list);
  }
}
