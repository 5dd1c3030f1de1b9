// Hardening scenarios (issue 16): who may drive a daemon, and what no peer or
// page can exhaust or probe. Each test builds its own lab.
//   - the control token: another Unix user of the machine gets 401 and
//     changes nothing; the link the daemon prints opens the UI, which keeps
//     its key across a reload; a page opened without it says what to do.
// Run: node lab/run.mjs lab/scenarios/hardening.test.mjs

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PeerDropUi, kSubnetA, labSuite, uiScenarioSkip, uiTest, waitForPeer } from '../lib/index.mjs';

const kPort = 3001;
const skip = await uiScenarioSkip('the hardening scenarios');

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
});
