import type { ReceivedFile } from '../daemon/protocol';
import { formatBytes, relativeTime } from './format';

interface Props {
  files: readonly ReceivedFile[] | null;
  downloadDir: string | null;
  peerName: (id: string) => string;
  /** The link of a received file (it carries the page's key). */
  downloadUrl: (name: string) => string;
  now: number;
}

/** The files received on this computer, with where they are and a link to each. */
export function ReceivedFiles({ files, downloadDir, peerName, downloadUrl, now }: Props) {
  if (files === null && downloadDir === null) return null;
  return (
    <section className="card received" aria-label="Received files section">
      <h2 className="section-title">Received files</h2>
      {downloadDir && (
        <p className="muted small-text">
          Saved in <code>{downloadDir}</code>
        </p>
      )}
      {files && files.length === 0 && <p className="muted empty">Nothing received yet.</p>}
      {files && files.length > 0 && (
        <ul className="received-list" aria-label="Received files">
          {files.map((f) => (
            <li key={`${f.name}-${f.receivedAt}`}>
              <a href={downloadUrl(f.name)} download>
                {f.name}
              </a>{' '}
              <span className="muted small-text">
                {formatBytes(f.size)}
                {f.from && <> {'\u00b7'} from {peerName(f.from)}</>}
                {f.receivedAt > 0 && <> {'\u00b7'} {relativeTime(f.receivedAt, now)}</>}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
