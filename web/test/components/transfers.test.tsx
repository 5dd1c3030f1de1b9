// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileRequestDialog } from '../../src/components/FileRequestDialog';
import { ReceivedFiles } from '../../src/components/ReceivedFiles';
import { DaemonApi } from '../../src/daemon/api';
import { TransferProgress } from '../../src/components/TransferProgress';
import { DropZone } from '../../src/components/DropZone';
import type { TransferView } from '../../src/transfer/transferView';

afterEach(cleanup);

function view(extra: Partial<TransferView> = {}): TransferView {
  return {
    tid: 'T'.repeat(22),
    peerId: 'ID-BOB',
    peerName: 'Bob',
    direction: 'out',
    phase: 'running',
    pause: null,
    stateText: 'Sending',
    problem: null,
    files: [
      { i: 0, path: 'a.txt', size: 1000, done: 1000, status: 'verified', name: 'a.txt', error: null, missing: false },
      { i: 1, path: 'photos/b.jpg', size: 4000, done: 1000, status: 'sending', name: null, error: null, missing: false },
    ],
    fileCount: 2,
    total: 5000,
    bytesDone: 2000,
    bytesMoved: 2500,
    speed: 2 * 1024 * 1024,
    etaSeconds: 12,
    verified: false,
    canCancel: true,
    canDismiss: false,
    missingFiles: [],
    createdAt: 1,
    ...extra,
  };
}

describe('FileRequestDialog', () => {
  it('is a dialog named "Files from Bob" listing names, sizes and the total', () => {
    render(<FileRequestDialog offer={view({ direction: 'in', phase: 'offered' })} onAccept={vi.fn()} onDecline={vi.fn()} />);
    const dialog = screen.getByRole('dialog', { name: 'Files from Bob' });
    const items = within(within(dialog).getByRole('list', { name: 'Offered files' })).getAllByRole('listitem');
    expect(items.map((li) => li.textContent)).toEqual(['a.txt 1000 B', 'photos/b.jpg 3.9 KB']);
    expect(dialog.textContent).toContain('Total: 4.9 KB');
  });

  it('shows no bidi override or control character of a name from the peer ("photo\\u202Egpj.exe" must not read "photoexe.jpg")', () => {
    const files = [{ i: 0, path: 'photo\u202Egpj.exe', size: 12, done: 0, status: 'waiting' as const, name: null, error: null, missing: false },
      { i: 1, path: 'bell\u0007\u009b.txt', size: 1, done: 0, status: 'waiting' as const, name: null, error: null, missing: false }];
    render(<FileRequestDialog offer={view({ direction: 'in', phase: 'offered', files, fileCount: 2, total: 13 })} onAccept={vi.fn()} onDecline={vi.fn()} />);
    const items = within(screen.getByRole('list', { name: 'Offered files' })).getAllByRole('listitem');
    expect(items.map((li) => li.textContent)).toEqual(['photogpj.exe 12 B', 'bell.txt 1 B']);
  });

  it('Accept with "Always accept connections and files from Bob" checked, and Decline', () => {
    const onAccept = vi.fn();
    const onDecline = vi.fn();
    render(<FileRequestDialog offer={view({ direction: 'in', phase: 'offered' })} onAccept={onAccept} onDecline={onDecline} />);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Always accept connections and files from Bob' }));
    fireEvent.click(screen.getByRole('button', { name: 'Accept' }));
    expect(onAccept).toHaveBeenCalledWith(true);
    fireEvent.click(screen.getByRole('button', { name: 'Decline' }));
    expect(onDecline).toHaveBeenCalled();
  });
});

