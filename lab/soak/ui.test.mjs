// The web UI's long network cuts (make soak; cases/ui.mjs): 20 s, long enough
// that the UI must restart ICE, of all traffic and of UDP only; the
// connection recovers without the user and messages typed meanwhile arrive.
// Run: node lab/run.mjs lab/soak/ui.test.mjs

import { labSuite } from '../lib/index.mjs';
import { kNetworkCuts, networkCutTest } from '../cases/ui.mjs';

await labSuite('web UI end to end, long network cuts', () => {
  for (const cut of kNetworkCuts.filter((c) => c.restart)) networkCutTest(cut);
});
