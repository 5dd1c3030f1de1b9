// Resume of a file transfer at full size (make soak; cases/transfer_resume.mjs):
// a 150 MiB file broken at 50 % by a crash of either browser, a SIGKILL of the
// receiving daemon, and a network cut held 20 s after both pages say Paused
// (about 32 s in all, near the 30 s connection timeout that counts from the pause).
// Run: node lab/run.mjs lab/soak/transfer_resume.test.mjs

import { labSuite } from '../lib/index.mjs';
import { kMiB, resumeTests } from '../cases/transfer_resume.mjs';

await labSuite('file transfer resume, full size', () => resumeTests({ fileBytes: 150 * kMiB, cutMs: 20_000 }));
