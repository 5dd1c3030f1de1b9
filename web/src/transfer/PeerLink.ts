// What the transfers need of one peer's connection (PeerController gives it).

import type { FileChannel } from './FileChannel';
import type { TransferControlMessage } from './wire';

export interface PeerLink {
  /** The control channel is open. */
  readonly connected: boolean;
  readonly name: string;
  /** Sends a control frame; false when there is no open channel. */
  sendControl(message: TransferControlMessage): boolean;
  /** Sends an already encoded control frame (offers are cut in several). */
  sendControlText(frame: string): boolean;
  openFileChannel(label: string): FileChannel | null;
  readonly maxMessageSize: number | null;
}
