// The managed TURN relay (`peerdropd --turn`, docs/architecture.md "The TURN
// relay") with Debian's real coturn: host r runs the daemon with the relay,
// host c (same subnet) is a TURN client. Credentials come from r's UI
// WebSocket (`ice_servers`), as a browser gets them; expired and forged ones
// are made here with node:crypto from the secret in r's data dir and must be
// refused with 401. coturn killed: the daemon restarts it. The secrets (the
// relay's and a configured server's) must appear nowhere a person or a page
// could see them. Nothing leaves the lab: the relay listens on r's lab address.
// Run: node lab/run.mjs lab/scenarios/relay.test.mjs

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  kSubnetA, kSubnetB, labSuite, labTest, missingToolsReason, unavailableTest, waitFor, waitForPeer, waitForRelay,
} from '../lib/index.mjs';
import { TurnSession, stunBinding, turnAllocate, turnRestCredential } from '../lib/turn_client.mjs';

const kTurnPort = 3478;
const kUserSecret = 'LAB-CONFIGURED-REST-SECRET-7f3a';
const kTools = ['/usr/bin/turnserver', '/usr/bin/turnutils_uclient', '/usr/bin/turnutils_peer'];
const kEchoPort = 3480; // turnutils_peer's
const kProbePort = 47000; // where the relay-reach test listens for what the relay forwards
const missingCoturn = missingToolsReason(kTools, 'coturn');

