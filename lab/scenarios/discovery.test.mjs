// Discovery scenarios: broadcast, scan/inbound/manual/persisted across a
// router, going offline, hostile input, a spoofed announcement naming a port
// that is not a daemon's, and a flood of fresh identities. An announcement
// only makes its source address a candidate: it becomes one of the peer's
// `addresses` (and the peer `verified`, listed by the web UI) once a TLS
// handshake there proved the peer's key. Each test builds its own lab.
// Run: node --test lab/scenarios/   (one test: add --test-name-pattern=hostile)

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  ForgedPeer, Kind, Offset, decodeAnnouncement, encodeAnnouncement, findPeer, generateIdentity,
  kSubnetA, kSubnetB, labSuite, labTest, waitFor, waitForPeer,
} from '../lib/index.mjs';

const kPort = 3001;
const kOutdatedPort = 3999; // the http port a version 1 (outdated) forged peer announces
const kProbedPort = 3998; // the http port a version 2 forged peer announces
const kDiscardPort = 9; // nothing listens there
const kFloodSize = 1000;
const kFloodChunk = 100;

await labSuite('discovery', () => {
  labTest('three hosts on one subnet find each other by broadcast within 1 s and prove each address', {}, async (lab, t) => {
    const hosts = [];
    for (const [i, name] of ['a', 'b', 'c'].entries()) {
      hosts.push(await lab.addHost(name, { subnet: 'a', ip: `198.51.100.${10 + i}` }));
    }
    for (const host of hosts) await host.startDaemon();
    const deadline = Date.now() + 1000;

    await Promise.all(hosts.map((observer) => {
      const others = hosts.filter((h) => h !== observer);
      return waitFor(() => observer.peers(), {
        timeout: Math.max(0, deadline - Date.now()),
        interval: 50,
        what: `${observer.name} to list ${others.map((h) => h.name).join(' and ')} online with source "broadcast"`,
        until: (peers) => others.every((other) => {
          const peer = findPeer(peers, other.id);
          return peer?.online === true && peer.sources.includes('broadcast');
        }),
      });
    }));

    // Each source address is proven by a handshake there (what the web UI waits for to list the peer).
    for (const observer of hosts) {
      for (const other of hosts.filter((h) => h !== observer)) {
        const peer = await waitForPeer(observer, other, { verified: true, address: `${other.ip}:${kPort}`, timeout: 2000 });
        assert.equal(peer.name, other.name);
        assert.equal(peer.addresses[0], `${other.ip}:${kPort}`, 'address = packet source IP + http port, proven');
        assert.deepEqual(peer.candidates, [], 'nothing left to prove');
      }
      assert.equal(findPeer(await observer.peers(), observer.id), undefined, `${observer.name} must not list itself`);
    }
    t.diagnostic(`all listed online within 1 s, every address proven ${Date.now() - deadline + 1000} ms after the last daemon started`);
  });

  const twoSubnets = { subnets: [kSubnetA, kSubnetB], timeout: 90_000 };
  labTest('scan, inbound, manual and persisted peers across a router', twoSubnets, async (lab, t) => {
    const c = await lab.addHost('c', { subnet: 'b', ip: '203.0.113.10' });
    const a = await lab.addHost('a', { subnet: 'a', ip: '198.51.100.10' });
    const b = await lab.addHost('b', { subnet: 'a', ip: '198.51.100.11' });
    await c.startDaemon(); // subnet b first, so the scan and the manual peer find it
    await a.startDaemon(['--scan', '203.0.113.0/24']);
    await b.startDaemon(['--peer', `${c.ip}:${kPort}`]);

    const cAtA = await waitForPeer(a, c, { source: 'scan', address: `${c.ip}:${kPort}`, timeout: 15_000 });
    assert.equal(cAtA.addresses[0], `${c.ip}:${kPort}`);
    assert.equal(cAtA.verified, true);
    assert.ok(!cAtA.sources.includes('broadcast'), `broadcast must not cross the router: ${JSON.stringify(cAtA)}`);

    // C learns A from the channel A opened: its source address is a candidate until C's own handshake there proves it.
    const aAtC = await waitForPeer(c, a, { source: 'inbound', address: `${a.ip}:${kPort}`, timeout: 5000 });
    assert.equal(aAtC.addresses[0], `${a.ip}:${kPort}`, 'inbound address = the channel\'s TCP source address, proven');

    const cAtB = await waitForPeer(b, c, { source: 'manual', address: `${c.ip}:${kPort}`, timeout: 5000 });
    assert.equal(cAtB.addresses[0], `${c.ip}:${kPort}`);

    const restartedAt = Date.now();
    await a.daemon.restart([]); // same data dir, no --scan
    const again = await waitForPeer(a, c, { online: true, source: 'persisted', timeout: 5000 });
    assert.ok(again.lastSeen >= restartedAt, `C must be heard after the restart, not just loaded: ${JSON.stringify(again)}`);
    t.diagnostic(`after restart A lists C as ${JSON.stringify(again)}`);
  });

  labTest('peers go offline: SIGKILL within 5 s, SIGTERM (goodbye) within 1 s', {}, async (lab, t) => {
    const a = await lab.addHost('a', { subnet: 'a' });
    const b = await lab.addHost('b', { subnet: 'a' });
    const c = await lab.addHost('c', { subnet: 'a' });
    for (const host of [a, b, c]) await host.startDaemon(); // --announce-interval 1: offline after 3.5 s
    for (const [observer, target] of [[a, b], [a, c], [c, b]]) await waitForPeer(observer, target, { timeout: 3000 });

    const killedAt = Date.now();
    b.daemon.kill('SIGKILL');
    await Promise.all([a, c].map((observer) => waitForPeer(observer, b, { online: false, timeout: 5000 })));
    t.diagnostic(`SIGKILL'd peer offline after ${Date.now() - killedAt} ms`);
    assert.equal((await b.daemon.exited).signal, 'SIGKILL');

    const stoppedAt = Date.now();
    const [exit] = await Promise.all([
      c.stopDaemon('SIGTERM', { timeout: 1000 }),
      waitForPeer(a, c, { online: false, timeout: 1000, what: 'a to list c offline within 1 s of its SIGTERM (goodbye)' }),
    ]);
    t.diagnostic(`SIGTERM'd peer offline and exited after ${Date.now() - stoppedAt} ms`);
    assert.deepEqual(exit, { code: 0, signal: null }, 'SIGTERM must end peerdropd with exit code 0');
  });

  labTest('hostile UDP and HTTP input is dropped and the daemon keeps serving', { timeout: 90_000 }, async (lab, t) => {
    const target = await lab.addHost('t', { subnet: 'a', ip: '198.51.100.10' });
    const attacker = await lab.addHost('x', { subnet: 'a', ip: '198.51.100.20' });
    const bystander = await lab.addHost('y', { subnet: 'a', ip: '198.51.100.30' });
    await target.startDaemon();
    const healthUrl = `${target.daemon.baseUrl}/api/health`;

    // Our codec agrees with the daemon's: its own signed reply packet decodes and verifies.
    const health = await target.health();
    const own = decodeAnnouncement(Buffer.from(health.announcement, 'base64'));
    assert.equal(own.signatureValid, true, 'health announcement signature');
    assert.equal(own.id, health.id);
    assert.equal(own.kind, Kind.reply);

    // Nothing listens on the attacker's port 3001 and its SYNs are dropped, so the target's
    // handshakes at the forged peers' candidate addresses hang until they time out (5 s each):
    // the forged peers stay listed, unverified, for the whole test instead of being forgotten
    // after their 5th refused try. Two more ports count the SYNs sent to them.
    await attacker.iptables(`-A INPUT -p tcp --syn --dport ${kPort} -j DROP`);
    for (const port of [kOutdatedPort, kProbedPort]) {
      await attacker.iptables(`-A INPUT -p tcp --syn --dport ${port} -m comment --comment syn-${port}`);
    }

    const allowed = new Set(); // ids that may appear in the target's peer list
    const send = (packet) => attacker.sendUdp(packet, target.ip, kPort);

    // A valid announcement is processed after everything sent before it on
    // the same socket, so once it shows up, the earlier packets were handled.
    // One marker identity renamed for each barrier: new identities from one
    // address are rationed (16 a minute).
    const marker = new ForgedPeer({ name: 'marker' });
    allowed.add(marker.id);
    async function barrier(label) {
      const name = `marker-${label}`.replace(/[^\w -]+/g, '-').slice(0, 64);
      await send(marker.packet(Kind.announce, { name }));
      const peers = await waitFor(() => target.peers(), {
        timeout: 3000, interval: 50, what: `marker sent after "${label}" to be listed`,
        until: (list) => findPeer(list, marker.id)?.name === name,
      });
      const listed = findPeer(peers, marker.id);
      assert.equal(listed.verified, false, `a forged marker is listed but never verified: ${JSON.stringify(listed)}`);
      assert.deepEqual(listed.addresses, [], 'nothing proved the marker\'s key anywhere');
      const intruders = peers.filter((peer) => !allowed.has(peer.id));
      assert.deepEqual(intruders, [], `after "${label}" the peer list gained entries it must not have`);
      const res = await target.fetch('/api/health');
      assert.equal(res.status, 200, `health after "${label}"`);
      return peers;
    }

    await barrier('start');

    for (const { what, packet } of malformedPackets()) {
      await send(packet);
      await barrier(what);
    }

    // Version 1 (a daemon that does not speak the TLS channel): listed as outdated, never connected to.
    // A version 2 peer announced after it is tried at once: by then the outdated one would have been too.
    const outdated = new ForgedPeer({ name: 'outdated', httpPort: kOutdatedPort });
    const probed = new ForgedPeer({ name: 'probed', httpPort: kProbedPort });
    allowed.add(outdated.id).add(probed.id);
    await send(outdated.packet(Kind.announce, { version: 1 }));
    await send(probed.packet());
    await waitFor(() => synCount(attacker, kProbedPort), {
      timeout: 3000, interval: 50, what: `a handshake at the version 2 peer's port ${kProbedPort}`, until: (n) => n > 0,
    });
    const old = findPeer(await target.peers(), outdated.id);
    t.diagnostic(`version 1 peer: ${JSON.stringify(old)}`);
    assert.equal(old?.outdated, true, `a version 1 packet lists its peer as outdated: ${JSON.stringify(old)}`);
    assert.equal(old.verified, false);
    assert.equal(await synCount(attacker, kOutdatedPort), 0, 'an outdated peer is never connected to');

    // Replay: F announces (counter 1), says goodbye (2), then counter 1 is replayed.
    const f = new ForgedPeer({ name: 'replayed' });
    allowed.add(f.id);
    const firstAnnounce = f.packet(Kind.announce);
    await send(firstAnnounce);
    await waitForPeer(target, f, { online: true, timeout: 2000 });
    await send(f.packet(Kind.goodbye));
    await waitForPeer(target, f, { online: false, timeout: 1000 });
    await send(firstAnnounce);
    const afterReplay = await barrier('replayed announce');
    assert.equal(findPeer(afterReplay, f.id).online, false, 'a replayed announce must not bring F back online');
    assert.equal(findPeer((await target.peers()), outdated.id).verified, false, 'the outdated peer is still unverified');
    assert.equal(await synCount(attacker, kOutdatedPort), 0, 'the outdated peer is still never connected to');

    // HTTP garbage from the attacker host.
    const toTarget = { host: target.ip, port: kPort, maxDurationMs: 12_000 };
    const random = await attacker.rawTcp({ ...toTarget, data: crypto.randomBytes(4096) });
    t.diagnostic(`random bytes: ${describeOutcome(random)}`);
    assert.notEqual(random.closedBy, 'client', `random bytes: connection left open ${JSON.stringify(summary(random))}`);
    assert.ok(random.status === undefined || random.status === 400, `random bytes: ${JSON.stringify(summary(random))}`);

    const filler = 'a'.repeat(64 * 1024);
    const bigHeader = `GET /api/health HTTP/1.1\r\nHost: ${target.ip}:${kPort}\r\nX-Filler: ${filler}\r\n\r\n`;
    const header = await attacker.rawTcp({ ...toTarget, data: bigHeader });
    t.diagnostic(`64 KiB header: ${describeOutcome(header)}`);
    assertRejected(header, 431, '64 KiB header');

    for (const sender of [attacker, target]) {
      const bigBody = Buffer.concat([
        Buffer.from(`POST /api/peers HTTP/1.1\r\nHost: ${target.ip}:${kPort}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${1 << 20}\r\n\r\n`),
        Buffer.alloc(1 << 20, 'a'),
      ]);
      const body = await sender.rawTcp({ ...toTarget, data: bigBody });
      t.diagnostic(`1 MiB body from ${sender.name}: ${describeOutcome(body)}`);
      assertRejected(body, 413, `1 MiB body to POST /api/peers from ${sender.name}`);
    }
    await barrier('HTTP garbage');

    // Slowloris: one byte a second, never finishing; must be cut off (10 s request limit).
    const slowRequest = `GET /api/health HTTP/1.1\r\nHost: ${target.ip}:${kPort}\r\nX-Slow: ${'s'.repeat(60)}`;
    const slowloris = attacker.rawTcp({
      host: target.ip, port: kPort, data: slowRequest, drip: { bytes: 1, intervalMs: 1000 }, maxDurationMs: 20_000,
    });
    let served = 0;
    await waitFor(async () => {
      const res = await bystander.http({ url: healthUrl, timeoutMs: 2000 });
      assert.equal(res.status, 200, `health for a bystander during the slowloris: ${JSON.stringify(res)}`);
      return ++served >= 3;
    }, { timeout: 8000, interval: 1000, what: 'three health answers to a bystander during the slowloris' });
    const slow = await slowloris;
    t.diagnostic(`slowloris: ${describeOutcome(slow)}`);
    assert.notEqual(slow.closedBy, 'client', `slowloris not cut off: ${JSON.stringify(summary(slow))}`);
    assert.ok(slow.durationMs <= 12_500, `slowloris cut off only after ${slow.durationMs} ms (limit 10 s)`);
    assert.ok(slow.status === undefined || slow.status === 408, `slowloris: ${JSON.stringify(summary(slow))}`);

    await barrier('slowloris');
  });

  // The announcement names the attacker's port 9, where nothing listens: without a bound, any host
  // could make every daemon on the LAN knock on any port of any address, forever.
  labTest('a spoofed announcement naming a port that is no daemon costs at most 5 connection attempts, none after a restart', { timeout: 60_000 }, async (lab, t) => {
    const target = await lab.addHost('t', { subnet: 'a', ip: '198.51.100.10' });
    const attacker = await lab.addHost('x', { subnet: 'a', ip: '198.51.100.20' });
    await attacker.iptables(`-A INPUT -p tcp --syn --dport ${kDiscardPort} -m comment --comment syn-${kDiscardPort}`);
    await target.startDaemon();
    const spoofed = new ForgedPeer({ name: 'not-a-daemon', httpPort: kDiscardPort });

    const startedAt = Date.now();
    await attacker.sendUdp(spoofed.packet(), target.ip, kPort);
    await waitFor(() => synCount(attacker, kDiscardPort), {
      timeout: 15_000, interval: 100, what: `5 connection attempts at ${attacker.ip}:${kDiscardPort}`, until: (n) => n >= 5,
    });
    t.diagnostic(`5 attempts within ${Date.now() - startedAt} ms`);

    // Announced again, once per interval of the target's own announcements: no new attempt.
    await announceIntervals(attacker, target, 4, () => attacker.sendUdp(spoofed.packet(), target.ip, kPort));
    assert.equal(await synCount(attacker, kDiscardPort), 5, 'at most 5 attempts, and hearing it again does not start over');
    const entry = findPeer(await target.peers(), spoofed.id);
    t.diagnostic(`the spoofed peer at the target: ${JSON.stringify(entry)}`);
    assert.ok(entry === undefined || (entry.verified === false && entry.addresses.length === 0),
      `a peer no handshake proved is never verified: ${JSON.stringify(entry)}`);

    // Only verified peers are remembered: after a restart it is gone, and nothing knocks at port 9 again.
    await target.daemon.restart();
    await announceIntervals(attacker, target, 4);
    assert.equal(await synCount(attacker, kDiscardPort), 5, 'no attempt after the restart');
    assert.equal(findPeer(await target.peers(), spoofed.id), undefined, 'an unverified peer is not remembered');
  });

  labTest('a flood of 1,000 fresh identities from one host: real peers stay listed and reachable, the list stays bounded, a restart forgets the flood', { timeout: 90_000 }, async (lab, t) => {
    const target = await lab.addHost('t', { subnet: 'a', ip: '198.51.100.10' });
    const a = await lab.addHost('a', { subnet: 'a', ip: '198.51.100.11' });
    const b = await lab.addHost('b', { subnet: 'a', ip: '198.51.100.12' });
    const attacker = await lab.addHost('x', { subnet: 'a', ip: '198.51.100.20' });
    // The target's handshakes at the flood's address hang (SYNs dropped): the admitted
    // identities stay listed while the test looks, and hold the target's connection slots.
    await attacker.iptables(`-A INPUT -p tcp --syn --dport ${kPort} -j DROP`);
    for (const host of [target, a, b]) await host.startDaemon();
    for (const peer of [a, b]) await waitForPeer(target, peer, { verified: true, timeout: 5000 });

    const flood = Array.from({ length: kFloodSize }, (_, i) => new ForgedPeer({ name: `flood-${i}` }));
    const floodIds = new Set(flood.map((peer) => peer.id));
    // In chunks the daemon's UDP receive buffer holds (a burst of 1,000 overflows it and the kernel
    // drops some): each chunk is handled once each of its identities is listed or counted as refused.
    const floodStarted = Date.now();
    const listedFlood = (peers) => peers.filter((peer) => floodIds.has(peer.id));
    let health;
    let peers;
    for (let first = 0; first < kFloodSize; first += kFloodChunk) {
      const chunk = flood.slice(first, first + kFloodChunk);
      const { sent } = await attacker.sendUdpMany(chunk.map((peer) => peer.packet()), target.ip, kPort);
      assert.equal(sent, chunk.length);
      [health, peers] = await waitFor(() => Promise.all([target.health(), target.peers()]), {
        timeout: 5000, interval: 50, what: `the first ${first + chunk.length} flood packets handled (listed or refused)`,
        until: ([h, list]) => h.peers.refused + listedFlood(list).length >= first + chunk.length,
      });
    }
    // 16 new identities a minute from one address (a burst of 16, then one every 3.75 s).
    const allowedNew = 16 + Math.ceil(((Date.now() - floodStarted) / 60_000) * 16);
    const admitted = listedFlood(peers);
    t.diagnostic(`flood of ${kFloodSize}: ${admitted.length} listed, ${health.peers.refused} refused; ` +
      `health peers ${JSON.stringify(health.peers)}`);
    assert.ok(admitted.length >= 1 && admitted.length <= allowedNew,
      `flood identities listed: ${admitted.length} (at most ${allowedNew})`);
    assert.equal(health.peers.refused, kFloodSize - admitted.length, 'every identity not listed is counted as refused');
    assert.ok(health.peers.size <= 2 + allowedNew, `the table holds ${health.peers.size} peers`);
    assert.ok(admitted.every((peer) => !peer.verified), 'no flood identity is verified');
    assert.equal(health.peers.verified, 2, 'the verified peers are the real ones');

    // The real peers: listed, online, verified, with their channels, and a signal still goes through.
    for (const peer of [a, b]) {
      const entry = findPeer(peers, peer.id);
      assert.ok(entry?.online && entry.verified && entry.channel, `${peer.name} after the flood: ${JSON.stringify(entry)}`);
    }
    const uiT = await target.openUi();
    const uiA = await a.openUi();
    await uiT.send({ type: 'signal', ref: 'after-flood', to: a.id, kind: 'offer', session: 'after-flood', payload: { hello: 1 } });
    await uiA.waitFor((messages) => messages.some((m) => m.type === 'signal' && m.session === 'after-flood' && m.from === target.id), {
      timeout: 5000, what: 'a signal from the target after the flood',
    });
    await uiT.waitForType('delivered', { filter: (m) => m.ref === 'after-flood', what: 'delivered after the flood' });

    // Only verified peers are remembered.
    await target.daemon.restart();
    for (const peer of [a, b]) await waitForPeer(target, peer, { verified: true, source: 'persisted', timeout: 5000 });
    const afterRestart = await target.peers();
    assert.deepEqual(listedFlood(afterRestart).map((peer) => peer.name), [], 'no flood identity survives a restart');
    assert.equal(afterRestart.length, 2, `only the real peers: ${JSON.stringify(afterRestart.map((peer) => peer.name))}`);
  });
});

