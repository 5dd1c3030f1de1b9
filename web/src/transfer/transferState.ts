// One transfer's state, as an explicit typed reducer: named phases and events,
// terminal phases that nothing leaves, the facts that go with them (accepted,
// everything sent, a cancel still owed to the peer, the failure in words),
// and the words the UI shows for each.
//
//   offered ──ACCEPT──▶ accepting ──RUNNING──▶ running ──DONE──▶ done
//      │                    │                  │  ▲
//      │ DECLINE(D)         │ PAUSE            │  │ RUNNING
//      ▼                    ▼                  ▼  │
//   declined             paused ──RESUMING──▶ resuming
//
// CANCEL/CANCELLED (either side) and FAIL lead from any live phase to
// cancelled/failed. A sender's offer is `offered` until the peer answers.
// RESTORED takes a transfer a previous page left from `offered` to `paused`.

export type TransferDirection = 'out' | 'in';

export type TransferPhase =
  | 'offered'
  | 'accepting'
  | 'declined'
  | 'running'
  | 'paused'
  | 'resuming'
  | 'done'
  | 'failed'
  | 'cancelled';

/** Why a transfer is paused. */
export type PauseReason =
  /** The peer connection is down (or reconnecting). */
  | 'connection'
  /** Our daemon is away (receiver). */
  | 'daemon'
  /** The page was reloaded and the files must be selected again (sender). */
  | 'files';

export interface TransferStatus {
  phase: TransferPhase;
  pause: PauseReason | null;
  /** Why it ended: the decline/cancel reason code, or the failure. */
  reason: string | null;
  /** Ended by the peer (declined or cancelled there). */
  byPeer: boolean;
  /** The receiver said yes (here, or its xfer_accept reached the sender): a resume continues it. */
  accepted: boolean;
  /** The sender put every byte on the channel and waits for the verdicts ("Checking…"). */
  allSent: boolean;
  /** An xfer_cancel with this reason is owed to the peer (sent when it is connected again). */
  cancelPending: string | null;
  /** What went wrong, in words (a read error, failed files, a refused name). */
  failure: string | null;
}

export type TransferEvent =
  /** The receiving person (or auto-accept) said yes. */
  | { type: 'ACCEPT' }
  /** The receiver's xfer_accept reached the sender. */
  | { type: 'PEER_ACCEPTED' }
  /** Offsets were exchanged (xfer_accept sent or received): bytes flow. */
  | { type: 'RUNNING' }
  | { type: 'PAUSE'; reason: PauseReason }
  /** A resume started (xfer_resume sent or received, or a rewind). */
  | { type: 'RESUMING' }
  | { type: 'DONE' }
  /** `text`: the failure in words, when there is more to say than the reason code. */
  | { type: 'FAIL'; reason: string; text?: string }
  /** Declined here (`byPeer` false) or by the peer. */
  | { type: 'DECLINE'; reason: string; byPeer: boolean }
  | { type: 'CANCEL'; reason: string; byPeer: boolean }
  /** A request the peer never answered, paused for its files, is offered again. */
  | { type: 'OFFER_AGAIN' }
  /** The sender starts a channel: the files on it are not all sent yet. */
  | { type: 'SEND_START' }
  /** The sender sent the last byte of the last file. */
  | { type: 'ALL_SENT' }
  /** An xfer_cancel could not be sent now: it is owed. */
  | { type: 'OWE_CANCEL'; reason: string }
  /** The owed xfer_cancel was sent. */
  | { type: 'CANCEL_DELIVERED' }
  /** Taken back from the store after a reload: paused for `pause`. */
  | { type: 'RESTORED'; accepted: boolean; pause: PauseReason };

export const TERMINAL_PHASES: readonly TransferPhase[] = ['declined', 'done', 'failed', 'cancelled'];

export function isTerminal(phase: TransferPhase): boolean {
  return TERMINAL_PHASES.includes(phase);
}

export function initialStatus(): TransferStatus {
  return { phase: 'offered', pause: null, reason: null, byPeer: false, accepted: false, allSent: false, cancelPending: null, failure: null };
}

const LIVE_AFTER_ACCEPT: readonly TransferPhase[] = ['accepting', 'running', 'paused', 'resuming'];

/** `status` with `changes`, or `status` itself when they change nothing (a reducer that did nothing returns its input). */
function update(status: TransferStatus, changes: Partial<TransferStatus>): TransferStatus {
  for (const key of Object.keys(changes) as (keyof TransferStatus)[]) {
    if (changes[key] !== status[key]) return { ...status, ...changes };
  }
  return status;
}

