// Self-test of the lab's browsers (lib/browser.mjs): headless Chromium in
// each host's namespace opens its own daemon's page, and two pages make a
// real RTCPeerConnection with each other, SDP and trickled candidates carried by this process,
// STUN from the daemons (docs/protocol.md, "STUN"). No PeerDrop UI code is
// involved: this proves the lab facts the UI depends on.
//   - same subnet: Chromium hides host addresses behind mDNS names, and the
//     names resolve on the subnet: the connection works with host candidates;
//   - two subnets behind the router (no NAT): the mDNS names do not resolve
//     there; the daemons' STUN answers give server-reflexive candidates with
//     the real addresses, and the connection works over those;
//   - a one-way network (a cannot open anything to b): works too, b's checks
//     open the path for a's answers;
//   - teardown kills a browser even when Playwright cannot close it.
// Needs peerdropd (build/peerdropd or PEERDROPD), Chromium and lab/node_modules.
// Run: node lab/run.mjs lab/selftest/browser.test.mjs

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import {
  Lab, blockNewConnections, browserUnavailableReason, kDaemonBinary, kSubnetA, kSubnetB, labRequired, labSuite, labTest,
  waitFor,
} from '../lib/index.mjs';
import { processInfo } from '../lib/browser.mjs';

const kDiscoveryPort = 3001;
const kOpenTimeoutMs = 15_000;

async function missing() {
  if (!existsSync(kDaemonBinary)) return `${kDaemonBinary} is not built (or set PEERDROPD)`;
  return browserUnavailableReason();
}
const missingReason = await missing();
const skip = missingReason !== undefined && !labRequired() && `browser self-test needs: ${missingReason}`;

/**
 * In a page: an RTCPeerConnection with a data channel. Candidates trickle:
 * the page collects them ({ at: ms since the pc was made, candidate }) and
 * the test carries them to the other page.
 */
async function makePeer(page, { iceServers, offerer }) {
  await page.evaluate(({ iceServers: servers, offerer: isOfferer }) => {
    const pc = new RTCPeerConnection({ iceServers: servers });
    const t0 = performance.now();
    const state = { pc, events: [], opened: undefined, messages: [], gathered: [], outbox: [] };
    window.__probe = state;
    const log = (what) => state.events.push(`${Math.round(performance.now() - t0)} ms ${what}`);
    pc.onicecandidate = (event) => {
      if (!event.candidate) return log('gathering complete');
      state.gathered.push(event.candidate.candidate);
      state.outbox.push(event.candidate.toJSON());
      log(`candidate ${event.candidate.candidate}`);
    };
    pc.oniceconnectionstatechange = () => log(`ice ${pc.iceConnectionState}`);
    pc.onconnectionstatechange = () => log(`connection ${pc.connectionState}`);
    const useChannel = (channel) => {
      state.channel = channel;
      // Said again every 250 ms until the other side's hello arrives: once, a full lab run saw the
      // answerer's first hello never reach the offerer although both channels were open.
      let hellos;
      const hello = () => channel.readyState === 'open' && channel.send(`hello from ${location.host}`);
      channel.onopen = () => {
        state.opened = performance.now();
        log('channel open');
        hello();
        hellos = setInterval(hello, 250);
      };
      channel.onmessage = (event) => {
        state.messages.push(event.data);
        clearInterval(hellos);
      };
    };
    if (isOfferer) useChannel(pc.createDataChannel('probe'));
    else pc.ondatachannel = (event) => useChannel(event.channel);
  }, { iceServers, offerer });
}

/** Sets the local description (offer, or the answer to `remote`) and returns it at once (candidates trickle). */
function localDescription(page, { remote } = {}) {
  return page.evaluate(async ({ remote: sdp }) => {
    const { pc } = window.__probe;
    if (sdp) await pc.setRemoteDescription(sdp);
    await pc.setLocalDescription();
    return { type: pc.localDescription.type, sdp: pc.localDescription.sdp };
  }, { remote });
}

/** Moves the candidates `from` has gathered since the last call to `to`. */
async function carryCandidates(from, to) {
  const candidates = await from.evaluate(() => window.__probe.outbox.splice(0));
  if (candidates.length === 0) return;
  await to.evaluate(async (list) => {
    for (const candidate of list) await window.__probe.pc.addIceCandidate(candidate);
  }, candidates);
}