describe('TransferProgress', () => {
  it('has a progress bar per file and one for the whole request, with speed and time left', () => {
    render(<TransferProgress view={view()} onCancel={vi.fn()} onDismiss={vi.fn()} onReselect={vi.fn()} />);
    expect(screen.getByRole('progressbar', { name: 'Progress of a.txt' }).getAttribute('aria-valuenow')).toBe('100');
    expect(screen.getByRole('progressbar', { name: 'Progress of photos/b.jpg' }).getAttribute('aria-valuenow')).toBe('25');
    expect(screen.getByRole('progressbar', { name: 'Total progress' }).getAttribute('aria-valuenow')).toBe('40');
    const text = document.body.textContent ?? '';
    expect(text).toContain('2.0 MB/s');
    expect(text).toContain('12 s left');
    expect(screen.getByRole('status').textContent).toBe('Sending');
  });

  it('Cancel transfer calls back; a finished one shows Done · Verified and can be removed', () => {
    const onCancel = vi.fn();
    const { rerender } = render(<TransferProgress view={view()} onCancel={onCancel} onDismiss={vi.fn()} onReselect={vi.fn()} />);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel transfer' }));
    expect(onCancel).toHaveBeenCalled();
    rerender(
      <TransferProgress
        view={view({ phase: 'done', stateText: 'Done', verified: true, canCancel: false, canDismiss: true })}
        onCancel={onCancel}
        onDismiss={vi.fn()}
        onReselect={vi.fn()}
      />,
    );
    expect(screen.getByRole('status').textContent).toBe('Done \u00b7 Verified');
    expect(screen.queryByRole('button', { name: 'Cancel transfer' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Remove from the list' })).toBeTruthy();
  });

  it('says what went wrong in plain words, and asks for missing files after a reload', () => {
    render(
      <TransferProgress
        view={view({
          phase: 'paused',
          pause: 'files',
          stateText: 'Paused \u2014 select the file again to resume',
          problem: 'photos/b.jpg: The file was damaged on the way (checksum mismatch); send it again',
          missingFiles: ['photos/b.jpg'],
        })}
        onCancel={vi.fn()}
        onDismiss={vi.fn()}
        onReselect={vi.fn()}
      />,
    );
    expect(screen.getByRole('alert').textContent).toContain('checksum mismatch');
    expect(screen.getByRole('button', { name: 'Select the files again' })).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe('Paused \u2014 select the file again to resume');
  });
});

describe('ReceivedFiles', () => {
  it('is a list named "Received files" with links to download each file, and the download folder', () => {
    render(
      <ReceivedFiles
        files={[{ name: 'photos/a b.jpg', size: 2048, sha256: 'x', from: 'ID-BOB', receivedAt: 0 }]}
        downloadDir="/home/alice/Downloads/PeerDrop"
        peerName={() => 'Bob'}
        downloadUrl={(name) => new DaemonApi(undefined, 'KEY').downloadUrl(name)}
        now={0}
      />,
    );
    const list = screen.getByRole('list', { name: 'Received files' });
    const link = within(list).getByRole('link', { name: 'photos/a b.jpg' });
    expect(link.getAttribute('href')).toBe('/api/files/download?name=photos%2Fa%20b.jpg&token=KEY');
    expect(list.textContent).toContain('2.0 KB');
    expect(list.textContent).toContain('from Bob');
    expect(document.body.textContent).toContain('/home/alice/Downloads/PeerDrop');
  });
});

describe('DropZone', () => {
  it('offers Choose files and Choose a folder while connected, and nothing while not', () => {
    const { rerender } = render(<DropZone peerName="Bob" enabled={true} onFiles={vi.fn()} />);
    expect(screen.getByRole('group', { name: 'Send files to Bob' })).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Choose files' }) as HTMLButtonElement).disabled).toBe(false);
    rerender(<DropZone peerName="Bob" enabled={false} onFiles={vi.fn()} />);
    expect((screen.getByRole('button', { name: 'Choose a folder' }) as HTMLButtonElement).disabled).toBe(true);
    expect(document.body.textContent).toContain('Connect to Bob to send files.');
  });

  it('passes chosen files on with their names as paths', () => {
    const onFiles = vi.fn();
    render(<DropZone peerName="Bob" enabled={true} onFiles={onFiles} />);
    const file = new File(['hello'], 'hello.txt');
    fireEvent.change(screen.getByLabelText('Files to send'), { target: { files: [file] } });
    expect(onFiles).toHaveBeenCalledWith([{ path: 'hello.txt', file }]);
  });
});
