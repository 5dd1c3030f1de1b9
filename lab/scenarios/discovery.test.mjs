// Discovery scenarios: broadcast, scan/inbound/manual/persisted across a
// router, going offline, and hostile input. Each test builds its own lab.
// Run: node --test lab/scenarios/   (one test: add --test-name-pattern=hostile)

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  ForgedPeer, Kind, Offset, decodeAnnouncement, encodeAnnouncement, findPeer, generateIdentity,
  kSubnetA, kSubnetB, labSuite, labTest, waitFor, waitForPeer,
} from '../lib/index.mjs';

const kPort = 3001;

await labSuite('discovery', () => {
  labTest('three hosts on one subnet find each other by broadcast within 1 s', {}, async (lab) => {
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

    for (const observer of hosts) {
      const peers = await observer.peers();
      for (const other of hosts.filter((h) => h !== observer)) {
        const peer = findPeer(peers, other.id);
        assert.equal(peer.name, other.name);
        assert.equal(peer.addresses[0], `${other.ip}:${kPort}`, 'address = packet source IP + http port');
      }
      assert.equal(findPeer(peers, observer.id), undefined, `${observer.name} must not list itself`);
    }
  });

  const twoSubnets = { subnets: [kSubnetA, kSubnetB], timeout: 90_000 };
  labTest('scan, inbound, manual and persisted peers across a router', twoSubnets, async (lab, t) => {
    const c = await lab.addHost('c', { subnet: 'b', ip: '203.0.113.10' });
    const a = await lab.addHost('a', { subnet: 'a', ip: '198.51.100.10' });
    const b = await lab.addHost('b', { subnet: 'a', ip: '198.51.100.11' });
    await c.startDaemon(); // subnet b first, so the scan and the manual peer find it
    await a.startDaemon(['--scan', '203.0.113.0/24']);
    await b.startDaemon(['--peer', `${c.ip}:${kPort}`]);

    const cAtA = await waitForPeer(a, c, { source: 'scan', timeout: 15_000 });
    assert.equal(cAtA.addresses[0], `${c.ip}:${kPort}`);
    assert.ok(!cAtA.sources.includes('broadcast'), `broadcast must not cross the router: ${JSON.stringify(cAtA)}`);

    const aAtC = await waitForPeer(c, a, { source: 'inbound', timeout: 5000 });
    assert.equal(aAtC.addresses[0], `${a.ip}:${kPort}`, 'inbound address = TCP source address');

    const cAtB = await waitForPeer(b, c, { source: 'manual', timeout: 5000 });
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

    const allowed = new Set(); // ids that may appear in the target's peer list
    const send = (packet) => attacker.sendUdp(packet, target.ip, kPort);

    // A fresh valid announcement is processed after everything sent before it
    // on the same socket, so once it shows up, the earlier packets were handled.
    async function barrier(label) {
      const marker = new ForgedPeer({ name: `marker-${label}`.slice(0, 64) });
      allowed.add(marker.id);
      await send(marker.packet());
      const peers = await waitFor(() => target.peers(), {
        timeout: 3000, interval: 50, what: `marker sent after "${label}" to be listed`,
        until: (list) => findPeer(list, marker.id)?.online === true,
      });
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
});

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
  add('wrong version', (p) => signedWith(p, { version: 2 }));
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
