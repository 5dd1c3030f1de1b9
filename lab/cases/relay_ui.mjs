// The relay through the web UI (issue 6, "Tests that must pass", lab 1-3),
// with Debian's real coturn run by a PeerDrop of the pair and a headless
// Chromium on alice's and bob's own daemon pages; registered by
// scenarios/relay_ui.test.mjs (make test, a 4 MiB file) and, with the 50 MiB
// file, by soak/relay_ui.test.mjs (make soak). A peer's relay serves
// connections with that peer only, and gives credentials only to peers its
// user trusts or connected to (issue 16):
//   1. alice (subnet a) and bob (subnet b) behind a router that forwards TCP
//      (the daemons signal) but drops every UDP packet between them (a
//      firewall that blocks WebRTC). Without a relay the connection fails
//      with the "No route" message and its suggestion; once bob turns on his
//      relay and ticks "always accept" for alice, alice's daemon gets
//      credentials for it from bob over the channel, and the pair connects
//      through it (alice's browser over TCP to bob's relay, which reaches
//      bob's browser on his own address): chat, a file verified on bob's
//      disk, the Route says relay. bob's secret is in no log and no page.
//   2. Force relay on a same-subnet pair (alice's debug panel, alice's own
//      relay): the Route says relay. 3. alice's turnserver is SIGKILLed
//      during that relayed connection: her daemon restarts it and the
//      connection recovers by an ICE restart, without anybody clicking.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  PeerDropUi, TransferUi, compareReceived, cutBetween, kConnectMs, kSubnetA, kSubnetB, labSuite, missingToolsReason,
  putSettings, removeLargeFiles, uiScenarioSkip, uiTest, unavailableTest, waitFor, waitForPeer, waitForRelay,
  writeRandomFile,
} from '../lib/index.mjs';

const kPort = 3001;
export const kMiB = 1024 * 1024;
const kShortTimeoutMs = 15_000; // connectTimeoutMs: how long a connection attempt may take before it fails
const kTools = ['/usr/bin/turnserver'];
const kRelayRoute = /\brelay\b/i;

/** A host's relay files (src/relay/relay_service.hpp). */
function relayFiles(host) {
  const dir = path.join(host.dataDir, 'relay');
  return { secret: path.join(dir, 'secret'), pid: path.join(dir, 'turnserver.pid'), log: path.join(dir, 'coturn.log') };
}

/** The relay object of a host's /api/health once `until` holds. */
function waitRelayHealth(host, until, what) {
  return waitFor(async () => (await host.health()).relay, { timeout: 15_000, interval: 100, what: `${host.name}'s relay: ${what}`, until });
}

/** In a connection's events: the first ICE disconnected/failed at or after `since` and the next ICE connected after it. */
function breakAndRecovery(events, since) {
  const broke = events.find((e) => e.at >= since && /^ice (disconnected|failed)$/.test(e.what));
  const back = broke && events.find((e) => e.at > broke.at && /^ice (connected|completed)$/.test(e.what));
  return back ? { broke, back } : undefined;
}

/** A message each way, each seen by the other side. */
async function chatBothWays(x, y, tag) {
  const xToY = `${tag}: hello ${y.name}, this is ${x.name}`;
  const yToX = `${tag}: hi ${x.name}, ${y.name} here`;
  await x.send(y.name, xToY);
  await y.waitMessage(x.name, xToY, { timeout: 30_000 });
  await y.send(x.name, yToX);
  await x.waitMessage(y.name, yToX, { timeout: 30_000 });
}

/** The selected candidate pair of the page's connected RTCPeerConnection (lab instrumentation), as text. */
async function selectedPair(ui) {
  const pcs = (await ui.connections()).filter((pc) => pc.connectionState === 'connected');
  const pair = pcs[0]?.selected;
  return pair ? `${pair.local?.type} ${pair.local?.address ?? ''} → ${pair.remote?.type} ${pair.remote?.address ?? ''}` : 'none';
}

/** The Route both pages show, once it says relay. */
async function waitRelayRoute(ui, peerName) {
  return ui.waitUntil(() => ui.routeText(peerName), {
    timeout: 15_000, what: `${ui.name}'s Route for ${peerName} to say relay`, until: (text) => kRelayRoute.test(text),
  });
}

/** Turns on "Force relay" for `peerName` in the page's debug panel. */
async function forceRelay(ui, peerName) {
  const item = ui.peerItem(peerName);
  await item.getByRole('button', { name: 'Debug', exact: true }).click();
  await ui.page.getByRole('checkbox', { name: /Force relay/ }).check();
}

/** Every place the relay's shared secret must not be: the daemons' logs, the pages' HTML. */
async function assertSecretHidden(secret, hosts, pages) {
  assert.ok(secret.length >= 16, 'the relay secret was read');
  for (const host of hosts) {
    assert.ok(!host.daemon.log().includes(secret), `${host.name}'s daemon log does not contain the relay secret`);
  }
  for (const ui of pages) {
    assert.ok(!(await ui.page.content()).includes(secret), `${ui.name}'s page does not contain the relay secret`);
  }
}

