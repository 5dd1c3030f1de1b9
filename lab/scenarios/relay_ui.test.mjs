// The relay through the web UI (issue 6, lab 1-3; cases/relay_ui.mjs): UDP
// blocked between two subnets, "No route" until bob turns on his relay (trusting alice),
// then connect, chat and a 4 MiB file through it (50 MiB in
// soak/relay_ui.test.mjs); force relay on one subnet, and alice's
// turnserver SIGKILLed: the connection recovers by an ICE restart.
// Run: node lab/run.mjs lab/scenarios/relay_ui.test.mjs

import { blockedUdpTest, forceRelayTest, kMiB, relaySuite } from '../cases/relay_ui.mjs';

await relaySuite('relay through the UI', () => {
  blockedUdpTest({ fileBytes: 4 * kMiB });
  forceRelayTest();
});