/**
 * Waits until `observer` has heard `count` of the announcements `daemonHost`
 * broadcasts once per announce interval (1 s in the lab), calling `each`
 * before each: a barrier of that many intervals on the daemon's own clock,
 * during which its connection schedule ran several times.
 */
async function announceIntervals(observer, daemonHost, count, each = async () => {}) {
  for (let heard = 0; heard < count;) {
    const listening = observer.receiveUdp(kPort, { count: 1, timeoutMs: 3000 });
    await each();
    const datagrams = await listening;
    if (datagrams.length === 0) throw new Error(`${observer.name} heard no announcement from ${daemonHost.name} within 3 s`);
    const [{ address, data }] = datagrams;
    if (address === daemonHost.ip && decodeAnnouncement(data).kind === Kind.announce) heard += 1;
  }
}

/** SYNs to `port` that reached `host` (counted by its INPUT rule with the comment `syn-<port>`). */
function synCount(host, port) {
  return host.iptablesPackets('INPUT', `syn-${port}`);
}

/** The reply of a rawTcp exchange without the bulky bytes. */
function summary(result) {
  return { ...result, reply: result.reply.toString('latin1').slice(0, 200) };
}

function describeOutcome(result) {
  return `status ${result.status ?? 'none'}, closed by ${result.closedBy}${result.error ? ` (${result.error})` : ''} ` +
    `after ${result.durationMs} ms, ${result.bytesWritten} bytes written`;
}

