// The transfer lane at full size (make soak): the scenarios that
// scenarios/lane.test.mjs runs small, with the same assertions: 1 GiB with
// both daemons SIGKILLed mid-file, 512 MiB across a 20 s network cut, a
// folder of 10,000 small files, an offer a tab opened 30 s later shows.
// Run: node lab/run.mjs lab/soak/lane.test.mjs

import { labSuite } from '../lib/index.mjs';
import { kGiB, kMiB, killResumeTest, laterTabTest, manyFilesTest, networkCutTest } from '../cases/lane.mjs';

await labSuite('transfer lane, full size', () => {
  killResumeTest({ bytes: kGiB, mbit: 800, timeoutMinutes: 8 });
  networkCutTest({ bytes: 512 * kMiB, mbit: 400, cutMs: 20_000, timeoutMinutes: 8 });
  manyFilesTest({ count: 10_000, timeoutMinutes: 8 });
  laterTabTest({ delayMs: 30_000 });
});
