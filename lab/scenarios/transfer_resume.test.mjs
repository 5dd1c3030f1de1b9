// Resume of a file transfer (issue 5, end to end 3; cases/transfer_resume.mjs):
// a 128 MiB file broken at 50 % by a crash of the receiving browser, of the
// sending browser, a SIGKILL of the receiving daemon, and a network cut held
// 3 s after both pages say Paused. The full size (150 MiB, the cut held 20 s
// more) runs in soak/transfer_resume.test.mjs (make soak).
// Run: node lab/run.mjs lab/scenarios/transfer_resume.test.mjs   (one case: add --test-name-pattern=daemon)

import { labSuite } from '../lib/index.mjs';
import { kMiB, resumeTests } from '../cases/transfer_resume.mjs';

await labSuite('file transfer resume', () => resumeTests({ fileBytes: 128 * kMiB, cutMs: 3000 }));
