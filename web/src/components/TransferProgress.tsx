import { useRef, type ChangeEvent } from 'react';
import { filesFromInput, type PickedFile } from '../transfer/pickFiles';
import type { TransferFileView, TransferView } from '../transfer/transferView';
import { displayName, formatBytes, formatSpeed, formatTimeLeft } from './format';

interface Props {
  view: TransferView;
  onCancel: () => void;
  onDismiss: () => void;
  onReselect: (files: PickedFile[]) => void;
}

const MAX_FILE_ROWS = 20;

const FILE_STATUS_WORDS: Record<TransferFileView['status'], string> = {
  waiting: 'Waiting',
  sending: 'Sending',
  receiving: 'Receiving',
  checking: 'Checking',
  verified: 'Verified',
  failed: 'Failed',
};

function percent(done: number, total: number): number {
  return total <= 0 ? 100 : Math.min(100, Math.floor((done * 100) / total));
}

/** The files a transfer shows: all of a small one; of a large one those moving or failed first. */
function shownFiles(files: readonly TransferFileView[]): TransferFileView[] {
  if (files.length <= MAX_FILE_ROWS) return [...files];
  const busy = files.filter((f) => f.status === 'sending' || f.status === 'receiving' || f.status === 'checking' || f.status === 'failed');
  const rest = files.filter((f) => !busy.includes(f));
  return [...busy, ...rest].slice(0, MAX_FILE_ROWS).sort((a, b) => a.i - b.i);
}

/** One transfer: a progress bar per file and one for the whole request, speed, time left, Cancel. */
export function TransferProgress({ view, onCancel, onDismiss, onReselect }: Props) {
  const reselectRef = useRef<HTMLInputElement>(null);
  const files = shownFiles(view.files);
  // A transfer whose file list the page does not know (a lane transfer from another page) lists none.
  const hidden = files.length > 0 ? view.fileCount - files.length : 0;
  const live = view.phase === 'running';
  const what = view.fileCount === 1 && view.files[0] ? displayName(view.files[0].path) : view.fileCount === 1 ? '1 file' : `${view.fileCount} files`;
  const title = view.direction === 'out' ? `To ${view.peerName}: ${what}` : `From ${view.peerName}: ${what}`;
  const reselected = (event: ChangeEvent<HTMLInputElement>) => {
    const list = event.target.files;
    if (list && list.length > 0) onReselect(filesFromInput(list));
    event.target.value = '';
  };

  return (
    <article className={`transfer transfer-${view.phase}`} aria-label={title}>
      <header className="transfer-head">
        <h3>{title}</h3>
        <span className={`transfer-state state-${view.phase}`} role="status">
          {view.stateText}
          {view.verified && <span className="verified"> {'\u00b7'} Verified</span>}
        </span>
      </header>
      <div className="transfer-total">
        <progress
          max={100}
          value={percent(view.bytesDone, view.total)}
          aria-label="Total progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent(view.bytesDone, view.total)}
          aria-valuetext={`${formatBytes(view.bytesDone)} of ${formatBytes(view.total)}`}
        />
        <p className="muted small-text transfer-numbers">
          {formatBytes(view.bytesDone)} of {formatBytes(view.total)}
          {live && view.speed !== null && <> {'\u00b7'} {formatSpeed(view.speed)}</>}
          {live && view.etaSeconds !== null && <> {'\u00b7'} {formatTimeLeft(view.etaSeconds)}</>}
        </p>
      </div>
      {view.problem && (
        <p className="error" role="alert">
          {view.problem}
        </p>
      )}
      {view.missingFiles.length > 0 && (
        <div className="reselect">
          <p className="small-text">
            Select again: {view.missingFiles.slice(0, 5).join(', ')}
            {view.missingFiles.length > 5 && ` and ${view.missingFiles.length - 5} more`}
          </p>
          <button type="button" className="secondary" onClick={() => reselectRef.current?.click()}>
            Select the files again
          </button>
          <input ref={reselectRef} type="file" multiple hidden aria-label="Files to select again" onChange={reselected} />
        </div>
      )}
      <ul className="transfer-files">
        {files.map((f) => (
          <li key={f.i} className={`transfer-file file-${f.status}`}>
            <div className="transfer-file-head">
              <span className="file-name">{f.name && f.name !== f.path ? `${displayName(f.path)} \u2192 ${displayName(f.name)}` : displayName(f.path)}</span>
              <span className="muted small-text">
                {formatBytes(f.size)} {'\u00b7'} {FILE_STATUS_WORDS[f.status]}
              </span>
            </div>
            <progress
              max={100}
              value={percent(f.done, f.size)}
              aria-label={`Progress of ${displayName(f.path)}`}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={percent(f.done, f.size)}
            />
            {f.error && <p className="error small-text">{f.error}</p>}
          </li>
        ))}
      </ul>
      {hidden > 0 && <p className="muted small-text">and {hidden} more files</p>}
      <div className="transfer-actions">
        {view.canCancel && (
          <button type="button" className="ghost danger" aria-label="Cancel transfer" onClick={onCancel}>
            Cancel
          </button>
        )}
        {view.canDismiss && (
          <button type="button" className="ghost" aria-label="Remove from the list" onClick={onDismiss}>
            Remove
          </button>
        )}
      </div>
    </article>
  );
}
