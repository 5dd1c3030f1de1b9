import { describe, expect, it } from 'vitest';
import { demuxControl, logsTransferMessage } from '../../src/peer/controlDemux';

describe('demuxControl', () => {
  it('tells hello, chat, transfer and malformed frames apart', () => {
    expect(demuxControl('{"t":"hello","v":1,"name":"Bob"}')).toEqual({ kind: 'hello', message: { t: 'hello', v: 1, name: 'Bob' } });
    expect(demuxControl('{"t":"chat","id":"c1","text":"hi","sentAt":5}').kind).toBe('chat');
    expect(demuxControl('{"t":"chat_ack","id":"c1"}').kind).toBe('chat');
    const tid = 'T'.repeat(22);
    expect(demuxControl(JSON.stringify({ t: 'xfer_resume', tid }))).toEqual({ kind: 'transfer', message: { t: 'xfer_resume', tid } });
    expect(demuxControl('not json')).toEqual({ kind: 'malformed', text: 'not json' });
    expect(demuxControl('{"t":"nope"}').kind).toBe('malformed');
  });

  it('logs transfer messages but not the frequent acks and file ends', () => {
    const tid = 'T'.repeat(22);
    expect(logsTransferMessage({ t: 'xfer_resume', tid })).toBe(true);
    expect(logsTransferMessage({ t: 'xfer_ack', tid, i: 0, durable: 0, credit: 0 })).toBe(false);
  });
});
