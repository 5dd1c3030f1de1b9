import { describe, expect, it } from 'vitest';
import { parseControlMessage } from '../../src/chat/controlProtocol';
import {
  DAEMON_HEADER_BYTES,
  DATA_HEADER_BYTES,
  channelLabel,
  decodeDaemonFrame,
  decodeDataHeader,
  encodeDaemonFrame,
  encodeDataMessage,
  encodeDataMessageInto,
  isTid,
  newTid,
  offerFrames,
  payloadSize,
  rewriteAsDaemonFrame,
  tidOfLabel,
  type OfferedFile,
} from '../../src/transfer/wire';

const TID = 'abcdefghijklmnopqrstuv';

describe('data message header', () => {
  it('is u8 version | u32 index | u64 offset, big-endian, 13 bytes', () => {
    const message = encodeDataMessage(7, 2 ** 40 + 5, new Uint8Array([1, 2, 3]));
    expect(message.byteLength).toBe(DATA_HEADER_BYTES + 3);
    expect([...message.subarray(0, 13)]).toEqual([1, 0, 0, 0, 7, 0, 0, 1, 0, 0, 0, 0, 5]);
    expect(decodeDataHeader(message.buffer)).toEqual({ index: 7, offset: 2 ** 40 + 5, length: 3 });
  });

  it('can be written into a reused buffer: the view returned is exactly the message', () => {
    const scratch = new Uint8Array(64).fill(0xee);
    const first = encodeDataMessageInto(scratch, 7, 2 ** 40 + 5, new Uint8Array([1, 2, 3]));
    expect(first.buffer).toBe(scratch.buffer);
    expect([...first]).toEqual([...encodeDataMessage(7, 2 ** 40 + 5, new Uint8Array([1, 2, 3]))]);
    const second = encodeDataMessageInto(scratch, 1, 9, new Uint8Array([4]));
    expect([...second]).toEqual([...encodeDataMessage(1, 9, new Uint8Array([4]))]);
    expect(() => encodeDataMessageInto(new Uint8Array(15), 0, 0, new Uint8Array(3))).toThrow(RangeError);
  });

  it('refuses short messages and other versions', () => {
    expect(decodeDataHeader(new ArrayBuffer(12))).toBeNull();
    const message = encodeDataMessage(0, 0, new Uint8Array(1));
    message[0] = 2;
    expect(decodeDataHeader(message.buffer)).toBeNull();
  });

  it('becomes a daemon frame in place: u32 handle | u64 offset | the same bytes, no copy', () => {
    const payload = new Uint8Array([9, 8, 7, 6, 5]);
    const message = encodeDataMessage(3, 100, payload);
    const frame = rewriteAsDaemonFrame(message.buffer, 0xdeadbeef, 100);
    expect(frame.buffer).toBe(message.buffer); // a view, not a copy
    expect(frame.byteLength).toBe(DAEMON_HEADER_BYTES + 5);
    expect(decodeDaemonFrame(frame)).toEqual({ handle: 0xdeadbeef, offset: 100, payload });
  });

  it('skips bytes the daemon already holds (an overlap after a resume)', () => {
    const message = encodeDataMessage(0, 100, new Uint8Array([1, 2, 3, 4, 5]));
    const frame = rewriteAsDaemonFrame(message.buffer, 2, 103, 3);
    const decoded = decodeDaemonFrame(frame)!;
    expect(decoded.offset).toBe(103);
    expect([...decoded.payload]).toEqual([4, 5]);
    expect([...encodeDaemonFrame(2, 103, new Uint8Array([4, 5]))]).toEqual([...frame]);
  });
});

describe('message size', () => {
  it('is min(maxMessageSize, 256 KiB) minus the header, 64 KiB when unknown', () => {
    expect(payloadSize(262_144)).toBe(262_144 - 13);
    expect(payloadSize(1_073_741_823)).toBe(262_144 - 13);
    expect(payloadSize(65_536)).toBe(65_536 - 13);
    expect(payloadSize(null)).toBe(65_536 - 13);
    expect(payloadSize(undefined)).toBe(65_536 - 13);
    expect(payloadSize(0)).toBe(262_144 - 13); // 0: the peer set no limit
    expect(payloadSize(Infinity)).toBe(262_144 - 13);
  });
});

