// Self-test of the lab itself (no peerdropd needed): topology, the agent's
// HTTP/UDP/TCP/WebSocket/daemon-channel commands, fault helpers, teardown and
// stale cleanup.
// Run: node --test lab/selftest/

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import {
  Lab, ackFrame, blockNewConnections, cutBetween, generateIdentity, kSubnetA, kSubnetB, labSuite, labTest, makeCertificate,
  peerId, waitFor,
} from '../lib/index.mjs';
import { run } from '../lib/exec.mjs';
import { createNamespace, listNamespaces } from '../lib/netns.mjs';

const kEchoPort = 8080;
// A tiny HTTP server that answers with what it saw.
const kEchoServer = `
  const server = require('http').createServer({ connectionsCheckingInterval: 200 }, (req, res) => {
    let body = '';
    req.on('data', (c) => body += c);
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ method: req.method, url: req.url, body, from: req.socket.remoteAddress }));
    });
  });
  server.headersTimeout = 1500;
  server.requestTimeout = 1500;
  server.listen(${kEchoPort}, '0.0.0.0');
`;

const kChannelPort = 8443;
// A tiny daemon-channel server: TLS 1.3 with the certificate given (key and cert paths),
// a client certificate required (checked here, the way a daemon's verify callback would),
// ALPN peerdrop/2 only. It sends a hello frame carrying the client certificate's raw key and
// a ping, then answers a ping with a pong, our pong with a type-6 frame, anything else with itself.
const kChannelServer = `
  const fs = require('fs');
  const tls = require('tls');
  const [key, cert] = process.argv.slice(1).map((f) => fs.readFileSync(f));
  const frame = (type, payload) => {
    const header = Buffer.alloc(5);
    header.writeUInt32BE(payload.length + 1);
    header[4] = type;
    return Buffer.concat([header, payload]);
  };
  const server = tls.createServer({ key, cert, requestCert: true, rejectUnauthorized: false,
    ALPNProtocols: ['peerdrop/2'], minVersion: 'TLSv1.3' }, (socket) => {
    const peer = socket.getPeerX509Certificate();
    if (!peer) return socket.destroy();
    socket.write(frame(1, Buffer.from(peer.publicKey.export({ format: 'jwk' }).x, 'base64url')));
    socket.write(frame(4, Buffer.from('srvnonce')));
    let buf = Buffer.alloc(0);
    socket.on('data', (data) => {
      buf = Buffer.concat([buf, data]);
      while (buf.length >= 5 && buf.length >= 4 + buf.readUInt32BE(0)) {
        const type = buf[4];
        const payload = buf.subarray(5, 4 + buf.readUInt32BE(0));
        buf = buf.subarray(4 + buf.readUInt32BE(0));
        socket.write(frame(type === 4 ? 5 : type === 5 ? 6 : type, payload));
      }
    });
    socket.on('error', () => {});
  });
  server.on('tlsClientError', () => {});
  server.listen(${kChannelPort}, '0.0.0.0');
`;

async function startEchoServer(host) {
  host.spawn([process.execPath, '-e', kEchoServer], { logName: 'echo' });
  await waitFor(() => host.http({ url: `http://${host.ip}:${kEchoPort}/`, timeoutMs: 500 }), {
    what: `echo server on ${host.name}`, interval: 50, until: (res) => res.status === 200,
  });
}

