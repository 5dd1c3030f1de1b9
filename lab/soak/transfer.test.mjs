// File transfer at full size (make soak): the scenarios that
// scenarios/transfer.test.mjs runs on a few MiB, with the same assertions:
// 300 MiB among 3 files and a folder, 1 GiB with bounded memory in both tabs
// and the receiving daemon, 100 MiB over a link with 30 ms delay and 3 % loss.
// Run: node lab/run.mjs lab/soak/transfer.test.mjs

import { labSuite } from '../lib/index.mjs';
import { boundedMemoryTest, filesAndFolderTest, kGiB, kMiB, lossyLinkTest } from '../cases/transfer.mjs';

await labSuite('file transfer end to end, full size', () => {
  filesAndFolderTest({ bigBytes: 300 * kMiB, timeoutMinutes: 12 });
  boundedMemoryTest({ bytes: kGiB, timeoutMinutes: 15 });
  lossyLinkTest({ bytes: 100 * kMiB, timeoutMinutes: 20 });
});
