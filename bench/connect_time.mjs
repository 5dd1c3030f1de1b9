// Connection time of the web UI: from the click on "Connect" to an open data
// channel, with the other side accepting at once: each daemon has the other
// peer on its "always accept" list (PUT /api/settings autoAccept), as a user
// who trusts that computer would.
//
// One lab per variant, two hosts, each with peerdropd (lab defaults:
// announce interval 1 s; plus --no-scan --log-level info) and a headless
// Chromium in its namespace on its own daemon's page (lab/lib/browser.mjs;
// Chromium's default mDNS host candidates stay on):
//   same:     alice 198.51.100.10, bob 198.51.100.11 (one subnet).
//   cross:    alice 198.51.100.10, bob 203.0.113.10 (the lab router between
//             them, no NAT); each daemon has the other's address (--peer).
//   one-way:  as cross, but in alice's namespace
//             `iptables -A OUTPUT -d <bob> -m conntrack --ctstate NEW -j DROP`:
//             alice can only answer what bob opens; bob knows alice by --peer.
//             Measured twice: alice clicks (her signals reach bob only through
//             bob's long-poll) and bob clicks.
//   relay:    as same, plus carol 198.51.100.12 running `peerdropd --turn`;
//             alice's and bob's daemons get credentials for carol's relay
//             over the signed channel, and alice ticks "Force relay" in bob's
//             debug panel: every connection goes through carol's coturn.
// Per run: alice's (or bob's) page clicks Connect on the other's list item;
// the time is the UI's own window.__peerdrop.timings[peerId]: openAt −
// clickedAt (performance.now() in the clicking page: the click handler to
// the control data channel's open event). Then Disconnect, and the next run
// starts when both items offer "Connect" again. One warm-up run per variant
// (the first connection after the pages loaded) is reported on its own.

import { Lab, PeerDropUi, blockNewConnections, kSubnetA, kSubnetB, putSettings, waitFor, waitForPeer, waitForRelay } from '../lab/lib/index.mjs';

const kDaemonArgs = ['--no-scan', '--log-level', 'info'];
const kPort = 3001;
const kOpenTimeoutMs = 20_000;

export const kConnectVariants = Object.freeze([
  { key: 'same', label: 'same subnet', topology: 'same', clicker: 'alice' },
  { key: 'cross', label: 'two subnets, through the router', topology: 'cross', clicker: 'alice' },
  { key: 'oneWayBlocked', label: 'one-way network, the side that cannot reach the other clicks', topology: 'one-way', clicker: 'alice' },
  { key: 'oneWayOpen', label: 'one-way network, the side that can reach the other clicks', topology: 'one-way', clicker: 'bob' },
  { key: 'relay', label: "same subnet, forced through a third computer's relay (TURN)", topology: 'relay', clicker: 'alice' },
]);

async function setUpPair(lab, topology) {
  const cross = topology === 'cross' || topology === 'one-way';
  const alice = await lab.addHost('alice', { subnet: 'a', ip: '198.51.100.10' });
  const bob = await lab.addHost('bob', cross ? { subnet: 'b', ip: '203.0.113.10' } : { subnet: 'a', ip: '198.51.100.11' });
  const oneWay = topology === 'one-way' ? await blockNewConnections(alice, bob) : undefined;
  await alice.startDaemon([...kDaemonArgs, ...(topology === 'cross' ? ['--peer', `${bob.ip}:${kPort}`] : [])]);
  await bob.startDaemon([...kDaemonArgs, ...(cross ? ['--peer', `${alice.ip}:${kPort}`] : [])]);
  await Promise.all([waitForPeer(alice, bob, { timeout: 8000 }), waitForPeer(bob, alice, { timeout: 8000 })]);
  if (topology === 'relay') {
    const carol = await lab.addHost('carol', { subnet: 'a', ip: '198.51.100.12' });
    await carol.startDaemon([...kDaemonArgs, '--turn']);
    await Promise.all([waitForRelay(alice, carol), waitForRelay(bob, carol)]);
  }
  await Promise.all([putSettings(alice, { autoAccept: [bob.id] }), putSettings(bob, { autoAccept: [alice.id] })]);
  const [uiAlice, uiBob] = await Promise.all([alice, bob].map(async (host) => new PeerDropUi(await host.openBrowser())));
  await Promise.all([uiAlice.waitPeer('bob'), uiBob.waitPeer('alice')]);
  if (topology === 'relay') {
    await uiAlice.peerItem('bob').getByRole('button', { name: 'Debug', exact: true }).click();
    await uiAlice.page.getByRole('checkbox', { name: /Force relay/ }).check();
  }
  return { alice, bob, uiAlice, uiBob, oneWay };
}