const kWsPort = 8081;
// A tiny WebSocket server in the style of the daemon's /ws: greets with
// welcome and peers, echoes text frames, refuses Origin http://evil.example,
// drops the connection on the text "drop".
const kWsServer = `
  const crypto = require('crypto');
  const server = require('http').createServer((req, res) => { res.writeHead(404); res.end(); });
  server.on('upgrade', (req, socket) => {
    if (req.headers.origin === 'http://evil.example') {
      socket.end('HTTP/1.1 403 Forbidden\\r\\nContent-Length: 0\\r\\n\\r\\n');
      return;
    }
    const accept = crypto.createHash('sha1')
      .update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
    socket.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n' +
      'Sec-WebSocket-Accept: ' + accept + '\\r\\n\\r\\n');
    const send = (text) => {
      const p = Buffer.from(text);
      const h = p.length < 126 ? Buffer.from([0x81, p.length]) : Buffer.from([0x81, 126, p.length >> 8, p.length & 255]);
      socket.write(Buffer.concat([h, p]));
    };
    send(JSON.stringify({ type: 'welcome', self: { id: 'echo' } }));
    send(JSON.stringify({ type: 'peers', peers: [] }));
    let buf = Buffer.alloc(0);
    socket.on('data', (data) => {
      buf = Buffer.concat([buf, data]);
      while (buf.length >= 2) {
        let length = buf[1] & 127;
        let at = 2;
        if (length === 126) {
          if (buf.length < 4) return;
          length = buf.readUInt16BE(2);
          at = 4;
        }
        if (buf.length < at + 4 + length) return;
        const mask = buf.subarray(at, at + 4);
        const text = Buffer.from(buf.subarray(at + 4, at + 4 + length)).map((b, i) => b ^ mask[i % 4]).toString();
        const opcode = buf[0] & 15;
        buf = buf.subarray(at + 4 + length);
        if (opcode === 8) return socket.end(Buffer.from([0x88, 2, 0x03, 0xe8])); // close, code 1000
        if (opcode !== 1) continue;
        if (text === 'drop') return socket.destroy();
        send(JSON.stringify({ type: 'echo', text }));
      }
    });
  });
  server.listen(${kWsPort}, '0.0.0.0');
`;

async function rootLinks() {
  return JSON.parse(await run(['ip', '-j', 'link'])).map((link) => link.ifname).sort();
}

const twoSubnets = { subnets: [kSubnetA, kSubnetB] };

