// Hardening scenarios (issue 16): who may drive a daemon, and what no peer or
// page can exhaust or probe. Each test builds its own lab.
//   - the control token: another Unix user of the machine gets 401 and
//     changes nothing; the link the daemon prints opens the UI, which keeps
//     its key across a reload; a page opened without it says what to do.
//   - connection slots: 300 connections held from 20 other addresses leave
//     the local UI working (slots are kept for this machine's own clients).
//   - STUN: 1,000 requests a second from one address get at most the
//     documented answers (20 a second, bursts of 40); a source outside the
//     subnets gets none.
//   - another site's page: a download with Sec-Fetch-Site: cross-site is
//     refused even with the token, and answers say same-origin only.
// Run: node lab/run.mjs lab/scenarios/hardening.test.mjs

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PeerDropUi, kSubnetA, kSubnetB, labSuite, labTest, uiScenarioSkip, uiTest, waitFor, waitForPeer } from '../lib/index.mjs';

const kPort = 3001;
const skip = await uiScenarioSkip('the hardening scenarios');
// docs/protocol.md, "STUN": per source address.
const kStunPerSecond = 20;
const kStunBurst = 40;

/** A STUN Binding request (RFC 8489): type 1, no attributes, the magic cookie, a transaction id. */
function stunBindingRequest() {
  const packet = Buffer.alloc(20);
  packet.writeUInt16BE(0x0001, 0);
  packet.writeUInt32BE(0x2112a442, 4);
  crypto.randomBytes(12).copy(packet, 8);
  return packet;
}

/**
 * Runs as `nobody` inside host's namespace (another user of that machine):
 * tries to read the daemon's token file and to drive the daemon without it.
 * Resolves with { tokenFile, answers: { [what]: status } }.
 */
async function asAnotherUser(host) {
  const script = String.raw`
    const fs = require('node:fs');
    const http = require('node:http');
    const [base, tokenPath] = process.argv.slice(1);
    const url = new URL(base);
    let tokenFile;
    try { fs.readFileSync(tokenPath); tokenFile = 'read'; } catch (error) { tokenFile = error.code; }
    const ask = (method, path, headers = {}, body) => new Promise((resolve) => {
      const req = http.request({ host: url.hostname, port: url.port, method, path, headers: { ...headers, Host: url.host } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('upgrade', (res, socket) => { socket.destroy(); resolve(res.statusCode); });
      req.on('error', (error) => resolve(error.code));
      req.setTimeout(3000, () => { req.destroy(); resolve('timeout'); });
      req.end(body);
    });
    const json = { 'content-type': 'application/json' };
    const guess = 'Bearer ' + 'A'.repeat(52);
    const upgrade = { Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', Origin: url.origin };
    (async () => {
      const answers = {
        'GET /api/peers': await ask('GET', '/api/peers'),
        'GET /api/settings, guessed token': await ask('GET', '/api/settings', { authorization: guess }),
        'PUT /api/settings': await ask('PUT', '/api/settings', json, JSON.stringify({ name: 'mallory' })),
        'POST /api/peers': await ask('POST', '/api/peers', json, JSON.stringify({ address: '198.51.100.99:3001' })),
        'GET /api/files/download': await ask('GET', '/api/files/download?name=secret.txt'),
        'GET /ws': await ask('GET', '/ws', upgrade),
        'GET /ws, guessed token': await ask('GET', '/ws?token=' + 'A'.repeat(52), upgrade),
        'GET / (the page itself)': await ask('GET', '/'),
      };
      console.log(JSON.stringify({ tokenFile, answers }));
    })();
  `;
  const out = await host.exec(['runuser', '-u', 'nobody', '--', 'node', '-e', script, host.daemon.baseUrl,
    `${host.dataDir}/control-token`]);
  return JSON.parse(out);
}

