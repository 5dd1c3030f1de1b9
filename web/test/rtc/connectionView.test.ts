import { describe, expect, it } from 'vitest';
import type { ConnectionStateName } from '../../src/rtc/connectionMachine';
import { describeConnection } from '../../src/rtc/connectionView';

const ctx = { peerName: 'Bob', failure: null, ended: null, notice: null };
const ALL: ConnectionStateName[] = ['idle', 'requesting', 'incoming', 'connecting', 'connected', 'reconnecting', 'failed', 'declined', 'closed'];
const where = (pick: (s: ConnectionStateName) => boolean) => ALL.filter(pick);

describe('describeConnection: what the components read instead of state names', () => {
  it('offers Dismiss after an attempt that is over, and nowhere else', () => {
    expect(where((s) => describeConnection(s, ctx).actions.dismiss)).toEqual(['failed', 'declined', 'closed']);
  });

  it('offers Forget when no connection is live or being made', () => {
    expect(where((s) => describeConnection(s, ctx).actions.forget)).toEqual(['idle', 'failed', 'declined', 'closed']);
  });

  it('is live only when connected, shows the quality while connected or reconnecting, and is idle only in idle', () => {
    expect(where((s) => describeConnection(s, ctx).live)).toEqual(['connected']);
    expect(where((s) => describeConnection(s, ctx).showsQuality)).toEqual(['connected', 'reconnecting']);
    expect(where((s) => describeConnection(s, ctx).idle)).toEqual(['idle']);
  });
});