await labSuite('lab self-test', () => {
  labTest('hosts reach each other on a subnet and across the router, without NAT', twoSubnets, async (lab) => {
    const a1 = await lab.addHost('a1', { subnet: 'a', ip: '198.51.100.10' });
    const a2 = await lab.addHost('a2', { subnet: 'a' });
    const b1 = await lab.addHost('b1', { subnet: 'b' });
    assert.equal(a2.ip, '198.51.100.11');
    assert.equal(b1.ip, '203.0.113.10');
    await Promise.all([startEchoServer(a2), startEchoServer(b1)]);

    for (const target of [a2, b1]) {
      const res = await a1.fetch(`http://${target.ip}:${kEchoPort}/hello?x=1`, { method: 'POST', body: { k: 'v' } });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, { method: 'POST', url: '/hello?x=1', body: '{"k":"v"}', from: a1.ip });
    }

    const routes = await a1.exec('ip -j route');
    assert.ok(JSON.parse(routes).some((r) => r.dst === 'default' && r.gateway === '198.51.100.1'), routes);
    const routerRoutes = JSON.parse(await lab.router.exec('ip -j route'));
    assert.ok(routerRoutes.some((r) => r.dst === 'default' && r.type === 'unreachable'), JSON.stringify(routerRoutes));
  });

  labTest('UDP: unicast crosses the router, broadcast stays in its subnet', twoSubnets, async (lab) => {
    const a1 = await lab.addHost('a1', { subnet: 'a' });
    const a2 = await lab.addHost('a2', { subnet: 'a' });
    const b1 = await lab.addHost('b1', { subnet: 'b' });
    const port = 4000;

    // b1 listens for 1.5 s: it must hear the unicast but not the broadcast.
    let atB1Done = false;
    const atB1 = b1.receiveUdp(port, { count: 2, timeoutMs: 1500 }).finally(() => { atB1Done = true; });
    let atA2Done = false;
    const atA2 = a2.receiveUdp(port, { timeoutMs: 3000 }).finally(() => { atA2Done = true; });
    // Each agent binds its listener when it gets to it (later on a busy machine): send until both are done.
    await waitFor(async () => {
      await a1.sendUdp(Buffer.from('to-all'), '198.51.100.255', port, { broadcast: true });
      await a1.sendUdp(Buffer.from('to-b1'), b1.ip, port);
      return atA2Done && atB1Done;
    }, { what: 'a2 to receive the broadcast and b1 to finish listening', interval: 100 });
    const [heardA2, heardB1] = [await atA2, await atB1];
    assert.equal(heardA2[0].data.toString(), 'to-all');
    assert.equal(heardA2[0].address, a1.ip);
    assert.ok(heardB1.length >= 1, 'b1 heard nothing');
    assert.deepEqual([...new Set(heardB1.map((d) => d.data.toString()))], ['to-b1']);
  });

  labTest('a host can sit on two subnets', twoSubnets, async (lab) => {
    const a1 = await lab.addHost('a1', { subnet: 'a' });
    const b1 = await lab.addHost('b1', { subnet: 'b' });
    const t = await lab.addHost('t', { subnets: [{ subnet: 'a' }, { subnet: 'b', ip: '203.0.113.50' }] });
    assert.equal(t.ipOn('b'), '203.0.113.50');
    await startEchoServer(t);
    for (const client of [a1, b1]) {
      const res = await client.fetch(`http://${t.ipOn(client.interfaces[0].subnet.name)}:${kEchoPort}/`);
      assert.equal(res.json.from, client.ip, 'reached directly, not through the router');
    }
  });

  labTest('raw TCP and iptables', {}, async (lab) => {
    const a1 = await lab.addHost('a1', { subnet: 'a' });
    const a2 = await lab.addHost('a2', { subnet: 'a' });
    await startEchoServer(a2);

    const raw = await a1.rawTcp({
      host: a2.ip, port: kEchoPort, data: 'GET /raw HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', maxDurationMs: 3000,
    });
    assert.equal(raw.status, 200);
    assert.equal(raw.closedBy, 'server');
    assert.match(raw.reply.toString(), /"url":"\/raw"/);

    const body = Buffer.alloc(1 << 20, 'b');
    const big = await a1.rawTcp({
      host: a2.ip, port: kEchoPort, maxDurationMs: 5000, maxReplyBytes: 2 << 20,
      data: Buffer.concat([
        Buffer.from(`POST /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n`), body,
      ]),
    });
    assert.equal(big.status, 200);
    assert.equal(JSON.parse(big.reply.toString().split('\r\n\r\n')[1]).body.length, body.length);

    // A slowloris against a server with a 1.5 s header timeout is cut off by the server.
    const slow = await a1.rawTcp({
      host: a2.ip, port: kEchoPort, data: 'GET /slow HTTP/1.1\r\nHost: x\r\n',
      drip: { bytes: 1, intervalMs: 200 }, maxDurationMs: 6000,
    });
    assert.equal(slow.closedBy, 'server', JSON.stringify(slow));
    assert.equal(slow.status, 408);
    assert.ok(slow.durationMs >= 1400 && slow.durationMs < 5000, `cut off after ${slow.durationMs} ms`);

    const refused = await a1.rawTcp({ host: a2.ip, port: kEchoPort + 1, data: 'x' });
    assert.equal(refused.closedBy, 'connect');
    assert.equal(refused.error, 'ECONNREFUSED');

    await a2.iptables(`-A INPUT -p tcp --dport ${kEchoPort} -j DROP`);
    const dropped = await a1.http({ url: `http://${a2.ip}:${kEchoPort}/`, timeoutMs: 500 });
    assert.equal(dropped.error, 'timeout');
    await a2.iptables(`-D INPUT -p tcp --dport ${kEchoPort} -j DROP`);
    assert.equal((await a1.fetch(`http://${a2.ip}:${kEchoPort}/`)).status, 200);
  });

  labTest('network faults: cuts between hosts and in the router, one-way, each undone exactly', twoSubnets, async (lab) => {
    const a1 = await lab.addHost('a1', { subnet: 'a' });
    const a2 = await lab.addHost('a2', { subnet: 'a' });
    const b1 = await lab.addHost('b1', { subnet: 'b' });
    await Promise.all([startEchoServer(a2), startEchoServer(b1)]);
    /** Whether a datagram from a1 reaches `to` on `port`: `to` listens 800 ms while a1 sends every 100 ms. */
    const udpArrives = async (to, port) => {
      let listening = true;
      const heard = to.receiveUdp(port, { timeoutMs: 800 }).finally(() => { listening = false; });
      // A send that a1's own OUTPUT rule drops fails with EPERM: a datagram that does not arrive.
      await waitFor(async () => {
        await a1.sendUdp(Buffer.from('probe'), to.ip, port).catch(() => {});
        return !listening;
      }, { timeout: 3000, interval: 100, what: `${to.name}'s UDP listener on ${port} to finish` });
      return (await heard).length > 0;
    };
    const httpWorks = async (to) => (await a1.http({ url: `http://${to.ip}:${kEchoPort}/`, timeoutMs: 500 })).status === 200;

    const udpCut = await cutBetween(a1, a2, { protocol: 'udp', exceptPorts: [4001] });
    assert.equal(await httpWorks(a2), true, 'TCP passes a UDP cut');
    assert.equal(await udpArrives(a2, 4000), false, 'UDP is cut');
    assert.equal(await udpArrives(a2, 4001), true, 'an excepted port passes');
    assert.ok(await udpCut.dropped() > 0);
    await udpCut.restore();
    assert.equal(await udpArrives(a2, 4000), true, 'UDP passes again after restore()');

    await assert.rejects(cutBetween(a1, a2, { via: 'router' }), /share a subnet/);
    const routerCut = await cutBetween(a1, b1, { via: 'router' });
    assert.equal(await httpWorks(b1), false, 'the router drops everything between a1 and b1');
    assert.equal(await httpWorks(a2), true, 'a1 and a2 are not affected');
    await routerCut.restore();
    assert.equal(await httpWorks(b1), true);

    const oneWay = await blockNewConnections(a1, b1);
    assert.equal(await httpWorks(b1), false, 'a1 cannot open a connection to b1');
    const back = await b1.http({ url: `http://${a1.ip}:${kEchoPort}/`, timeoutMs: 500 });
    assert.equal(back.error, 'ECONNREFUSED', `b1 reaches a1 (refused: nothing listens there): ${JSON.stringify(back)}`);
    await oneWay.restore();
    assert.equal(await httpWorks(b1), true);
    const rules = await a1.exec('iptables -w -S');
    assert.doesNotMatch(rules, /lab-/, `every rule is gone: ${rules}`);
  });

  labTest('UI clients: WebSocket messages streamed with arrival times, refusal, close', {}, async (lab) => {
    const a1 = await lab.addHost('a1', { subnet: 'a' });
    const a2 = await lab.addHost('a2', { subnet: 'a' });
    a2.spawn([process.execPath, '-e', kWsServer], { logName: 'ws' });
    const url = `ws://${a2.ip}:${kWsPort}/ws`;
    await waitFor(() => a1.rawTcp({ host: a2.ip, port: kWsPort, data: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', maxDurationMs: 500 }), {
      what: 'the WebSocket server', interval: 50, until: (res) => res.status === 404,
    });

    const ui = await a1.openUi({ url }); // waits for welcome and peers
    assert.equal(ui.self.id, 'echo');
    const sentAt = await ui.sendAll(['one', { two: 2 }, 'x'.repeat(300)]);
    const echoes = await ui.waitForType('echo', { count: 3 });
    assert.deepEqual(echoes.map((m) => m.text), ['one', '{"two":2}', 'x'.repeat(300)]);
    echoes.forEach((m, i) => assert.ok(ui.receivedAt(m) >= sentAt[i], `echo ${i} received before it was sent`));

    await assert.rejects(a1.openUi({ url, headers: { origin: 'http://evil.example' } }), /did not open/);

    const other = await a1.openUi({ url });
    await other.send('drop');
    await assert.rejects(other.waitForType('echo', { timeout: 3000 }), /connection closed/);
    assert.ok(other.closed, 'the client saw the close');
    await assert.rejects(other.send('late'), /no open UI client|not sent/);

    await ui.close();
    assert.equal(ui.closed?.code, 1000, JSON.stringify(ui.closed));
  });

  labTest('daemon channels: TLS 1.3 with a client certificate and ALPN, frames both ways, pings answered, refusal', {}, async (lab) => {
    const a1 = await lab.addHost('a1', { subnet: 'a' });
    const a2 = await lab.addHost('a2', { subnet: 'a' });
    const server = await makeCertificate(a2.dir);
    a2.spawn([process.execPath, '-e', kChannelServer, server.keyPath, server.certPath], { logName: 'channel-server' });
    const target = { ip: a2.ip, port: kChannelPort };
    await waitFor(() => a1.rawTcp({ host: a2.ip, port: kChannelPort, maxDurationMs: 200 }), {
      what: 'the channel server', interval: 50, until: (res) => res.closedBy !== 'connect',
    });

    const identity = generateIdentity();
    const ch = await a1.openChannel(target, { identity });
    assert.equal(ch.handshake, 'ok', JSON.stringify(ch.error));
    assert.equal(ch.alpn, 'peerdrop/2');
    assert.equal(ch.protocol, 'TLSv1.3');
    assert.deepEqual(ch.serverKey, server.publicKey, "the server certificate's raw Ed25519 key");
    assert.equal(ch.serverId, peerId(server.publicKey));
    const [first] = await ch.waitForFrame(1);
    assert.deepEqual(first.payload, identity.publicKey, 'the server saw our certificate, made from our key');

    const { frames, acks } = await ch.roundTrip([{ type: 2, payload: Buffer.from('abc') }, ackFrame(7)]);
    assert.deepEqual(frames.map((f) => [f.type, f.payload.toString('latin1')]).filter(([type]) => type === 2),
      [[2, 'abc']], 'the frame came back before the pong');
    assert.deepEqual(acks, [7n]);
    await ch.waitForFrame(6, { filter: (f) => f.payload.toString() === 'srvnonce', what: "the server's report of our pong" });
    await ch.close();
    assert.equal(ch.closed.closedBy, 'client');

    const once = await a1.channel(target, { frames: [{ type: 2, payload: Buffer.from('once') }] });
    assert.equal(once.handshake, 'ok');
    assert.ok(once.frames.some((f) => f.type === 2 && f.payload.toString() === 'once'), 'the one-shot exchange came back');

    const refused = await a1.openChannel(target, { certificate: null });
    assert.equal(refused.handshake, 'error', 'no client certificate: the server closes before any frame');
    assert.equal(refused.tlsDone, true, 'TLS 1.3: our side of the handshake was done before the server judged us');
    const otherAlpn = await a1.openChannel(target, { identity, alpn: ['http/1.1'] });
    assert.equal(otherAlpn.handshake, 'error');
    assert.match(otherAlpn.error, /ALPN|APPLICATION_PROTOCOL/i, otherAlpn.error);
  });

  test('teardown leaves nothing behind; stale namespaces of dead runs are removed', async () => {
    const linksBefore = await rootLinks();
    const lab = await Lab.create({ subnets: [kSubnetA] });
    try {
      const a1 = await lab.addHost('a1', { subnet: 'a' });
      a1.spawn(['sleep', '600']);
      assert.deepEqual(await rootLinks(), linksBefore, 'the lab must not add interfaces to the root namespace');
      assert.equal((await listNamespaces()).filter((n) => n.startsWith(lab.prefix)).length, 3);
      lab.succeeded = true;
    } finally {
      await lab.destroy();
    }
    assert.deepEqual((await listNamespaces()).filter((n) => n.startsWith(lab.prefix)), []);

    // A "crashed run": a namespace named after a dead pid, with a process inside.
    const dead = spawn('true');
    await new Promise((resolve) => dead.on('exit', resolve));
    const stale = `pdl${dead.pid}x0-sw`;
    await createNamespace(stale);
    const orphan = spawn('ip', ['netns', 'exec', stale, 'sleep', '600'], { stdio: 'ignore' });
    const orphanExit = new Promise((resolve) => orphan.on('exit', (code, signal) => resolve(signal)));
    await waitFor(async () => (await run(['ip', 'netns', 'pids', stale])).trim() !== '', {
      what: 'orphan to enter the namespace',
    });
    assert.deepEqual(await Lab.cleanupStale(), [stale]);
    assert.equal(await orphanExit, 'SIGKILL');
    assert.ok(!(await listNamespaces()).includes(stale));
  });
});