export function transferReducer(status: TransferStatus, event: TransferEvent): TransferStatus {
  const { phase } = status;
  // What is owed to the peer outlives the transfer's end.
  if (event.type === 'OWE_CANCEL') return update(status, { cancelPending: event.reason });
  if (event.type === 'CANCEL_DELIVERED') return update(status, { cancelPending: null });
  if (isTerminal(phase)) return status;
  switch (event.type) {
    case 'ACCEPT':
      return phase === 'offered' ? { ...status, phase: 'accepting', accepted: true } : status;
    case 'PEER_ACCEPTED':
      return update(status, { accepted: true });
    case 'RUNNING':
      return phase === 'offered' || LIVE_AFTER_ACCEPT.includes(phase) ? { ...status, phase: 'running', pause: null } : status;
    case 'PAUSE':
      // An unanswered offer waits as it is (it is offered again), unless its files are gone.
      if (phase === 'offered' && event.reason !== 'files') return status;
      if (phase === 'paused' && status.pause === event.reason) return status;
      return { ...status, phase: 'paused', pause: event.reason };
    case 'RESUMING':
      return phase === 'paused' || phase === 'running' ? { ...status, phase: 'resuming', pause: null } : status;
    case 'DONE':
      return phase === 'offered' ? status : { ...status, phase: 'done', pause: null };
    case 'FAIL':
      return { ...status, phase: 'failed', pause: null, reason: event.reason, failure: event.text ?? status.failure };
    case 'DECLINE':
      return phase === 'offered' || phase === 'accepting'
        ? { ...status, phase: 'declined', pause: null, reason: event.reason, byPeer: event.byPeer }
        : status;
    case 'CANCEL':
      return { ...status, phase: 'cancelled', pause: null, reason: event.reason, byPeer: event.byPeer };
    case 'OFFER_AGAIN':
      return phase === 'paused' ? { ...status, phase: 'offered', pause: null } : status;
    case 'SEND_START':
      return update(status, { allSent: false });
    case 'ALL_SENT':
      return update(status, { allSent: true });
    case 'RESTORED':
      return phase === 'offered' ? { ...status, phase: 'paused', pause: event.pause, accepted: event.accepted } : status;
  }
}

/** A sentence for an error code from the peer or the daemon. */
export function errorText(code: string): string {
  switch (code) {
    case 'hash_mismatch':
      return 'The file was damaged on the way (checksum mismatch); send it again';
    case 'size_mismatch':
      return 'The file arrived with another size than announced (it may have changed while it was sent); send it again';
    case 'disk_full':
    case 'no_space':
      return 'There is not enough space on the receiving computer';
    case 'bad_name':
      return 'A file name cannot be used on the receiving computer';
    case 'too_large':
      return 'A file is larger than the receiving computer accepts';
    case 'busy':
      return 'The receiving computer is busy; try again later';
    case 'read_error':
      return 'A file could not be read on the sending computer (was it moved or changed?)';
    case 'unknown':
      return 'The other side no longer knows this transfer';
    case 'bad_offer':
      return 'A file name in this request is too long or not valid on the receiving computer; rename the file and send it again';
    case 'in_use':
      return 'The file is in use by another program on the receiving computer';
    case 'too_many_files':
      return 'The receiving computer has too many files open; try again later';
    case 'path_blocked':
      return 'Something in the download folder is in the way of this file';
    case 'name_taken':
      return 'Every variant of this file name is taken in the download folder';
    case 'io_error':
      return 'The receiving computer could not write the file';
    default:
      return `Error: ${code.replace(/_/g, ' ')}`;
  }
}

/** The state words next to a transfer. */
export function phaseText(status: TransferStatus, direction: TransferDirection, peerName: string): string {
  switch (status.phase) {
    case 'offered':
      return direction === 'out' ? `Waiting for ${peerName} to accept` : `${peerName} wants to send you files`;
    case 'accepting':
      return 'Preparing\u2026';
    case 'running':
      if (direction === 'out') return status.allSent ? 'Checking\u2026' : 'Sending';
      return 'Receiving';
    case 'paused':
      if (status.pause === 'files') return 'Paused \u2014 select the file again to resume';
      if (status.pause === 'daemon') return 'Paused \u2014 waiting for PeerDrop on this computer';
      return `Paused \u2014 waiting for the connection to ${peerName}`;
    case 'resuming':
      return 'Resuming';
    case 'done':
      return 'Done';
    case 'declined':
      if (!status.byPeer) return 'Declined';
      return status.reason && status.reason !== 'declined'
        ? `${peerName} could not accept: ${errorText(status.reason)}`
        : `${peerName} declined`;
    case 'cancelled':
      if (!status.byPeer) return 'Cancelled';
      return status.reason && status.reason !== 'cancelled'
        ? `Cancelled by ${peerName}: ${errorText(status.reason)}`
        : `Cancelled by ${peerName}`;
    case 'failed':
      return `Failed: ${status.failure ?? (status.reason ? errorText(status.reason) : 'unknown error')}`;
  }
}
