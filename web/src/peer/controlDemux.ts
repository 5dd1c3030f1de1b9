// The control channel carries three conversations: the hello, the chat and
// the file transfers. This tells a received frame's conversation, so that
// PeerController hands each to its owner.

import {
  isTransferMessage,
  parseControlMessage,
  type ChatAckMessage,
  type ChatWireMessage,
  type HelloMessage,
} from '../chat/controlProtocol';
import type { TransferControlMessage } from '../transfer/wire';

export type ControlFrame =
  | { kind: 'hello'; message: HelloMessage }
  | { kind: 'chat'; message: ChatWireMessage | ChatAckMessage }
  | { kind: 'transfer'; message: TransferControlMessage }
  /** Not a frame of a known, well-formed message: ignored. */
  | { kind: 'malformed'; text: string };

export function demuxControl(data: string): ControlFrame {
  const message = parseControlMessage(data);
  if (!message) return { kind: 'malformed', text: data };
  if (message.t === 'hello') return { kind: 'hello', message };
  if (isTransferMessage(message)) return { kind: 'transfer', message };
  return { kind: 'chat', message };
}

/** Transfer messages worth a line in the debug log (not the many acks and file ends). */
export function logsTransferMessage(message: TransferControlMessage): boolean {
  return message.t !== 'xfer_ack' && message.t !== 'xfer_file_done' && message.t !== 'xfer_file_end';
}
