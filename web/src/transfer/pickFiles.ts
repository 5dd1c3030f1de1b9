// Files a person picked, with their relative paths: from a drop (folders are
// walked with webkitGetAsEntry, keeping "folder/sub/file.txt"), or from a file
// input (a folder input gives webkitRelativePath).

export interface PickedFile {
  /** Relative, '/'-separated path. */
  path: string;
  file: File;
}

interface EntryLike {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly name: string;
  file?(success: (file: File) => void, failure?: (error: unknown) => void): void;
  createReader?(): { readEntries(success: (entries: EntryLike[]) => void, failure?: (error: unknown) => void): void };
}

interface ItemLike {
  readonly kind: string;
  webkitGetAsEntry?(): EntryLike | null;
  getAsFile(): File | null;
}

export interface DropLike {
  readonly items?: ArrayLike<ItemLike> | null;
  readonly files: ArrayLike<File>;
}

/** At most this many files are collected from one drop (the protocol's limit). */
export const MAX_PICKED = 10_000;

function readAll(reader: NonNullable<ReturnType<NonNullable<EntryLike['createReader']>>>): Promise<EntryLike[]> {
  return new Promise((resolve, reject) => {
    const all: EntryLike[] = [];
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

function fileOf(entry: EntryLike): Promise<File> {
  return new Promise((resolve, reject) => entry.file?.(resolve, reject) ?? reject(new Error('not a file')));
}

async function walk(entry: EntryLike, prefix: string, out: PickedFile[]): Promise<void> {
  if (out.length >= MAX_PICKED) return;
  if (entry.isFile) {
    out.push({ path: prefix + entry.name, file: await fileOf(entry) });
  } else if (entry.isDirectory && entry.createReader) {
    const children = await readAll(entry.createReader());
    children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const child of children) await walk(child, `${prefix}${entry.name}/`, out);
  }
}

/**
 * The files of a drop. Call it inside the drop handler: the entries are taken
 * synchronously (the browser forgets them after the event), then walked.
 */
export function filesFromDrop(drop: DropLike): Promise<PickedFile[]> {
  const entries: EntryLike[] = [];
  const plain: File[] = [];
  const items = drop.items ? Array.from(drop.items) : [];
  for (const item of items) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.() ?? null;
    if (entry) entries.push(entry);
    else {
      const file = item.getAsFile();
      if (file) plain.push(file);
    }
  }
  if (items.length === 0) plain.push(...Array.from(drop.files));
  return (async () => {
    const out: PickedFile[] = plain.map((file) => ({ path: file.name, file }));
    for (const entry of entries) await walk(entry, '', out);
    return out.slice(0, MAX_PICKED);
  })();
}

/** The files of a file or folder input. */
export function filesFromInput(list: ArrayLike<File>): PickedFile[] {
  return Array.from(list)
    .slice(0, MAX_PICKED)
    .map((file) => {
      const relative = (file as File & { webkitRelativePath?: string }).webkitRelativePath;
      return { path: relative && relative.length > 0 ? relative : file.name, file };
    });
}

/** The last part of a relative path. */
export function baseName(path: string): string {
  const at = path.lastIndexOf('/');
  return at >= 0 ? path.slice(at + 1) : path;
}
