// Transfers through a relay against direct ones, on the same lab hosts and
// browsers in one run (issue 6): what a connection through carol's relay
// costs in throughput and CPU.
//
// One lab, one subnet: carol 198.51.100.12 with `peerdropd --turn` (Debian's
// coturn), alice .10 and bob .11 with peerdropd and a headless Chromium each
// on its own daemon's page, connected through the UI (bob's page accepts by
// itself); alice's and bob's daemons hold credentials for carol's relay (got
// over the signed channel) before anything is measured. Each round runs:
//   raw direct / raw relay: in both pages, a bare RTCPeerConnection pair with
//     the ICE servers alice's daemon hands its page for bob (the raw run of
//     transfer_throughput.mjs: 256 KiB messages, bufferedAmount between 1 and
//     4 MiB), with iceTransportPolicy 'all' (ICE picks the direct pair) and
//     'relay' on both ends (every packet goes alice → carol's coturn → bob);
//   PeerDrop direct / PeerDrop relay: a file through the UI until it is
//     verified on bob's disk, first on a direct connection, then on one made
//     with "Force relay" ticked in bob's debug panel on alice's page (alice
//     disconnects and connects again: the Route says relay).
// Direct and relay alternate so a shared machine's slow phases hit both.

import { Lab, kConnectMs, kSubnetA, waitForRelay } from '../lab/lib/index.mjs';
import {
  cpuText, kMiB, makeSourceFile, peerdropRun, rawRun, setUpTransferPair,
} from './transfer_throughput.mjs';
import { rm } from 'node:fs/promises';
import path from 'node:path';

const kDaemonArgs = ['--no-scan', '--log-level', 'info'];
const kRouteTimeoutMs = 30_000;

/** alice's daemon's ICE servers for bob (they include carol's relay once alice's daemon is ready). */
async function iceServersFor(alice, bob) {
  const ui = await alice.openUi();
  try {
    await ui.send({ type: 'ice_servers', peer: bob.id, ref: 'bench' });
    const [answer] = await ui.waitForType('ice_servers', { filter: (m) => m.ref === 'bench' });
    return answer.iceServers;
  } finally {
    await ui.close();
  }
}

/**
 * Ticks or unticks "Force relay" for bob on alice's page, then disconnects
 * and connects again (it applies when a connection starts; bob's page
 * accepts by itself), and waits until the Route says relay, or no longer does.
 */
async function setForceRelay(uiAlice, on) {
  const item = uiAlice.peerItem('bob');
  const box = uiAlice.page.getByRole('checkbox', { name: /Force relay/ });
  if (await box.count() === 0) await item.getByRole('button', { name: 'Debug', exact: true }).click();
  await box.setChecked(on);
  await uiAlice.click('bob', 'Disconnect');
  await uiAlice.waitUntil(() => uiAlice.button('bob', 'Connect').count(), {
    what: 'a Connect button in bob\'s item after the Disconnect', until: (n) => n === 1,
  });
  await uiAlice.click('bob', 'Connect');
  await uiAlice.waitConnected('bob', { timeout: kConnectMs });
  return uiAlice.waitUntil(() => uiAlice.routeText('bob'), {
    timeout: kRouteTimeoutMs, what: `alice's Route for bob to ${on ? 'say' : 'no longer say'} relay`,
    until: (text) => /\brelay\b/i.test(text) === on && /\b(direct|relay)\b/i.test(text),
  });
}

/**
 * `repeats` rounds of raw direct, raw relay, PeerDrop direct, PeerDrop relay,
 * each moving `mib` MiB. Resolves with { mib, repeats, direct: [run],
 * relay: [run], peerdropDirect: [run], peerdropRelay: [run], routes, chromium, iceServerCount, pageErrors }.
 */
export async function relayThroughput({ repeats, mib, log }) {
  const bytes = mib * kMiB;
  const lab = await Lab.create({ subnets: [kSubnetA] });
  const cleanup = [];
  try {
    const carol = await lab.addHost('carol', { subnet: 'a', ip: '198.51.100.12' });
    await carol.startDaemon([...kDaemonArgs, '--turn']);
    const pair = await setUpTransferPair(lab);
    const { alice, bob, uiAlice } = pair;
    await Promise.all([waitForRelay(alice, carol), waitForRelay(bob, carol)]);
    const iceServers = await iceServersFor(alice, bob);
    if (!iceServers.some((s) => [].concat(s.urls).some((u) => u.startsWith(`turn:${carol.ip}:`)))) {
      throw new Error(`carol's relay is not in alice's ICE servers: ${JSON.stringify(iceServers.map((s) => s.urls))}`);
    }
    log(`  ICE servers from alice's daemon: ${iceServers.map((s) => [].concat(s.urls).join(' ')).join(', ')}`);
    const source = await makeSourceFile(pair, bytes);
    cleanup.push(source.path, path.join(bob.downloadDir, '.peerdrop-partial'));
    const cpuHosts = [alice, bob, carol];
    const result = { mib, repeats, direct: [], relay: [], peerdropDirect: [], peerdropRelay: [], routes: {} };
    for (let k = 0; k < repeats; k++) {
      for (const [label, runs, policy] of [['raw direct', result.direct, 'all'], ['raw relay', result.relay, 'relay']]) {
        const run = await rawRun(pair, { bytes, rtcConfig: { iceServers, iceTransportPolicy: policy }, cpuHosts });
        runs.push(run);
        log(`    ${label.padEnd(15)} ${run.mibps.toFixed(1)} MiB/s (${run.seconds.toFixed(1)} s), connect ${run.connectMs.toFixed(0)} ms, ` +
          `pair ${run.selected}; CPU ${cpuText(run.cpu)}`);
        if (policy === 'relay' && !run.selected.includes('relay')) throw new Error(`a relay run did not use the relay: ${run.selected}`);
        if (policy === 'all' && run.selected.includes('relay')) throw new Error(`a direct run went through the relay: ${run.selected}`);
      }
      for (const [label, runs, forced] of [['PeerDrop direct', result.peerdropDirect, false], ['PeerDrop relay', result.peerdropRelay, true]]) {
        const route = await setForceRelay(uiAlice, forced);
        result.routes[label] = route;
        const run = await peerdropRun(pair, { source, cpuHosts });
        runs.push(run);
        log(`    ${label.padEnd(15)} ${run.mibps.toFixed(1)} MiB/s (${run.seconds.toFixed(1)} s), Route "${route}"; CPU ${cpuText(run.cpu)}`);
      }
      await setForceRelay(uiAlice, false);
    }
    result.iceServerCount = iceServers.length;
    result.chromium = uiAlice.browser.browser?.version();
    result.pageErrors = [...uiAlice.browser.errors, ...pair.bobPage.errors()];
    lab.succeeded = true;
    return result;
  } finally {
    for (const file of cleanup) await rm(file, { force: true, recursive: true }).catch(() => {});
    await lab.destroy();
  }
}