const missingCoturn = missingToolsReason(kTools, 'coturn');
const skip = await uiScenarioSkip('relay UI scenarios');

/** labSuite(name, fn), or where coturn is missing one test that says so (skipped, or failed with CI=true). */
export async function relaySuite(name, fn) {
  if (missingCoturn) unavailableTest(name, missingCoturn);
  else await labSuite(name, fn);
}

/** 1. UDP blocked between two subnets: "No route"; through bob's relay: connect, chat, a file of `fileBytes`, Route relay. */
export function blockedUdpTest({ fileBytes }) {
  const fileName = `relayed-${fileBytes / kMiB}MiB.bin`;
  /** A minute plus 4.8 s per MiB: 5 minutes for 50 MiB. */
  const deadline = 60_000 + (fileBytes / kMiB) * 4800;
  uiTest('UDP blocked between two subnets: "No route" without a relay; through bob\'s relay: connect, chat, ' +
    `${fileBytes / kMiB} MiB verified, Route relay`, { subnets: [kSubnetA, kSubnetB], timeout: 8 * 60_000, skip }, async (lab, t) => {
      const alice = await lab.addHost('alice', { subnet: 'a', ip: '198.51.100.10' });
      const bob = await lab.addHost('bob', { subnet: 'b', ip: '203.0.113.10' });
      t.after(async () => { for (const host of [alice, bob]) await removeLargeFiles(host.dir); });
      // The firewall: the router drops all UDP between alice and bob (TCP passes: the daemons signal).
      const cut = await cutBetween(alice, bob, { protocol: 'udp', via: 'router' });
      await alice.startDaemon(['--no-scan', '--peer', `${bob.ip}:${kPort}`]);
      await bob.startDaemon(['--no-scan', '--peer', `${alice.ip}:${kPort}`]);
      await Promise.all([waitForPeer(alice, bob, { timeout: 10_000 }), waitForPeer(bob, alice, { timeout: 10_000 })]);
      for (const host of [alice, bob]) await putSettings(host, { connectTimeoutMs: kShortTimeoutMs });
      const [uiA, uiB] = await Promise.all([alice, bob].map(async (host) => new PeerDropUi(await host.openBrowser())));
      await Promise.all([uiA.waitPeer('bob'), uiB.waitPeer('alice')]);

      // No relay anywhere: the request is accepted, ICE finds nothing, alice is told why and what to do.
      await uiA.click('bob', 'Connect');
      await uiB.accept('alice', { timeout: kConnectMs });
      const failed = await uiA.waitPeerText('bob', /No route/i, {
        timeout: kShortTimeoutMs + 15_000, what: 'bob\'s item to say there is no route',
      });
      t.diagnostic(`without a relay alice sees: "${failed}"`);
      assert.match(failed, /\brelay\b/i, `the message suggests a relay: "${failed}"`);
      assert.ok(await cut.dropped() > 0, 'ICE tried UDP between alice and bob (the router dropped nothing)');

      // bob turns his relay on and trusts alice (the Settings switch and "always accept", through his daemon's API).
      await putSettings(bob, { relay: true, autoAccept: [alice.id] });
      const relay = await waitRelayHealth(bob, (r) => r?.state === 'running', 'running');
      t.diagnostic(`bob's relay: ${JSON.stringify(relay)}`);
      await waitForRelay(alice, bob);

      const retried = Date.now();
      await uiA.click('bob', 'Retry'); // bob's page accepts by itself now: he trusts alice
      await Promise.all([uiA.waitConnected('bob', { timeout: kConnectMs }), uiB.waitConnected('alice', { timeout: kConnectMs })]);
      const routes = await Promise.all([waitRelayRoute(uiA, 'bob'), waitRelayRoute(uiB, 'alice')]);
      t.diagnostic(`connected through the relay ${Date.now() - retried} ms after Retry; Route: alice "${routes[0]}", ` +
        `bob "${routes[1]}"; pairs: alice ${await selectedPair(uiA)}, bob ${await selectedPair(uiB)}`);
      await chatBothWays(uiA, uiB, 'through the relay');

      const filesA = new TransferUi(uiA);
      const filesB = new TransferUi(uiB);
      const file = await writeRandomFile(path.join(alice.dir, 'out', fileName), fileBytes);
      const started = Date.now();
      await filesA.sendFiles('bob', [file.path]); // accepted unasked: bob trusts alice
      const done = /\bDone\b.*\bVerified\b/s;
      const ended = /\b(Done|Declined|Cancelled|Failed)\b/;
      const [sender, receiver] = await Promise.all([
        filesA.waitState('bob', fileName, ended, { timeout: deadline }),
        filesB.waitState('alice', fileName, ended, { timeout: deadline }),
      ]);
      assert.match(sender, done, 'alice\'s transfer says done and verified');
      assert.match(receiver, done, 'bob\'s transfer says done and verified');
      const seconds = (Date.now() - started) / 1000;
      const rate = (fileBytes / kMiB / seconds).toFixed(1);
      t.diagnostic(`${fileBytes / kMiB} MiB through the relay in ${seconds.toFixed(1)} s (${rate} MiB/s)`);
      assert.deepEqual(await compareReceived(bob.downloadDir, { [fileName]: file.sha256 }), []);
      assert.match(await uiA.routeText('bob'), kRelayRoute, 'still relayed after the transfer');

      await assertSecretHidden(readFileSync(relayFiles(bob).secret, 'utf8').trim(), [alice, bob], [uiA, uiB]);
    });
}