/** The request must get `status` or be dropped (closed without an answer). */
function assertRejected(result, status, what) {
  const ok = result.status === status || (result.status === undefined && result.closedBy !== 'client');
  assert.ok(ok, `${what}: expected ${status} or a closed connection, got ${JSON.stringify(summary(result))}`);
}

/**
 * Packets a receiver must drop, each from a fresh identity so that any of them
 * getting through shows up as a new peer. All are signed unless said otherwise,
 * so each one is wrong in exactly one way.
 */
function malformedPackets() {
  const packets = [];
  const add = (what, build) => {
    const peer = new ForgedPeer({ name: what.replace(/\W+/g, '-').slice(0, 64) });
    packets.push({ what, packet: build(peer) });
  };
  const signedWith = (peer, overrides) => encodeAnnouncement(
    peer.nextFields(Kind.announce, overrides), peer.identity.privateKey,
  );
  const mutate = (packet, offset, fn) => {
    const copy = Buffer.from(packet);
    copy[offset] = fn(copy[offset]);
    return copy;
  };

  add('garbage bytes', () => crypto.randomBytes(200));
  add('truncated valid packet', (p) => p.packet().subarray(0, -1));
  add('truncated to the header', (p) => p.packet().subarray(0, Offset.name));
  add('valid packet plus a trailing byte', (p) => Buffer.concat([p.packet(), Buffer.from([0])]));
  add('2000-byte packet', (p) => Buffer.concat([p.packet(), Buffer.alloc(2000 - 129 - p.name.length)]));
  add('wrong magic', (p) => signedWith(p, { magic: 'PDRQ' }));
  add('version 0', (p) => signedWith(p, { version: 0 }));
  add('version 3', (p) => signedWith(p, { version: 3 }));
  add('unknown kind', (p) => signedWith(p, { kind: 9 }));
  add('zero http port', (p) => signedWith(p, { httpPort: 0 }));
  add('control character in name', (p) => signedWith(p, { name: 'evil\nname' }));
  add('flipped signature byte', (p) => {
    const packet = p.packet();
    return mutate(packet, packet.length - 64, (byte) => byte ^ 0x01);
  });
  add('name modified after signing', (p) => mutate(p.packet(), Offset.name, (byte) => byte ^ 0x20));
  add('signed by key X, claiming key Y', (p) => {
    const other = generateIdentity();
    const packet = p.packet();
    other.publicKey.copy(packet, Offset.publicKey);
    return packet;
  });
  return packets;
}
