import { useState, type DragEvent } from 'react';
import { filesFromDrop, type PickedFile } from '../transfer/pickFiles';

export interface FileDropHandlers {
  onDragOver: (event: DragEvent<HTMLElement>) => void;
  onDragLeave: (event: DragEvent<HTMLElement>) => void;
  onDrop: (event: DragEvent<HTMLElement>) => void;
}

/** Makes an element a drop target for files and folders (folders walked with their relative paths). */
export function useFileDrop(onFiles: ((files: PickedFile[]) => void) | null): { over: boolean; handlers: FileDropHandlers | null } {
  const [over, setOver] = useState(false);
  if (!onFiles) return { over: false, handlers: null };
  const carriesFiles = (event: DragEvent<HTMLElement>) => Array.from(event.dataTransfer?.types ?? []).includes('Files');
  return {
    over,
    handlers: {
      onDragOver: (event) => {
        if (!carriesFiles(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        setOver(true);
      },
      onDragLeave: (event) => {
        if (event.currentTarget.contains(event.relatedTarget as Node | null)) return;
        setOver(false);
      },
      onDrop: (event) => {
        if (!carriesFiles(event)) return;
        event.preventDefault();
        setOver(false);
        void filesFromDrop(event.dataTransfer).then((files) => {
          if (files.length > 0) onFiles(files);
        });
      },
    },
  };
}
