// How a receiver words and codes what its daemon refused (opening or writing a file).

/** The reason code sent to the sender for a daemon's refusal to open a file. */
export const OPEN_ERROR_REASON: Readonly<Record<string, string>> = {
  bad_name: 'bad_name',
  too_large: 'no_space',
  disk_full: 'no_space',
  no_space: 'no_space',
};

export function openErrorText(code: string, path: string, text: string): string {
  switch (code) {
    case 'bad_name':
      return `The name \u201c${path}\u201d cannot be used on this computer`;
    case 'disk_full':
    case 'no_space':
      return 'There is not enough space on this computer for these files';
    case 'too_large':
      return `\u201c${path}\u201d is larger than this computer accepts`;
    default:
      return `PeerDrop on this computer could not store \u201c${path}\u201d: ${text}`;
  }
}