/** 2-3. Force relay on one subnet (alice's own relay); alice's turnserver SIGKILLed during the relayed connection. */
export function forceRelayTest() {
  uiTest('force relay on one subnet: Route relay; alice\'s turnserver SIGKILLed: restarted, the connection recovers by ICE restart',
    { subnets: [kSubnetA], timeout: 5 * 60_000, skip }, async (lab, t) => {
      const alice = await lab.addHost('alice', { subnet: 'a', ip: '198.51.100.10' });
      const bob = await lab.addHost('bob', { subnet: 'a', ip: '198.51.100.11' });
      await alice.startDaemon(['--no-scan', '--turn']);
      await waitRelayHealth(alice, (r) => r?.state === 'running', 'running');
      await bob.startDaemon(['--no-scan']);
      await Promise.all([waitForPeer(alice, bob, { timeout: 10_000 }), waitForPeer(bob, alice, { timeout: 10_000 })]);
      const [uiA, uiB] = await Promise.all([alice, bob].map(async (host) => new PeerDropUi(await host.openBrowser())));
      await Promise.all([uiA.waitPeer('bob'), uiB.waitPeer('alice')]);

      await forceRelay(uiA, 'bob');
      await uiA.click('bob', 'Connect');
      await uiB.accept('alice', { timeout: kConnectMs });
      await Promise.all([uiA.waitConnected('bob', { timeout: kConnectMs }), uiB.waitConnected('alice', { timeout: kConnectMs })]);
      const route = await waitRelayRoute(uiA, 'bob');
      const pair = await selectedPair(uiA);
      t.diagnostic(`forced relay: alice's Route "${route}", pair ${pair}`);
      assert.match(pair, /^relay /, `alice's selected local candidate is a relay one: ${pair}`);
      await chatBothWays(uiA, uiB, 'forced relay');

      // coturn dies: alice's daemon starts it again; the browsers restart ICE and get a new allocation.
      const files = relayFiles(alice);
      const before = await waitRelayHealth(alice, (r) => r?.state === 'running', 'running');
      const pid = Number(readFileSync(files.pid, 'utf8'));
      const clicks = (await uiA.browser.clicks()).length;
      process.kill(pid, 'SIGKILL');
      const killedAt = Date.now();
      const after = await waitRelayHealth(alice, (r) => r?.state === 'running' && r.restarts > (before.restarts ?? 0),
        'running again after the SIGKILL');
      t.diagnostic(`turnserver ${pid} SIGKILLed; running again after ${Date.now() - killedAt} ms: ${JSON.stringify(after)}`);

      // The break and the recovery, read from the page's RTCPeerConnection (the lab's instrumentation): ICE
      // disconnected or failed after the kill, an ICE restart, connected again. With the relay back within a
      // second, "Reconnecting" may show for only tens of milliseconds: too briefly to poll the page's text for.
      const pc = await waitFor(async () => (await uiA.connections())[0], {
        timeout: 60_000, interval: 100, what: 'alice\'s connection to break after the kill and come back by an ICE restart',
        until: (x) => x !== undefined && x.iceRestarts >= 1 && breakAndRecovery(x.events, killedAt) !== undefined,
      });
      const { broke, back } = breakAndRecovery(pc.events, killedAt);
      await Promise.all([uiA.waitConnected('bob', { timeout: 60_000 }), uiB.waitConnected('alice', { timeout: 60_000 })]);
      t.diagnostic(`alice's ICE: ${broke.what} ${broke.at - killedAt} ms after the kill, connected again after ` +
        `${back.at - killedAt} ms; ${pc.iceRestarts} ICE restart(s)`);
      assert.deepEqual((await uiA.browser.clicks()).slice(clicks), [], 'nobody clicked anything (recovery without the user)');
      assert.equal((await uiA.connections()).length, 1, 'the same RTCPeerConnection recovered, no new one');
      await chatBothWays(uiA, uiB, 'after the relay restart');
      assert.match(await waitRelayRoute(uiA, 'bob'), kRelayRoute);
    });
}
