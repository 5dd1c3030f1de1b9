import { useRef, type ChangeEvent } from 'react';
import { filesFromInput, type PickedFile } from '../transfer/pickFiles';

interface Props {
  peerName: string;
  onFiles: (files: PickedFile[]) => void;
}

/** "Send files…" on a peer card: picks files and hands them over (the lane sends them). */
export function SendFilesButton({ peerName, onFiles }: Props) {
  const inputRef = useRef<HTMLInputElement>(null);
  const chosen = (event: ChangeEvent<HTMLInputElement>) => {
    const list = event.target.files;
    if (list && list.length > 0) onFiles(filesFromInput(list));
    event.target.value = '';
  };
  return (
    <>
      <button type="button" onClick={() => inputRef.current?.click()} title={`Send files to ${peerName}; you can also drop files or folders on this card`}>
        Send files{'\u2026'}
      </button>
      <input ref={inputRef} type="file" multiple hidden aria-label={`Files to send to ${peerName}`} onChange={chosen} />
    </>
  );
}
