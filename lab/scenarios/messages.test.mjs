// Messages daemon to daemon (cases/messages.mjs): 200 each way, a message to
// a stopped daemon, histories across restarts. The soak set sends 1,000 each
// way with a daemon SIGKILLed in the middle (soak/messages.test.mjs).
// Run: node lab/run.mjs lab/scenarios/messages.test.mjs

import { labSuite } from '../lib/index.mjs';
import { exchangeTest, stoppedPeerTest } from '../cases/messages.mjs';

await labSuite('messages daemon to daemon', () => {
  exchangeTest({ count: 200, restartMidway: false, timeoutMinutes: 2 });
  exchangeTest({ count: 200, restartMidway: true, timeoutMinutes: 2 });
  stoppedPeerTest();
});