/** The probe's state: events, gathered candidates, received messages and the selected pair. */
function probeState(page) {
  return page.evaluate(async () => {
    const { pc, events, opened, messages, gathered } = window.__probe;
    const stats = await pc.getStats();
    const byId = new Map();
    stats.forEach((s) => byId.set(s.id, s));
    const transport = [...byId.values()].find((s) => s.type === 'transport' && s.selectedCandidatePairId);
    const pair = transport && byId.get(transport.selectedCandidatePairId);
    const show = (c) => c && { type: c.candidateType, address: c.address, port: c.port };
    return {
      events, opened, messages, gathered, connectionState: pc.connectionState, gatheringState: pc.iceGatheringState,
      selected: pair && { local: show(byId.get(pair.localCandidateId)), remote: show(byId.get(pair.remoteCandidateId)) },
    };
  });
}

/**
 * Connects `x`'s page to `y`'s page, SDP and trickled candidates carried by
 * this process; each page uses its own daemon's STUN responder, or with
 * `stun: false` no ICE server at all. Resolves once a message went each way
 * and both pages finished gathering, with each page's state.
 */
async function connectPages(x, y, { stun: useStun = true } = {}) {
  const stun = (host) => (useStun ? [{ urls: `stun:${host.ip}:${kDiscoveryPort}` }] : []);
  const [px, py] = [x.browser.page, y.browser.page];
  await makePeer(px, { iceServers: stun(x), offerer: true });
  await makePeer(py, { iceServers: stun(y), offerer: false });
  const started = Date.now();
  const offer = await localDescription(px);
  const answer = await localDescription(py, { remote: offer });
  await px.evaluate((sdp) => window.__probe.pc.setRemoteDescription(sdp), answer);
  let openMs;
  const states = await waitFor(async () => {
    await carryCandidates(px, py);
    await carryCandidates(py, px);
    const both = [await probeState(px), await probeState(py)];
    if (openMs === undefined && both.every((s) => s.messages.length > 0)) openMs = Date.now() - started;
    return both;
  }, {
    timeout: kOpenTimeoutMs, interval: 50,
    what: `a data channel between ${x.name} and ${y.name} to carry a message each way, and both to finish gathering`,
    until: (both) => both.every((s) => s.messages.length > 0 && s.gatheringState === 'complete'),
  });
  return { ms: openMs, states };
}

/**
 * What a page gathers on its own (no remote peer, so nothing stops the
 * gathering early): the candidate lines once gathering is complete. A page
 * that connects quickly may stop gathering before its STUN answer or its
 * mDNS name is in (Chromium stops once a pair works), so what a connected
 * page gathered proves less than this.
 */
function gatherOnly(page, iceServers) {
  return page.evaluate(async (servers) => {
    const pc = new RTCPeerConnection({ iceServers: servers });
    const lines = [];
    pc.createDataChannel('gather');
    const done = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`gathering not complete after 10 s: ${lines.join(' | ')}`)), 10_000);
      pc.onicecandidate = (event) => {
        if (event.candidate) lines.push(event.candidate.candidate);
        else { clearTimeout(timer); resolve(); }
      };
    });
    await pc.setLocalDescription();
    await done;
    pc.close();
    return lines;
  }, iceServers);
}

/** Parsed candidate lines: { type, address, port }. */
function parseCandidates(lines) {
  return lines.map((line) => {
    const f = line.split(' ');
    return { address: f[4], port: Number(f[5]), type: f[7] };
  });
}

function describePair({ selected }) {
  if (!selected) return 'no selected pair';
  return `local ${selected.local?.type} ${selected.local?.address}:${selected.local?.port} → ` +
    `remote ${selected.remote?.type} ${selected.remote?.address}:${selected.remote?.port}`;
}

async function hostWithBrowser(lab, name, subnet, daemonArgs = ['--no-scan']) {
  const host = await lab.addHost(name, { subnet });
  await host.startDaemon(daemonArgs);
  host.browser = await host.openBrowser();
  return host;
}

