import { describe, expect, it } from 'vitest';
import { describeRelay, peerRelayTitle } from '../../src/app/relayView';
import type { RelayStatus } from '../../src/daemon/protocol';

const relay = (patch: Partial<RelayStatus>): RelayStatus => ({ enabled: true, state: 'running', port: 3478, addresses: [], restarts: 0, ...patch });

describe('the relay in words', () => {
  it('running: where, and who can use it', () => {
    expect(describeRelay(relay({ addresses: ['198.51.100.12'] }))).toEqual({
      text: 'Relay: on, 198.51.100.12:3478 \u2014 computers you trust can connect with this one through it',
      problem: false,
    });
    expect(describeRelay(relay({ addresses: ['198.51.100.12', 'fd00::5'] })).text).toBe(
      'Relay: on, 198.51.100.12:3478, [fd00::5]:3478 \u2014 computers you trust can connect with this one through it',
    );
  });

  it('restarting with the daemon\u2019s reason; failed with what to do; off', () => {
    expect(describeRelay(relay({ state: 'restarting', reason: 'exited with code 1 after 0.3 s.' })).text).toBe(
      'Relay: restarting (exited with code 1 after 0.3 s)\u2026',
    );
    expect(describeRelay(relay({ state: 'restarting' })).text).toBe('Relay: restarting\u2026');
    const failed = describeRelay(relay({ state: 'failed', reason: 'turnserver was not found' }));
    expect(failed.problem).toBe(true);
    expect(failed.text).toBe(
      'Relay: could not start: turnserver was not found. Check that coturn (turnserver) is installed and that port 3478 ' +
        'is free on this computer, or turn the relay off in Settings.',
    );
    expect(describeRelay({ enabled: false, state: 'off', port: 0, addresses: [], restarts: 0 })).toEqual({ text: 'Relay: off', problem: false });
    expect(describeRelay(relay({ state: 'stopping' })).text).toBe('Relay: stopping\u2026');
    expect(describeRelay(relay({ enabled: false, state: 'stopping' })).text).toBe('Relay: stopping\u2026');
    expect(describeRelay(relay({ enabled: false, state: 'stopped' })).text).toBe('Relay: off');
    expect(describeRelay(relay({ state: 'warming up' })).text).toBe('Relay: warming up');
  });

  it('a peer\u2019s relay mark explains itself', () => {
    expect(peerRelayTitle('Carol', 'offered')).toBe(
      'Carol\u2019s computer runs a relay: a connection with Carol can go through it',
    );
    expect(peerRelayTitle('Carol', 'ready')).toMatch(/\(PeerDrop here can use it\)$/);
  });
});
