import { describe, expect, it } from 'vitest';
import { filesFromDrop, filesFromInput } from '../../src/transfer/pickFiles';

function fileEntry(name: string) {
  const file = { name, size: name.length } as unknown as File;
  return { isFile: true, isDirectory: false, name, file: (ok: (f: File) => void) => ok(file) };
}
function dirEntry(name: string, children: unknown[], batch = 2) {
  return {
    isFile: false,
    isDirectory: true,
    name,
    createReader: () => {
      let at = 0;
      return {
        readEntries: (ok: (entries: unknown[]) => void) => {
          const part = children.slice(at, at + batch);
          at += batch;
          ok(part);
        },
      };
    },
  };
}

describe('picking files', () => {
  it('walks dropped folders (in batches) keeping relative paths', async () => {
    const tree = dirEntry('photos', [fileEntry('b.jpg'), fileEntry('a.jpg'), dirEntry('2024', [fileEntry('c.jpg')]), fileEntry('d.jpg')]);
    const items = [
      { kind: 'file', webkitGetAsEntry: () => tree, getAsFile: () => null },
      { kind: 'file', webkitGetAsEntry: () => fileEntry('top.txt'), getAsFile: () => null },
      { kind: 'string', getAsFile: () => null },
    ];
    const picked = await filesFromDrop({ items, files: [] } as never);
    expect(picked.map((p) => p.path)).toEqual(['photos/2024/c.jpg', 'photos/a.jpg', 'photos/b.jpg', 'photos/d.jpg', 'top.txt']);
  });

  it('takes webkitRelativePath from a folder input, else the name', () => {
    const a = { name: 'a.txt', webkitRelativePath: 'docs/a.txt' } as unknown as File;
    const b = { name: 'b.txt', webkitRelativePath: '' } as unknown as File;
    expect(filesFromInput([a, b]).map((p) => p.path)).toEqual(['docs/a.txt', 'b.txt']);
  });
});