await labSuite('hardening', () => {
  uiTest('the control token: another user of the machine is refused; the printed link opens the UI', { skip, timeout: 90_000, subnets: [kSubnetA] }, async (lab, t) => {
    const a = await lab.addHost('a', { subnet: 'a', ip: '198.51.100.10' });
    const b = await lab.addHost('b', { subnet: 'a', ip: '198.51.100.11' });
    await a.startDaemon(['--no-scan']);
    await b.startDaemon(['--no-scan']);
    await waitForPeer(a, b, { verified: true });

    const other = await asAnotherUser(a);
    t.diagnostic(`as nobody: ${JSON.stringify(other)}`);
    assert.equal(other.tokenFile, 'EACCES', 'another user cannot read the token file');
    for (const [what, status] of Object.entries(other.answers)) {
      assert.equal(status, what.startsWith('GET / ') ? 200 : 401, `${what} as another user: ${status}`);
    }
    const settings = await a.fetch('/api/settings');
    assert.equal(settings.json.name, 'a', 'the name is unchanged');
    const peers = await a.fetch('/api/peers');
    assert.ok(!peers.body.includes('198.51.100.99'), 'no peer was added');
    const refused = readFileSync(a.daemon.logPath, 'utf8').match(/refused .*no valid control token.*/);
    assert.ok(refused, 'the daemon logs the refusal');

    // The link the daemon printed, as a person would click it.
    const link = readFileSync(a.daemon.logPath, 'utf8').match(/open the UI at (http:\/\/\S+#token=\S+)/)?.[1];
    assert.ok(link, 'the daemon prints a link with its token');
    const ui = new PeerDropUi(await a.openBrowser({ url: link }));
    await ui.waitPeer('b');
    assert.ok(!ui.page.url().includes('token='), `the token left the address bar: ${ui.page.url()}`);
    await ui.browser.reload();
    await ui.waitPeer('b'); // the page kept its key

    // A fresh browser on the bare address has no key: it says what to do.
    const bare = new PeerDropUi(await a.openBrowser({ url: `${a.daemon.baseUrl}/` }));
    const alert = await bare.waitUntil(() => bare.page.getByRole('alert').allInnerTexts(), {
      what: 'an alert about the missing key', until: (texts) => texts.some((text) => /does not know this page.s key/.test(text)),
      show: 'page',
    });
    assert.match(alert.join('\n'), /#token=/);
    assert.equal(await bare.peerItem('b').count(), 0, 'without the key the page lists nobody');
  });

  uiTest('connection slots: 300 connections held from 20 other addresses; the local UI still loads and works', { skip, timeout: 90_000 }, async (lab, t) => {
    const a = await lab.addHost('a', { subnet: 'a', ip: '198.51.100.10' });
    const b = await lab.addHost('b', { subnet: 'a', ip: '198.51.100.11' });
    const r = await lab.addHost('r', { subnet: 'a', ip: '198.51.100.20' });
    await a.startDaemon(['--no-scan']);
    await b.startDaemon(['--no-scan']);
    await waitForPeer(a, b, { verified: true });
    const aliases = Array.from({ length: 20 }, (_, i) => `198.51.100.${100 + i}`);
    for (const ip of aliases) await r.exec(['ip', 'addr', 'add', `${ip}/24`, 'dev', r.interfaces[0].dev]);
    // 15 from each alias: under the per-address cap, 300 in all, more than every slot other hosts may take.
    const hold = r.holdTcp({ host: a.ip, port: kPort, localAddresses: aliases, perAddress: 15, durationMs: 25_000 });
    const probe = `GET /api/health HTTP/1.1\r\nHost: ${a.ip}:${kPort}\r\nConnection: close\r\n\r\n`;
    await waitFor(() => r.rawTcp({ host: a.ip, port: kPort, data: probe, maxDurationMs: 2000 }), {
      timeout: 15_000, interval: 200, what: 'a request from yet another address to be turned away busy (the slots are full)',
      until: (res) => res.status === 503,
    });
    const ui = new PeerDropUi(await a.openBrowser());
    await ui.waitPeer('b');
    const settings = await a.fetch('/api/settings');
    assert.equal(settings.status, 200, `the local control API answers: ${settings.status}`);
    const { peakHeld, busy, opened } = await hold;
    t.diagnostic(`the other addresses held up to ${peakHeld} connections at once; ${busy} of ${opened} opened were answered 503 busy`);
    assert.ok(peakHeld >= 200, `the other addresses held the daemon's slots (${peakHeld})`);
  });

  labTest('STUN: 1,000 requests a second from one address get at most the documented answers; a source outside the subnets gets none', { subnets: [kSubnetA, kSubnetB], timeout: 60_000 }, async (lab, t) => {
    const a = await lab.addHost('a', { subnet: 'a', ip: '198.51.100.10' });
    const r = await lab.addHost('r', { subnet: 'a', ip: '198.51.100.20' });
    const x = await lab.addHost('x', { subnet: 'b', ip: '203.0.113.20' });
    await a.startDaemon(['--no-scan']);
    const flood = await r.paceUdp(stunBindingRequest(), a.ip, kPort, { count: 2000, ratePerSecond: 1000, replyWindowMs: 1000 });
    const allowed = kStunBurst + Math.ceil((kStunPerSecond * flood.durationMs) / 1000);
    t.diagnostic(`${flood.sent} requests in ${flood.durationMs} ms from one address: ${flood.replies} answers (at most ${allowed})`);
    assert.ok(flood.replies <= allowed, `answers capped: ${flood.replies} of ${flood.sent} (at most ${allowed})`);
    assert.ok(flood.replies >= kStunBurst, `a source on the subnet is answered: ${flood.replies}`);
    const outside = await x.paceUdp(stunBindingRequest(), a.ip, kPort, { count: 20, ratePerSecond: 20, replyWindowMs: 1000 });
    assert.equal(outside.replies, 0, `a source outside the subnets gets nothing: ${outside.replies} answers`);
  });

  labTest('another site\'s page: a download asked cross-site is refused even with the token; answers say same-origin', {}, async (lab) => {
    const a = await lab.addHost('a', { subnet: 'a', ip: '198.51.100.10' });
    await a.startDaemon(['--no-scan']);
    const target = '/api/files/download?name=holiday.jpg';
    const own = await a.fetch(target);
    assert.equal(own.status, 404, `the page's own request for a missing file: ${own.status}`);
    assert.equal(own.headers['cross-origin-resource-policy'], 'same-origin');
    const cross = await a.fetch(target, { headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(cross.status, 403, `Sec-Fetch-Site: cross-site: ${cross.status} ${cross.body}`);
    assert.equal(cross.json?.code, 'forbidden');
  });
});