function relayFiles(host) {
  const dir = path.join(host.dataDir, 'relay');
  return { dir, secret: path.join(dir, 'secret'), log: path.join(dir, 'coturn.log'), pid: path.join(dir, 'turnserver.pid') };
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** turnserver's pid from its pid file, once it has written it. */
async function turnserverPid(files, { other } = {}) {
  return waitFor(() => (existsSync(files.pid) ? Number(readFileSync(files.pid, 'utf8')) : undefined), {
    timeout: 5000, interval: 20, what: `turnserver's pid file ${files.pid}${other ? ` with a pid other than ${other}` : ''}`,
    until: (pid) => pid > 0 && pid !== other && alive(pid),
  });
}

async function relayHealth(host) {
  return (await host.health()).relay;
}

/** Asks r's daemon for ICE servers as the UI does; returns the relay's entry (turn: URLs with credentials). */
async function relayEntry(ui, host, ref) {
  await ui.send({ type: 'ice_servers', peer: 'nobody-in-particular', ref });
  const [answer] = await ui.waitForType('ice_servers', { filter: (m) => m.ref === ref });
  const entry = answer.iceServers.find((s) => [].concat(s.urls).some((u) => u.startsWith(`turn:${host.ip}:`)));
  return { answer, entry };
}

/**
 * turnutils_uclient from `client`: a few packets through the relay to the
 * echo peer (turnutils_peer) at `peer` and back (exit 0), over UDP or TCP.
 * Not client to client (-y): both relayed addresses would be the relay
 * host's own, which it may not reach.
 */
async function uclient(client, server, { username, password, peer, tcp = false }) {
  const args = ['turnutils_uclient', '-c', '-n', '3', '-m', '1', ...(tcp ? ['-t'] : []),
    '-e', peer, '-r', String(kEchoPort), '-u', username, '-w', password, '-p', String(kTurnPort), server];
  return client.exec(args, { timeout: 15_000 });
}

/** Starts turnutils_peer (an echo) on `host` and waits until it listens. */
async function startEchoPeer(host) {
  host.spawn(['turnutils_peer', '-L', host.ip, '-p', String(kEchoPort)]);
  await waitFor(() => host.exec(['ss', '-Hlnu']), {
    timeout: 5000, interval: 50, what: `turnutils_peer to listen on ${host.ip}:${kEchoPort}`,
    until: (listening) => listening.includes(`${host.ip}:${kEchoPort}`),
  });
}

if (missingCoturn) {
  unavailableTest('relay', missingCoturn);
} else {
  await labSuite('relay', () => {
    labTest('a daemon with --turn runs coturn, hands out working credentials, refuses bad ones and restarts it',
      { subnets: [kSubnetA], timeout: 90_000 }, async (lab, t) => {
        const r = await lab.addHost('r', { subnet: 'a', ip: '198.51.100.10' });
        const c = await lab.addHost('c', { subnet: 'a', ip: '198.51.100.11' });
        const echo = await lab.addHost('echo', { subnet: 'a', ip: '198.51.100.12' });
        await startEchoPeer(echo);
        await r.startDaemon(['--no-scan', '--turn']);
        const files = relayFiles(r);

        const running = await waitFor(() => relayHealth(r), {
          timeout: 10_000, interval: 50, what: "r's relay to be running", until: (relay) => relay?.state === 'running',
        });
        assert.equal(running.port, kTurnPort);
        const secret = readFileSync(files.secret, 'utf8');
        assert.match(secret, /^[0-9a-f]{64}$/);
        const firstPid = await turnserverPid(files);
        const cmdline = readFileSync(`/proc/${firstPid}/cmdline`, 'utf8').split('\0');
        assert.deepEqual(cmdline.slice(1, 3), ['-c', path.join(files.dir, 'turnserver.conf')], 'turnserver reads our file only');
        assert.ok(!cmdline.join(' ').includes(secret), 'the secret is not on the command line');

        // A configured TURN server with a shared secret: credentials are derived, the secret stays in the daemon.
        const put = await r.fetch('/api/settings', {
          method: 'PUT', body: { iceServers: [{ urls: ['turn:198.51.100.99:3478?transport=udp'], secret: kUserSecret }] },
        });
        assert.equal(put.status, 200, put.body);

        const ui = await r.openUi();
        const relayMessage = await ui.waitFor(() => ui.ofType('relay').at(-1), { what: 'a relay message' });
        assert.equal(relayMessage.relay.state, 'running');
        const { answer, entry } = await relayEntry(ui, r, 'first');
        assert.ok(entry, `the relay in ice_servers: ${JSON.stringify(answer.iceServers)}`);
        assert.deepEqual([].concat(entry.urls), [
          `turn:${r.ip}:${kTurnPort}?transport=udp`, `turn:${r.ip}:${kTurnPort}?transport=tcp`]);
        const [expiry, user] = entry.username.split(':');
        assert.equal(user, r.id, 'credentials are issued to the daemon whose UI asked');
        const lifetime = Number(expiry) - Date.now() / 1000;
        assert.ok(lifetime > 23 * 3600 && lifetime <= 24 * 3600 + 5, `credentials last a day (${lifetime} s)`);
        const configured = answer.iceServers.find((s) => [].concat(s.urls)[0].includes('198.51.100.99'));
        assert.equal(configured.credential, turnRestCredential(kUserSecret, Number(configured.username.split(':')[0]), r.id).password);
        assert.ok(!('secret' in configured));

        // The daemon's credentials work, from another host, over UDP and TCP.
        const allocated = await waitFor(() => turnAllocate(c, { server: r.ip, username: entry.username, password: entry.credential }), {
          timeout: 5000, interval: 100, what: 'an allocation with the daemon\'s credentials', until: (result) => result.ok,
        });
        assert.match(allocated.relayed, /^198\.51\.100\.10:\d+$/);
        const udp = await uclient(c, r.ip, { username: entry.username, password: entry.credential, peer: echo.ip });
        t.diagnostic(`turnutils_uclient over UDP: ${udp.trim().split('\n').at(-3)}`);
        await uclient(c, r.ip, { username: entry.username, password: entry.credential, peer: echo.ip, tcp: true });
        // Browsers also send a STUN Binding to every TURN server: unanswered, their candidate gathering lasts 40 s.
        assert.match(await stunBinding(c, { server: r.ip }) ?? 'no answer', new RegExp(`^${c.ip.replaceAll('.', '\\.')}:\\d+$`),
          'the relay answers a STUN Binding with the client\'s address');

        // Expired (derived here from the secret, one minute in the past) and forged: 401.
        const expired = turnRestCredential(secret, Math.floor(Date.now() / 1000) - 60, r.id);
        assert.deepEqual(await turnAllocate(c, { server: r.ip, ...expired }), { ok: false, code: 401, reason: 'Unauthorized' });
        const forged = turnRestCredential('not-the-secret', Math.floor(Date.now() / 1000) + 3600, r.id);
        assert.deepEqual(await turnAllocate(c, { server: r.ip, ...forged }), { ok: false, code: 401, reason: 'Unauthorized' });
        const tampered = { username: entry.username.replace(/^\d+/, String(Number(expiry) + 86_400)), password: entry.credential };
        assert.equal((await turnAllocate(c, { server: r.ip, ...tampered })).code, 401, 'a later expiry needs a new password');
        await assert.rejects(uclient(c, r.ip, { username: expired.username, password: expired.password, peer: echo.ip }));

        // coturn killed: restarted (after 1 s), and allocations work again.
        process.kill(firstPid, 'SIGKILL');
        await ui.waitFor(() => ui.ofType('relay').find((m) => m.relay.state === 'restarting'), {
          timeout: 5000, what: 'the relay to be restarting',
        });
        const again = await waitFor(() => relayHealth(r), {
          timeout: 10_000, interval: 50, what: "r's relay to run again", until: (relay) => relay?.state === 'running',
        });
        assert.equal(again.port, kTurnPort);
        const secondPid = await turnserverPid(files, { other: firstPid });
        const restarted = ui.ofType('relay').at(-1).relay;
        assert.equal(restarted.restarts, 1);
        await waitFor(() => turnAllocate(c, { server: r.ip, username: entry.username, password: entry.credential }), {
          timeout: 5000, interval: 100, what: 'an allocation on the restarted relay', until: (result) => result.ok,
        });
        assert.match(r.daemon.log(), /TURN relay \(coturn\) was killed by SIGKILL after [\d.]+ (s|min); restarting in 1 s/);

        // The secrets appear nowhere a person or a page sees.
        const settings = await r.fetch('/api/settings');
        const seen = {
          'the daemon log': r.daemon.log(),
          'coturn.log': readFileSync(files.log, 'utf8'),
          'GET /api/settings': settings.body,
          'GET /api/health': (await r.fetch('/api/health')).body,
          'the UI WebSocket': JSON.stringify(ui.messages),
        };
        assert.deepEqual(settings.json.iceServers, [{ urls: ['turn:198.51.100.99:3478?transport=udp'], secretSet: true }]);
        for (const [where, text] of Object.entries(seen)) {
          assert.ok(text.length > 0, `${where} is not empty`);
          assert.ok(!text.includes(secret), `the relay's secret appears in ${where}`);
          assert.ok(!text.includes(kUserSecret), `the configured secret appears in ${where}`);
        }

        // A daemon that dies takes its coturn with it (PR_SET_PDEATHSIG), even by SIGKILL.
        r.daemon.kill('SIGKILL');
        await r.daemon.exited;
        await waitFor(() => alive(secondPid), {
          timeout: 5000, interval: 50, what: 'turnserver to be gone with its daemon', until: (isAlive) => !isAlive,
        });
      });

    // Issue 16, items 1 and 4: credentials only for a peer whose key was
    // proven and whom the user trusts; with them, the relay reaches the
    // hosts of its discovery subnets and nothing else.
    labTest('relay credentials only for a peer the user trusts; it cannot reach the relay host, a container bridge ' +
      'there or another subnet', { subnets: [kSubnetA, kSubnetB], timeout: 120_000 }, async (lab, t) => {
      const r = await lab.addHost('r', { subnet: 'a', ip: '198.51.100.10' });
      const p = await lab.addHost('p', { subnet: 'a', ip: '198.51.100.11' }); // a peer r's user trusts
      const e = await lab.addHost('e', { subnet: 'a', ip: '198.51.100.12' }); // a fresh identity on the LAN
      const lan = await lab.addHost('lan', { subnet: 'a', ip: '198.51.100.13' }); // another host of r's subnet
      const far = await lab.addHost('far', { subnet: 'b', ip: '203.0.113.10' }); // routed, outside r's discovery subnets
      // A container bridge on r, as Docker makes one: 172.17.0.1/16 on docker0.
      await r.exec(['ip', 'link', 'add', 'docker0', 'type', 'bridge']);
      await r.exec(['ip', 'addr', 'add', '172.17.0.1/16', 'dev', 'docker0']);
      await r.exec(['ip', 'link', 'set', 'docker0', 'up']);

      await r.startDaemon(['--no-scan', '--turn']);
      await waitFor(() => relayHealth(r), {
        timeout: 10_000, interval: 50, what: "r's relay to be running", until: (relay) => relay?.state === 'running',
      });
      assert.match(r.daemon.log(), /not on docker0: container, virtual machine or VPN links/);
      const conf = readFileSync(path.join(relayFiles(r).dir, 'turnserver.conf'), 'utf8');
      assert.deepEqual(conf.split('\n').filter((l) => l.startsWith('allowed-peer-ip=')),
        ['allowed-peer-ip=198.51.100.1-198.51.100.254'],
        'the relay may reach the hosts of its subnet (its own LAN address too: its user\'s browser is there), nothing else');
      assert.deepEqual(conf.split('\n').filter((l) => l.startsWith('listening-ip=')), ['listening-ip=198.51.100.10']);

      await p.startDaemon(['--no-scan']);
      await e.startDaemon(['--no-scan']);
      await Promise.all([waitForPeer(r, p, { verified: true, timeout: 15_000 }),
        waitForPeer(r, e, { verified: true, timeout: 15_000 })]);

      // Both ask at once; r's user has connected to neither and trusts neither: refused, in words.
      for (const who of ['p', 'e']) {
        await waitFor(() => r.daemon.log(), {
          timeout: 15_000, interval: 100, what: `r to refuse ${who} relay credentials`,
          until: (log) => log.includes(`refused relay credentials to "${who}"`),
        });
      }
      assert.match(r.daemon.log(), /refused relay credentials to "e" \(\w+…\): this computer's user has never connected to it and does not trust it/);
      await waitFor(() => e.daemon.log(), {
        timeout: 5000, interval: 100, what: "e to log r's refusal",
        until: (log) => log.includes('gives no credentials for its TURN relay: "not_trusted"'),
      });

      // r's user puts p on the "always accept" list: p's next request gets credentials; e stays refused.
      const trust = await r.fetch('/api/settings', { method: 'PUT', body: { autoAccept: [p.id] } });
      assert.equal(trust.status, 200, trust.body);
      await waitForRelay(p, r, { relay: 'ready', timeout: 45_000 });
      assert.match(r.daemon.log(), /gave relay credentials to "p"/);
      assert.doesNotMatch(r.daemon.log(), /gave relay credentials to "e"/);
      assert.equal((await e.peers()).find((peer) => peer.id === r.id)?.relay, 'offered');

      // p's page gets r's relay for a connection with r, and not for one with e.
      const ui = await p.openUi();
      await ui.send({ type: 'ice_servers', peer: r.id, ref: 'with-r' });
      const [withR] = await ui.waitForType('ice_servers', { filter: (m) => m.ref === 'with-r' });
      const entry = withR.iceServers.find((s) => [].concat(s.urls).some((u) => u.startsWith(`turn:${r.ip}:`)));
      assert.ok(entry?.username?.endsWith(`:${p.id}`), `r's relay, issued to p: ${JSON.stringify(withR.iceServers)}`);
      await ui.send({ type: 'ice_servers', peer: e.id, ref: 'with-e' });
      const [withE] = await ui.waitForType('ice_servers', { filter: (m) => m.ref === 'with-e' });
      assert.ok(!withE.iceServers.some((s) => [].concat(s.urls).some((u) => u.startsWith(`turn:${r.ip}:`))),
        `r's relay is not offered for a connection with e: ${JSON.stringify(withE.iceServers)}`);

      // With those credentials, p allocates on r's relay and asks it to reach each target.
      const session = new TurnSession(p, { server: r.ip, username: entry.username, password: entry.credential });
      const allocated = await session.allocate();
      assert.ok(allocated.ok, JSON.stringify(allocated));
      const denied = [
        { what: "r's loopback", host: r, ip: '127.0.0.1' },
        { what: "r's container bridge", host: r, ip: '172.17.0.1' },
        { what: 'a container behind that bridge', ip: '172.17.0.2' },
        { what: 'a host outside the discovery subnets', host: far, ip: far.ip },
      ];
      for (const target of denied) {
        assert.deepEqual(await session.createPermission(target.ip), { ok: false, code: 403, reason: 'Forbidden IP' },
          `a permission for ${target.what} (${target.ip})`);
      }
      assert.deepEqual(await session.createPermission(lan.ip), { ok: true }, 'a permission for a host of the LAN');
      // r's own browser is at r's LAN address: a connection with r through r's relay reaches it.
      assert.deepEqual(await session.createPermission(r.ip), { ok: true }, "a permission for r's own LAN address");

      // And what it sends there: the LAN host gets it; the others, sent first each round, get nothing.
      const listening = denied.filter((target) => target.host).map((target) => ({
        ...target, received: target.host.receiveUdp(kProbePort, { address: target.ip, timeoutMs: 6000 }),
      }));
      let delivered;
      const received = lan.receiveUdp(kProbePort, { address: lan.ip, timeoutMs: 6000 }).then((d) => { delivered = d; });
      await waitFor(async () => {
        for (const target of denied) await session.send(target.ip, kProbePort, `to ${target.what}`);
        await session.send(lan.ip, kProbePort, 'to the LAN');
        return delivered;
      }, { timeout: 6000, interval: 250, what: 'a datagram relayed to the LAN host', until: (d) => d?.length > 0 });
      await received;
      assert.equal(delivered[0].data.toString(), 'to the LAN');
      assert.equal(delivered[0].address, r.ip, 'it came from the relayed address');
      for (const target of listening) {
        assert.deepEqual(await target.received, [], `nothing relayed to ${target.what} (${target.ip})`);
      }
      t.diagnostic(`allocated ${allocated.relayed}; 403 for ${denied.map((target) => target.ip).join(', ')}`);
    });

    labTest('--turn without a usable port or with --loopback', { subnets: [kSubnetA], timeout: 60_000 }, async (lab) => {
      const r = await lab.addHost('r', { subnet: 'a', ip: '198.51.100.10' });
      // A port browsers refuse stops the start with one line.
      await assert.rejects(r.startDaemon(['--no-scan', '--turn', '--turn-port', '1000']), /exited during start-up/);
      assert.match(r.daemon.log(), /--turn: TURN port 1000 cannot be used: browsers refuse/);
      // Loopback mode: coturn listens on 127.0.0.1 only, and stops with the daemon.
      await r.startDaemon(['--loopback', '--turn']);
      await waitFor(() => relayHealth(r), {
        timeout: 10_000, interval: 50, what: 'the loopback relay to run', until: (relay) => relay?.state === 'running',
      });
      const files = relayFiles(r);
      const conf = readFileSync(path.join(files.dir, 'turnserver.conf'), 'utf8');
      assert.deepEqual(conf.split('\n').filter((l) => l.startsWith('listening-ip=')), ['listening-ip=127.0.0.1']);
      assert.match(conf, /^allow-loopback-peers$/m);
      const listening = await r.exec(['ss', '-Hlnup']);
      const turnLines = listening.split('\n').filter((l) => l.includes('turnserver'));
      assert.ok(turnLines.length > 0, listening);
      for (const line of turnLines) assert.match(line, /127\.0\.0\.1:/);
      const pid = await turnserverPid(files);
      const { code } = await r.stopDaemon('SIGTERM');
      assert.equal(code, 0);
      assert.ok(!alive(pid), 'turnserver stopped with the daemon');
    });
  });
}
