// Messages daemon to daemon at full size (make soak): 1,000 each way with
// b's daemon SIGKILLed and restarted in the middle, with the assertions of
// scenarios/messages.test.mjs (cases/messages.mjs).
// Run: node lab/run.mjs lab/soak/messages.test.mjs

import { labSuite } from '../lib/index.mjs';
import { exchangeTest } from '../cases/messages.mjs';

await labSuite('messages daemon to daemon, full size', () => {
  exchangeTest({ count: 1000, restartMidway: true, timeoutMinutes: 6 });
});
