import type { PickedFile } from '../transfer/pickFiles';
import type { TransferView } from '../transfer/transferView';
import { DropZone } from './DropZone';
import { TransferProgress } from './TransferProgress';

export interface TransferActions {
  send: (peerId: string, files: PickedFile[]) => void;
  cancel: (tid: string) => void;
  dismiss: (tid: string) => void;
  reselect: (tid: string, files: PickedFile[]) => void;
  setAutoAccept: (peerId: string, on: boolean) => void;
}

interface Props {
  peerId: string;
  peerName: string;
  connected: boolean;
  transfers: readonly TransferView[];
  autoAccept: boolean | null;
  actions: TransferActions;
}

/** Files with one peer: the drop zone and every transfer to or from it. */
export function TransferPanel({ peerId, peerName, connected, transfers, autoAccept, actions }: Props) {
  return (
    <section className="transfers" aria-label={`Files with ${peerName}`}>
      <DropZone peerName={peerName} enabled={connected} onFiles={(files) => actions.send(peerId, files)} />
      {autoAccept !== null && (
        <label className="checkbox small-text">
          <input type="checkbox" checked={autoAccept} onChange={(e) => actions.setAutoAccept(peerId, e.target.checked)} />
          Always accept connections and files from {peerName}
        </label>
      )}
      {transfers.map((view) => (
        <TransferProgress
          key={view.tid}
          view={view}
          onCancel={() => actions.cancel(view.tid)}
          onDismiss={() => actions.dismiss(view.tid)}
          onReselect={(files) => actions.reselect(view.tid, files)}
        />
      ))}
    </section>
  );
}
