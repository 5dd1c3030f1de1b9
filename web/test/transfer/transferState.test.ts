import { describe, expect, it } from 'vitest';
import { initialStatus, phaseText, transferReducer, type TransferEvent } from '../../src/transfer/transferState';

const run = (...events: TransferEvent[]) => events.reduce(transferReducer, initialStatus());

describe('transfer reducer: the facts that go with the phase', () => {
  it('starts with nothing accepted, sent, owed or failed', () => {
    expect(initialStatus()).toMatchObject({ accepted: false, allSent: false, cancelPending: null, failure: null });
  });

  it('ACCEPT here and PEER_ACCEPTED at the sender mark the transfer accepted; PEER_ACCEPTED keeps the phase', () => {
    expect(run({ type: 'ACCEPT' })).toMatchObject({ phase: 'accepting', accepted: true });
    expect(run({ type: 'PEER_ACCEPTED' })).toMatchObject({ phase: 'offered', accepted: true });
    expect(run({ type: 'RUNNING' }, { type: 'PAUSE', reason: 'connection' }, { type: 'PEER_ACCEPTED' })).toMatchObject({ phase: 'paused', accepted: true });
  });

  it('ALL_SENT and SEND_START set and clear "every byte sent"; the sender then says Checking…', () => {
    const sent = run({ type: 'RUNNING' }, { type: 'ALL_SENT' });
    expect(sent.allSent).toBe(true);
    expect(phaseText(sent, 'out', 'Bob')).toBe('Checking\u2026');
    expect(phaseText(sent, 'in', 'Bob')).toBe('Receiving');
    expect(phaseText(transferReducer(sent, { type: 'RESUMING' }), 'out', 'Bob')).toBe('Resuming');
    const again = transferReducer(sent, { type: 'SEND_START' });
    expect(again.allSent).toBe(false);
    expect(phaseText(again, 'out', 'Bob')).toBe('Sending');
  });

  it('FAIL keeps its text as the failure, shown in the words', () => {
    const failed = run({ type: 'RUNNING' }, { type: 'FAIL', reason: 'read_error', text: 'Could not read a.txt' });
    expect(failed).toMatchObject({ phase: 'failed', reason: 'read_error', failure: 'Could not read a.txt' });
    expect(phaseText(failed, 'out', 'Bob')).toBe('Failed: Could not read a.txt');
    expect(phaseText(run({ type: 'FAIL', reason: 'disk_full' }), 'in', 'Bob')).toBe('Failed: There is not enough space on the receiving computer');
  });

  it('an owed cancel is noted and cleared, also after the end (it is delivered later)', () => {
    const owed = run({ type: 'RUNNING' }, { type: 'OWE_CANCEL', reason: 'cancelled' }, { type: 'CANCEL', reason: 'cancelled', byPeer: false });
    expect(owed).toMatchObject({ phase: 'cancelled', cancelPending: 'cancelled' });
    expect(transferReducer(owed, { type: 'CANCEL_DELIVERED' })).toMatchObject({ phase: 'cancelled', cancelPending: null });
    const failed = run({ type: 'FAIL', reason: 'read_error' }, { type: 'OWE_CANCEL', reason: 'read_error' });
    expect(failed.cancelPending).toBe('read_error');
  });

  it('RESTORED takes a fresh record to paused with its reason and acceptance, and nothing else', () => {
    expect(run({ type: 'RESTORED', accepted: false, pause: 'files' })).toMatchObject({ phase: 'paused', pause: 'files', accepted: false });
    expect(run({ type: 'RESTORED', accepted: true, pause: 'connection' })).toMatchObject({ phase: 'paused', pause: 'connection', accepted: true });
    const running = run({ type: 'RUNNING' });
    expect(transferReducer(running, { type: 'RESTORED', accepted: true, pause: 'connection' })).toBe(running);
  });

  it('an event that changes nothing returns the same status; the flags stay put after the end', () => {
    const sent = run({ type: 'RUNNING' }, { type: 'ALL_SENT' });
    expect(transferReducer(sent, { type: 'ALL_SENT' })).toBe(sent);
    const accepted = run({ type: 'PEER_ACCEPTED' });
    expect(transferReducer(accepted, { type: 'PEER_ACCEPTED' })).toBe(accepted);
    const done = run({ type: 'RUNNING' }, { type: 'DONE' });
    expect(transferReducer(done, { type: 'ALL_SENT' })).toBe(done);
    expect(transferReducer(done, { type: 'PEER_ACCEPTED' })).toBe(done);
    expect(transferReducer(done, { type: 'CANCEL_DELIVERED' })).toBe(done);
  });
});
