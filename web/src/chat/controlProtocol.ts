// The messages on the control DataChannel (label "control") between two UIs,
// version 1. One JSON object per text frame, told apart by "t". A receiver
// ignores a frame it cannot parse or whose "t" it does not know.
// Documented in docs/protocol.md ("The UIs' own signals and control channel", "File transfer").

import { isObject } from '../daemon/protocol';
import { isTransferType, parseTransferMessage, type TransferControlMessage } from '../transfer/wire';

export const CONTROL_PROTOCOL_VERSION = 1;
export const MAX_CHAT_TEXT = 10_000;
export const MAX_ID_LENGTH = 64;
export const MAX_NAME_LENGTH = 64;

/** First frame on every newly opened control channel, from both sides. */
export interface HelloMessage {
  t: 'hello';
  v: number;
  name: string;
}

/** A chat message; resent with the same id until acknowledged. */
export interface ChatWireMessage {
  t: 'chat';
  id: string;
  text: string;
  /** Unix ms on the sender's clock when the person sent it. */
  sentAt: number;
}

/** The receiver got (and showed, or had already shown) the chat message `id`. */
export interface ChatAckMessage {
  t: 'chat_ack';
  id: string;
}

/** Chat and hello here; the file transfer messages (xfer_*) are in transfer/wire.ts. */
export type ControlMessage = HelloMessage | ChatWireMessage | ChatAckMessage | TransferControlMessage;

export function isTransferMessage(message: ControlMessage): message is TransferControlMessage {
  return isTransferType(message.t);
}

const validId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH;

export function parseControlMessage(text: string): ControlMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(value)) return null;
  switch (value.t) {
    case 'hello':
      if (typeof value.v !== 'number' || typeof value.name !== 'string') return null;
      return { t: 'hello', v: value.v, name: value.name.slice(0, MAX_NAME_LENGTH) };
    case 'chat':
      if (!validId(value.id) || typeof value.text !== 'string' || value.text.length > MAX_CHAT_TEXT) return null;
      if (typeof value.sentAt !== 'number' || !Number.isFinite(value.sentAt)) return null;
      return { t: 'chat', id: value.id, text: value.text, sentAt: value.sentAt };
    case 'chat_ack':
      if (!validId(value.id)) return null;
      return { t: 'chat_ack', id: value.id };
    default:
      return isTransferType(value.t) ? parseTransferMessage(value) : null;
  }
}

export function encodeControlMessage(message: ControlMessage): string {
  return JSON.stringify(message);
}