/** One connection: click → open data channel by the UI's own stamps; then Disconnect and wait for idle. */
async function oneRun(clicker, other, otherId) {
  const before = (await clicker.timings())?.[otherId]?.clickedAt;
  await clicker.click(other.name, 'Connect');
  const timing = await waitFor(async () => (await clicker.timings())?.[otherId], {
    timeout: kOpenTimeoutMs, interval: 20, what: `${clicker.name}'s window.__peerdrop.timings for ${other.name} with openAt after this click`,
    until: (t) => t && t.clickedAt !== before && typeof t.openAt === 'number' && t.openAt >= t.clickedAt,
  });
  await Promise.all([clicker.waitConnected(other.name), other.waitConnected(clicker.name)]);
  const pcs = (await clicker.connections()).filter((pc) => pc.connectionState === 'connected');
  const pair = pcs[0]?.selected;
  await clicker.click(other.name, 'Disconnect');
  await Promise.all([[clicker, other.name], [other, clicker.name]].map(([ui, name]) => ui.waitUntil(() => ui.button(name, 'Connect').count(), {
    what: `a Connect button in ${name}'s item after the Disconnect`, until: (n) => n === 1, show: 'page',
  })));
  return { ms: timing.openAt - timing.clickedAt, route: pair ? `${pair.local?.type}→${pair.remote?.type}` : 'unknown' };
}

/**
 * Runs every variant: `runs` measured connections after one warm-up each.
 * Resolves with { [key]: { label, warmupMs, samples: [ms], routes: { 'host→srflx': n }, dropped } }.
 */
export async function connectTimeBenchmarks({ runs, log, variants = kConnectVariants }) {
  const results = {};
  for (const variant of variants) {
    log(`  ${variant.label}: 1 warm-up + ${runs} connections`);
    const lab = await Lab.create({ subnets: ['same', 'relay'].includes(variant.topology) ? [kSubnetA] : [kSubnetA, kSubnetB] });
    try {
      const { alice, bob, uiAlice, uiBob, oneWay } = await setUpPair(lab, variant.topology);
      const [clicker, other, otherHost] = variant.clicker === 'alice' ? [uiAlice, uiBob, bob] : [uiBob, uiAlice, alice];
      const warmup = await oneRun(clicker, other, otherHost.id);
      const samples = [];
      const routes = {};
      for (let i = 0; i < runs; i++) {
        const { ms, route } = await oneRun(clicker, other, otherHost.id);
        if (variant.topology === 'relay' && !route.includes('relay')) {
          throw new Error(`a connection with Force relay on did not go through the relay: ${route}`);
        }
        samples.push(ms);
        routes[route] = (routes[route] ?? 0) + 1;
      }
      results[variant.key] = {
        label: variant.label, clicker: variant.clicker, warmupMs: warmup.ms, warmupRoute: warmup.route, samples, routes,
        dropped: oneWay ? await oneWay.dropped() : undefined,
        pageErrors: [...uiAlice.browser.errors, ...uiBob.browser.errors],
        chromium: uiAlice.browser.browser?.version(),
      };
      log(`    ${samples.map((ms) => Math.round(ms)).join(' ')} ms; routes ${JSON.stringify(routes)}`);
      lab.succeeded = true;
    } finally {
      await lab.destroy();
    }
  }
  return results;
}