describe('transfer ids and labels', () => {
  it('makes 22-character base64url ids and labels xfer:<tid>', () => {
    const tid = newTid();
    expect(tid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(isTid(tid)).toBe(true);
    expect(tidOfLabel(channelLabel(tid))).toBe(tid);
    expect(tidOfLabel('control')).toBeNull();
    expect(tidOfLabel('xfer:short')).toBeNull();
    expect(isTid('a'.repeat(33))).toBe(false);
  });
});

describe('control messages', () => {
  it('parses every xfer_* kind from a control frame', () => {
    const frames = [
      { t: 'xfer_offer', tid: TID, files: [{ i: 0, path: 'photos/a.jpg', size: 3, mtime: 5 }], total: 3 },
      { t: 'xfer_accept', tid: TID, resume: [{ i: 0, offset: 0 }] },
      { t: 'xfer_decline', tid: TID, reason: 'declined' },
      { t: 'xfer_cancel', tid: TID, reason: 'cancelled' },
      { t: 'xfer_resume', tid: TID },
      { t: 'xfer_file_end', tid: TID, i: 0, size: 3, sha256: 'a'.repeat(64) },
      { t: 'xfer_ack', tid: TID, i: 0, durable: 1, credit: 16 },
      { t: 'xfer_file_done', tid: TID, i: 0, ok: true, name: 'photos/a.jpg' },
      { t: 'xfer_file_done', tid: TID, i: 0, ok: false, error: 'hash_mismatch' },
    ];
    for (const frame of frames) expect(parseControlMessage(JSON.stringify(frame))).toEqual(frame);
  });

  it('refuses malformed ones', () => {
    const bad = [
      { t: 'xfer_resume', tid: 'short' },
      { t: 'xfer_offer', tid: 'short', files: [{ i: 0, path: 'a', size: 1 }], total: 1 },
      { t: 'xfer_offer', tid: TID, files: 'a', total: 1 },
      { t: 'xfer_ack', tid: TID, i: 0, durable: 1.5, credit: 0 },
      { t: 'xfer_file_end', tid: TID, i: 0, size: 3, sha256: 'XYZ' },
      { t: 'xfer_accept', tid: TID, resume: [{ i: 0 }] },
      { t: 'xfer_nonsense', tid: TID },
    ];
    for (const frame of bad) expect(parseControlMessage(JSON.stringify(frame))).toBeNull();
  });

  it('marks an offer whose files this page cannot take as unreadable, so the receiver can decline it', () => {
    const unreadable = [
      [{ i: 0, path: '', size: 1 }],
      [{ i: 0, path: 'a', size: -1 }],
      [{ i: 0, path: `${'x'.repeat(250)}/`.repeat(17) + 'longer.txt', size: 1 }],
      [{ i: 0, path: 'ok.txt', size: 1 }, { i: 1, path: 'lone\ud800surrogate.txt', size: 1 }],
      [{ i: 0, path: 'x\udc00', size: 1 }],
    ];
    for (const files of unreadable) {
      expect(parseControlMessage(JSON.stringify({ t: 'xfer_offer', tid: TID, files, total: 2 }))).toEqual({
        t: 'xfer_offer', tid: TID, files: [], total: 2, unreadable: true,
      });
    }
    const pair = parseControlMessage(JSON.stringify({ t: 'xfer_offer', tid: TID, files: [{ i: 0, path: '😀.txt', size: 1 }], total: 1 }));
    expect(pair).toEqual({ t: 'xfer_offer', tid: TID, files: [{ i: 0, path: '😀.txt', size: 1 }], total: 1 });
  });

  it('cuts a large offer into frames (more: true on all but the last) that add up to it', () => {
    const files: OfferedFile[] = Array.from({ length: 3000 }, (_, i) => ({ i, path: `folder/sub/file-${i}.txt`, size: i }));
    const frames = offerFrames(TID, files, 20_000);
    expect(frames.length).toBeGreaterThan(3);
    const parsed = frames.map((f) => {
      expect(f.length).toBeLessThanOrEqual(20_000);
      return parseControlMessage(f)!;
    });
    const all = parsed.flatMap((m) => (m.t === 'xfer_offer' ? m.files : []));
    expect(all).toEqual(files);
    expect(parsed.slice(0, -1).every((m) => m.t === 'xfer_offer' && m.more === true)).toBe(true);
    const last = parsed.at(-1)!;
    expect(last.t === 'xfer_offer' && last.more).toBeFalsy();
    expect(last.t === 'xfer_offer' && last.total).toBe(files.reduce((s, f) => s + f.size, 0));
    expect(offerFrames(TID, files.slice(0, 2))).toHaveLength(1);
  });
});
