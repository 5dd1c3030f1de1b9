// The relay through the web UI with a 50 MiB file (make soak; cases/relay_ui.mjs):
// UDP blocked between two subnets, "No route" until bob turns on his relay (trusting alice),
// then connect, chat and the file through it, verified on bob's disk.
// Run: node lab/run.mjs lab/soak/relay_ui.test.mjs

import { blockedUdpTest, kMiB, relaySuite } from '../cases/relay_ui.mjs';

await relaySuite('relay through the UI, full size', () => blockedUdpTest({ fileBytes: 50 * kMiB }));