await labSuite('lab self-test: browsers', () => {
  labTest('Chromium in each namespace serves its daemon\'s page; same subnet: mDNS host candidates connect, with STUN too',
    { subnets: [kSubnetA], timeout: 90_000, skip }, async (lab, t) => {
      const a1 = await hostWithBrowser(lab, 'a1', 'a');
      const a2 = await hostWithBrowser(lab, 'a2', 'a');
      for (const host of [a1, a2]) {
        assert.equal(new URL(host.browser.page.url()).host, `${host.ip}:3001`);
        assert.ok(host.browser.pid > 0, `the main Chromium pid of ${host.name} is known`);
        assert.ok((await host.browser.processIds()).includes(host.browser.pid));
      }
      // No ICE server: only mDNS host candidates, which must resolve on the subnet.
      const mdns = await connectPages(a1, a2, { stun: false });
      t.diagnostic(`same subnet, no STUN: open in ${mdns.ms} ms; ${a1.name}: ${describePair(mdns.states[0])}`);
      for (const state of mdns.states) {
        // Only .local names were offered, so whichever side checked first resolved one over mDNS; the
        // other may see those checks before the candidate trickled in (prflx).
        assert.ok(parseCandidates(state.gathered).every((c) => c.type === 'host' && c.address.endsWith('.local')),
          `without STUN only mDNS host candidates: ${state.gathered.join(' | ')}`);
        assert.ok(['host', 'prflx'].includes(state.selected?.remote?.type), describePair(state));
      }
      await Promise.all([a1, a2].map((h) => h.browser.page.evaluate(() => window.__probe.pc.close())));

      const { ms, states } = await connectPages(a1, a2);
      t.diagnostic(`same subnet, each daemon's STUN: open in ${ms} ms; ${a1.name}: ${describePair(states[0])}`);
      for (const host of [a1, a2]) {
        const gathered = parseCandidates(await gatherOnly(host.browser.page, [{ urls: `stun:${host.ip}:${kDiscoveryPort}` }]));
        t.diagnostic(`${host.name} gathers ${gathered.map((c) => `${c.type} ${c.address}`).join(', ')}`);
        const hostCandidates = gathered.filter((c) => c.type === 'host');
        assert.ok(hostCandidates.length > 0, `${host.name} gathers host candidates: ${JSON.stringify(gathered)}`);
        assert.ok(hostCandidates.every((c) => c.address.endsWith('.local')),
          `Chromium's mDNS privacy must stay on: ${host.name}'s host candidates are .local names: ` +
          `${hostCandidates.map((c) => c.address).join(', ')}`);
        assert.ok(gathered.some((c) => c.type === 'srflx' && c.address === host.ip),
          `${host.name}'s daemon answers STUN: a srflx candidate with ${host.ip}: ${JSON.stringify(gathered)}`);
      }
      assert.deepEqual([...new Set(states[1].messages)], [`hello from ${a1.ip}:3001`]);  // said again until heard
      assert.equal(states[0].connectionState, 'connected');
    });

  labTest('two subnets behind the router: the daemons\' STUN gives srflx candidates and the pages connect',
    { subnets: [kSubnetA, kSubnetB], timeout: 90_000, skip }, async (lab, t) => {
      const a1 = await hostWithBrowser(lab, 'a1', 'a');
      const b1 = await hostWithBrowser(lab, 'b1', 'b');
      for (const host of [a1, b1]) {
        const gathered = parseCandidates(await gatherOnly(host.browser.page, [{ urls: `stun:${host.ip}:${kDiscoveryPort}` }]));
        assert.ok(gathered.some((c) => c.type === 'srflx' && c.address === host.ip),
          `${host.name}'s daemon answers STUN: a srflx candidate with ${host.ip}: ${JSON.stringify(gathered)}`);
      }
      const { ms, states } = await connectPages(a1, b1);
      t.diagnostic(`cross subnet: open in ${ms} ms; ${a1.name}: ${describePair(states[0])}; ${b1.name}: ${describePair(states[1])}`);
      for (const state of states) {
        assert.ok(['srflx', 'prflx'].includes(state.selected?.remote?.type),
          `across the router the remote side of the pair is srflx or prflx: ${describePair(state)}`);
      }
    });

  labTest('one-way network (a1 cannot reach b1): the pages connect anyway',
    { subnets: [kSubnetA, kSubnetB], timeout: 90_000, skip }, async (lab, t) => {
      const a1 = await lab.addHost('a1', { subnet: 'a' });
      const b1 = await lab.addHost('b1', { subnet: 'b' });
      const oneWay = await blockNewConnections(a1, b1);
      for (const host of [a1, b1]) {
        await host.startDaemon(['--no-scan']);
        host.browser = await host.openBrowser();
      }
      for (const [x, y] of [[a1, b1], [b1, a1]]) {
        const { ms, states } = await connectPages(x, y);
        t.diagnostic(`one-way, ${x.name} offers: open in ${ms} ms; at ${x.name}: ${describePair(states[0])}`);
        await Promise.all([x, y].map((h) => h.browser.page.evaluate(() => window.__probe.pc.close())));
      }
      // ICE may never open a flow from a1 (when b1's checks reach a1 first, a1's answers are not NEW):
      // whether it dropped anything is a race, so the rule is proven in force with a datagram of our own.
      const duringIce = await oneWay.dropped();
      t.diagnostic(`packets the one-way rule dropped while the pages connected: ${duringIce}`);
      await a1.sendUdp(Buffer.from('one-way probe'), b1.ip, 9).catch(() => {}); // EPERM: the rule dropped it
      assert.ok(await oneWay.dropped() > duringIce, 'the one-way rule drops what a1 opens towards b1');
    });

  test('teardown kills Chromium even when Playwright cannot close it', { timeout: 60_000, skip }, async () => {
    const lab = await Lab.create({ subnets: [kSubnetA] });
    let pids = [];
    try {
      const a1 = await lab.addHost('a1', { subnet: 'a' });
      await a1.startDaemon(['--no-scan']);
      const browser = await a1.openBrowser();
      pids = await browser.processIds();
      assert.ok(pids.length >= 3, `a browser has several processes: ${pids}`);
      // A hung browser: every process stopped, so close() gets no answer.
      for (const pid of pids) process.kill(pid, 'SIGSTOP');
      lab.succeeded = true;
    } finally {
      await lab.destroy();
    }
    const alive = pids.filter((pid) => processInfo(pid)?.alive);
    assert.deepEqual(alive, [], `Chromium processes survived the teardown: ${alive.map((pid) => processInfo(pid)?.argv[0])}`);
  });

  labTest('kill() is a crashed browser: its processes are gone and the daemon keeps running', { timeout: 60_000, skip },
    async (lab) => {
      const a1 = await lab.addHost('a1', { subnet: 'a' });
      await a1.startDaemon(['--no-scan']);
      const first = await a1.openBrowser();
      const pids = await first.processIds();
      const disconnected = new Promise((resolve) => first.context.on('close', resolve));
      await first.kill();
      await disconnected;
      assert.deepEqual(pids.filter((pid) => processInfo(pid)?.alive), []);
      assert.equal((await a1.health()).id, a1.id, 'the daemon still answers');
      const second = await a1.openBrowser();
      assert.notEqual(second.pid, first.pid);
      assert.match(second.logText(), /launch in/);
    });

  labTest('profileOf reopens a killed browser on its profile: IndexedDB written before the crash is there',
    { timeout: 60_000, skip }, async (lab, t) => {
      const a1 = await lab.addHost('a1', { subnet: 'a' });
      await a1.startDaemon(['--no-scan']);
      const first = await a1.openBrowser();
      await first.page.evaluate(async () => {
        localStorage.setItem('lab.probe', 'set just before the crash');
        const db = await new Promise((resolve, reject) => {
          const request = indexedDB.open('lab', 1);
          request.onupgradeneeded = () => request.result.createObjectStore('kv');
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        await new Promise((resolve, reject) => {
          const transaction = db.transaction('kv', 'readwrite');
          transaction.objectStore('kv').put('written before the crash', 'probe');
          transaction.oncomplete = resolve;
          transaction.onerror = () => reject(transaction.error);
        });
      });
      await first.kill();
      const second = await a1.openBrowser({ profileOf: first });
      assert.equal(second.profileDir, first.profileDir);
      const found = await second.page.evaluate(async () => {
        const db = await new Promise((resolve, reject) => {
          const request = indexedDB.open('lab', 1);
          request.onupgradeneeded = () => request.result.createObjectStore('kv');
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        const value = await new Promise((resolve) => {
          const request = db.transaction('kv').objectStore('kv').get('probe');
          request.onsuccess = () => resolve(request.result ?? null);
        });
        return { indexedDb: value, localStorage: localStorage.getItem('lab.probe') };
      });
      // Chromium writes localStorage to disk seconds after a change: what a crash takes with it is not asserted.
      t.diagnostic(`after the crash: localStorage ${found.localStorage === null ? 'lost' : 'kept'} the last write`);
      assert.equal(found.indexedDb, 'written before the crash');
      await assert.rejects(a1.openBrowser({ profileOf: second }), /must be a closed or killed browser/);
    });
});
