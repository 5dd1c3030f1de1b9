import { describe, expect, it } from 'vitest';
import { parseLaneTransfer, parseLaneUploadTransfer, isLaneTid } from '../../src/daemon/laneProtocol';
import { parseDaemonMessage } from '../../src/daemon/protocol';

const T = {
  tid: 'tA1',
  direction: 'outgoing',
  peer: 'BOBID',
  peer_name: 'bob',
  state: 'accepted',
  file_count: 2,
  total_bytes: 1000,
  done_bytes: 450,
  files_landed: 1,
  created_at: 1_000,
  updated_at: 2_000,
};

describe('the transfers push', () => {
  it('reads transfers and offers with every field', () => {
    const offer = { ...T, tid: 'o1', direction: 'incoming', state: 'offered', expires_at: 601_000, files: [{ path: 'a/b.txt', size: 10 }] };
    const message = parseDaemonMessage(
      JSON.stringify({
        type: 'transfers',
        transfers: [{ ...T, code: 'x', reason: 'Disk full', answered_by: 'command line', stalled: 'The receiver\u2019s disk is full', source: 'page' }, offer],
        offers: [offer],
      }),
    );
    expect(message?.type).toBe('transfers');
    if (message?.type !== 'transfers') return;
    expect(message.transfers[0]).toEqual({
      tid: 'tA1',
      direction: 'outgoing',
      peer: 'BOBID',
      peerName: 'bob',
      state: 'accepted',
      fileCount: 2,
      totalBytes: 1000,
      doneBytes: 450,
      filesLanded: 1,
      createdAt: 1000,
      updatedAt: 2000,
      code: 'x',
      reason: 'Disk full',
      answeredBy: 'command line',
      stalled: 'The receiver\u2019s disk is full',
      source: 'page',
    });
    expect(message.offers).toHaveLength(1);
    expect(message.offers[0]!.files).toEqual([{ path: 'a/b.txt', size: 10 }]);
    expect(message.offers[0]!.expiresAt).toBe(601_000);
  });

  it('ignores a message whose lists are not lists, and hostile frames, without throwing', () => {
    for (const text of [
      '{"type":"transfers"}',
      '{"type":"transfers","transfers":{}}',
      '{"type":"transfers","transfers":"x"}',
      '{"type":"transfers","transfers":null}',
      '{"type":"transfers","transfers":[],"__proto__":{"polluted":1}',
      'not json',
      '[]',
      'null',
    ]) {
      expect(() => parseDaemonMessage(text)).not.toThrow();
      expect(parseDaemonMessage(text)).toBeNull();
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('leaves out malformed entries and keeps the good ones', () => {
    const bad = [
      null,
      7,
      'x',
      [],
      { ...T, tid: '' },
      { ...T, tid: '../../api/settings' },
      { ...T, tid: 'a'.repeat(200) },
      { ...T, tid: 5 },
      { ...T, direction: 'sideways' },
      { ...T, state: 'exploded' },
      { ...T, state: 'toString' },
      { ...T, peer: '' },
      { ...T, peer: { id: 1 } },
      { ...T, file_count: -1 },
      { ...T, total_bytes: Number.NaN },
      { ...T, total_bytes: '1000' },
      { ...T, total_bytes: null },
    ];
    const message = parseDaemonMessage(JSON.stringify({ type: 'transfers', transfers: [...bad, T], offers: bad }));
    expect(message?.type).toBe('transfers');
    if (message?.type !== 'transfers') return;
    expect(message.transfers.map((t) => t.tid)).toEqual(['tA1']);
    expect(message.offers).toEqual([]);
  });

  it('clamps counts and caps texts; unknown answered_by is dropped; duplicate tids count once', () => {
    const t = parseLaneTransfer({ ...T, done_bytes: 5_000, files_landed: 9, reason: 'r'.repeat(10_000), answered_by: 'mallory', peer_name: 42 });
    expect(t?.doneBytes).toBe(1000);
    expect(t?.filesLanded).toBe(2);
    expect(t!.reason!.length).toBeLessThan(600);
    expect(t?.answeredBy).toBeUndefined();
    expect(t?.peerName).toBe('BOBID');
    const message = parseDaemonMessage(JSON.stringify({ type: 'transfers', transfers: [T, { ...T, state: 'done' }], offers: [] }));
    expect(message?.type === 'transfers' && message.transfers.map((x) => x.state)).toEqual(['accepted']);
  });

  it('offers: only incoming offered entries, at most 100 files each, bad files left out', () => {
    const files = [{ path: 'ok', size: 1 }, { path: '', size: 1 }, { path: 'neg', size: -1 }, 'x', ...Array.from({ length: 200 }, (_, i) => ({ path: `f${i}`, size: i }))];
    const message = parseDaemonMessage(
      JSON.stringify({
        type: 'transfers',
        transfers: [],
        offers: [
          { ...T, tid: 'o1', direction: 'incoming', state: 'offered', files },
          { ...T, tid: 'o2', direction: 'outgoing', state: 'offered' },
          { ...T, tid: 'o3', direction: 'incoming', state: 'accepted' },
          { ...T, tid: 'o4', direction: 'incoming', state: 'offered', files: 'nope' },
        ],
      }),
    );
    if (message?.type !== 'transfers') throw new Error('not parsed');
    expect(message.offers.map((o) => o.tid)).toEqual(['o1', 'o4']);
    expect(message.offers[0]!.files[0]).toEqual({ path: 'ok', size: 1 });
    expect(message.offers[0]!.files.length).toBeLessThanOrEqual(100);
    expect(message.offers[1]!.files).toEqual([]);
  });

  it('an upload transfer (POST/GET answer) has each file\u2019s uploaded, never over its size', () => {
    const t = parseLaneUploadTransfer({ ...T, source: 'page', files: [{ index: 0, path: 'a', size: 5, uploaded: 9 }, { index: 1, path: 'b', size: 5 }, { index: 'x' }] });
    expect(t?.files).toEqual([
      { index: 0, path: 'a', size: 5, uploaded: 5 },
      { index: 1, path: 'b', size: 5, uploaded: 0 },
    ]);
    expect(isLaneTid('abc_DEF-09')).toBe(true);
    expect(isLaneTid('a/b')).toBe(false);
  });
});
