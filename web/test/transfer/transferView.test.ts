import { describe, expect, it } from 'vitest';
import type { FileResult } from '../../src/transfer/FileReceiver';
import { initialStatus, transferReducer, type TransferEvent } from '../../src/transfer/transferState';
import { transferView, type FileBytes, type TransferFacts } from '../../src/transfer/transferView';

const status = (...events: TransferEvent[]) => events.reduce(transferReducer, initialStatus());
const FILES = [
  { i: 0, path: 'a.txt', size: 10 },
  { i: 1, path: 'b.txt', size: 20 },
  { i: 2, path: 'c.txt', size: 30 },
];

function facts(over: Partial<TransferFacts> = {}, bytes: Record<number, FileBytes> = {}): TransferFacts {
  return {
    tid: 'T',
    peerId: 'BOB',
    peerName: 'Bob',
    direction: 'out',
    status: status({ type: 'RUNNING' }),
    files: FILES,
    total: 60,
    createdAt: 1,
    results: new Map<number, FileResult>(),
    missing: [],
    bytesDone: 0,
    bytesMoved: 0,
    speed: null,
    fileBytes: (i) => bytes[i] ?? { durable: 0, moved: false },
    ...over,
  };
}

describe('transferView', () => {
  it('each file: verified or failed by its result, checking when all its bytes are held, sending once bytes moved', () => {
    const results = new Map<number, FileResult>([[0, { ok: true, name: 'a (1).txt' }]]);
    const view = transferView(facts({ results }, { 1: { durable: 20, moved: true }, 2: { durable: 5, moved: true } }));
    expect(view.files.map((f) => [f.status, f.done, f.name])).toEqual([
      ['verified', 10, 'a (1).txt'],
      ['checking', 20, null],
      ['sending', 5, null],
    ]);
    const receiving = transferView(facts({ direction: 'in' }, { 2: { durable: 0, moved: true } }));
    expect(receiving.files[2]!.status).toBe('receiving');
    expect(receiving.stateText).toBe('Receiving');
  });

  it('files wait while the transfer is not running or resuming', () => {
    const view = transferView(facts({ status: status({ type: 'RUNNING' }, { type: 'PAUSE', reason: 'connection' }) }, { 1: { durable: 20, moved: true } }));
    expect(view.files.map((f) => f.status)).toEqual(['waiting', 'waiting', 'waiting']);
    expect(view.etaSeconds).toBeNull();
  });

  it('a failed file is the problem of a live transfer; a failed transfer says it in its words instead', () => {
    const results = new Map<number, FileResult>([[1, { ok: false, error: 'hash_mismatch' }]]);
    expect(transferView(facts({ results })).problem).toBe('b.txt: The file was damaged on the way (checksum mismatch); send it again');
    const failed = status({ type: 'RUNNING' }, { type: 'FAIL', reason: 'read_error', text: 'Could not read a.txt' });
    const view = transferView(facts({ results, status: failed }));
    expect(view.problem).toBeNull();
    expect(view.stateText).toBe('Failed: Could not read a.txt');
    expect([view.canCancel, view.canDismiss, view.verified]).toEqual([false, true, false]);
  });

  it('names the files to select again, and says Checking\u2026 once the sender sent everything', () => {
    const view = transferView(facts({ missing: [FILES[2]!], status: status({ type: 'RUNNING' }, { type: 'ALL_SENT' }) }));
    expect(view.missingFiles).toEqual(['c.txt']);
    expect(view.files[2]!.missing).toBe(true);
    expect(view.stateText).toBe('Checking\u2026');
  });

  it('the time left comes from the bytes not yet held and the speed', () => {
    const view = transferView(facts({ bytesDone: 20, speed: 10 }));
    expect(view.etaSeconds).toBe(4);
  });
});
