import { useRef, useState, type ChangeEvent, type DragEvent } from 'react';
import { filesFromDrop, filesFromInput, type PickedFile } from '../transfer/pickFiles';

interface Props {
  peerName: string;
  /** Files can be sent now (the peer is connected). */
  enabled: boolean;
  onFiles: (files: PickedFile[]) => void;
}

/** Drop files or folders here, or choose them: they are offered to the peer. */
export function DropZone({ peerName, enabled, onFiles }: Props) {
  const [over, setOver] = useState(false);
  const filesRef = useRef<HTMLInputElement>(null);
  const folderRef = useRef<HTMLInputElement>(null);

  const drop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setOver(false);
    if (!enabled) return;
    void filesFromDrop(event.dataTransfer).then((files) => {
      if (files.length > 0) onFiles(files);
    });
  };
  const dragOver = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    event.dataTransfer.dropEffect = enabled ? 'copy' : 'none';
    setOver(true);
  };
  const chosen = (event: ChangeEvent<HTMLInputElement>) => {
    const list = event.target.files;
    if (list && list.length > 0) onFiles(filesFromInput(list));
    event.target.value = '';
  };

  return (
    <div
      className={`drop-zone${over ? ' drop-over' : ''}${enabled ? '' : ' drop-disabled'}`}
      role="group"
      aria-label={`Send files to ${peerName}`}
      onDragOver={dragOver}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
    >
      <p>{enabled ? `Drop files or folders here to send them to ${peerName}.` : `Connect to ${peerName} to send files.`}</p>
      <div className="drop-actions">
        <button type="button" className="secondary" disabled={!enabled} onClick={() => filesRef.current?.click()}>
          Choose files
        </button>
        <button type="button" className="secondary" disabled={!enabled} onClick={() => folderRef.current?.click()}>
          Choose a folder
        </button>
      </div>
      <input ref={filesRef} type="file" multiple hidden aria-label="Files to send" onChange={chosen} />
      <input
        ref={folderRef}
        type="file"
        multiple
        hidden
        aria-label="Folder to send"
        onChange={chosen}
        {...{ webkitdirectory: '', directory: '' }}
      />
    </div>
  );
}
