// The transfer lane (issue 15): files daemon to daemon, received with no
// browser open. Each test builds its own lab; the receiving hosts run no
// browser unless the test says so.
//   - an offer waits at the receiver (listed by GET /api/offers) until it is
//     accepted there with `peerdrop accept`; the files land verified in the
//     download folder. A declined offer and an expired one write nothing and
//     the sender learns why.
//   - a trusted sender needs no answer; a one-way network (either side) and
//     UDP blocked with TCP open still carry it (the channel is TCP).
//   - resume (cases/lane.mjs, at full size in soak/lane.test.mjs): either
//     daemon SIGKILLed mid-file, a network cut; under 10 % sent twice. A
//     folder of small files; a small download disk (too big refused up front,
//     a full disk waits and resumes); cancel from either side.
//   - files picked on a peer card go through the page's daemon.
//   - an offer made while no tab is open shows in a tab opened later, and
//     accepting it there completes the transfer.
// Run: node lab/run.mjs lab/scenarios/lane.test.mjs

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  call, cancelTest, cli, killResumeTest, kMiB, lanePair, laterTabTest, listFiles, manyFilesTest, networkCutTest, offer, sha256, smallDiskTest,
  transfer, waitState,
} from '../cases/lane.mjs';
import {
  PeerDropUi, blockNewConnections, cutBetween, kSubnetA, kSubnetB, labSuite, labTest, uiScenarioSkip, uiTest,
  waitFor, waitForPeer,
} from '../lib/index.mjs';

const skipUi = await uiScenarioSkip('the tab scenario of the transfer lane');

/** A folder of a few small files and one of `bigBytes`, in `host`'s directory. */
function makeFiles(host, bigBytes) {
  const root = path.join(host.dir, 'outbox');
  mkdirSync(path.join(root, 'photos', '2026'), { recursive: true });
  writeFileSync(path.join(root, 'photos', 'a.txt'), 'hello\n');
  writeFileSync(path.join(root, 'photos', '2026', 'b.bin'), crypto.randomBytes(100_000));
  writeFileSync(path.join(root, 'photos', 'empty'), '');
  writeFileSync(path.join(root, 'big.bin'), crypto.randomBytes(bigBytes));
  return { root, folder: path.join(root, 'photos'), big: path.join(root, 'big.bin') };
}

/** Asserts that every sent file landed with its bytes under the download folder. */
function assertLanded(receiver, files) {
  for (const [name, source] of Object.entries(files)) {
    const landed = path.join(receiver.downloadDir, name);
    assert.equal(sha256(landed), sha256(source), `${name} landed with the sender's bytes`);
  }
}

/** alice and bob on one subnet, each listing the other as verified; nobody trusted. */
const pair = (lab, options = {}) => lanePair(lab, { trust: false, ...options });

await labSuite('transfer lane', () => {
  killResumeTest({ bytes: 96 * kMiB, mbit: 128 });
  networkCutTest({ bytes: 64 * kMiB, mbit: 128, cutMs: 5000 });
  manyFilesTest({ count: 1000 });
  smallDiskTest({ diskMiB: 48, fileMiB: 24, mbit: 64 });
  cancelTest({ bytes: 32 * kMiB, mbit: 64 });
  labTest('an offer waits at a computer with no browser; `peerdrop accept` there lands the files verified; declined and expired ones write nothing', { timeout: 90_000 }, async (lab, t) => {
    const { a, b } = await pair(lab, { receiverArgs: ['--offer-timeout', '4'] });
    const files = makeFiles(a, 3 * 1024 * 1024);

    const send = await cli(a, ['send', files.folder, files.big, '--to', 'bob', '--no-wait']);
    assert.equal(send.code, 0, `peerdrop send: ${send.err}`);
    const sent = { tid: send.out.trim() };
    assert.match(sent.tid, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/, `send --no-wait prints the transfer id: ${send.out}`);
    assert.equal((await transfer(a, sent.tid)).file_count, 4);
    const offers = await waitFor(async () => JSON.parse((await cli(b, ['inbox', '--json'])).out).offers, {
      timeout: 5000, what: 'the offer in bob\'s `peerdrop inbox`', until: (list) => list.length === 1,
    });
    t.diagnostic(`peerdrop inbox on bob:\n${(await cli(b, ['inbox'])).out}`);
    t.diagnostic(`bob's inbox: ${JSON.stringify(offers[0].files.map((f) => `${f.path} ${f.size}`))}`);
    assert.equal(offers[0].peer_name, 'alice');
    assert.deepEqual(offers[0].files.map((f) => f.path).sort(), ['big.bin', 'photos/2026/b.bin', 'photos/a.txt', 'photos/empty']);
    assert.deepEqual(listFiles(b.downloadDir), [], 'nothing is written before an answer');
    assert.equal((await transfer(a, sent.tid)).state, 'offered');

    const accepted = await cli(b, ['accept', sent.tid.slice(0, 6)]);
    assert.equal(accepted.code, 0, `peerdrop accept: ${accepted.err}`);
    t.diagnostic(`peerdrop accept: ${accepted.out.trim()}`);
    const done = await waitState(a, sent.tid, 'done');
    assert.equal(done.files_landed, 4);
    assert.deepEqual(listFiles(b.downloadDir), ['big.bin', 'photos/2026/b.bin', 'photos/a.txt', 'photos/empty']);
    assertLanded(b, {
      'big.bin': files.big, 'photos/a.txt': path.join(files.folder, 'a.txt'),
      'photos/2026/b.bin': path.join(files.folder, '2026', 'b.bin'), 'photos/empty': path.join(files.folder, 'empty'),
    });
    const received = await transfer(b, sent.tid);
    assert.equal(received.state, 'done');
    assert.equal(received.answered_by, 'command line');

    // Declined: the sender hears it; nothing is written.
    const declined = await offer(a, b, [files.big]);
    await waitFor(async () => (await call(b, 'GET', '/api/offers')).json.offers, {
      timeout: 5000, what: 'the second offer', until: (list) => list.length === 1,
    });
    const no = await cli(b, ['decline', declined.tid.slice(0, 6)]);
    assert.equal(no.code, 0, `peerdrop decline: ${no.err}`);
    const refused = await waitState(a, declined.tid, 'declined');
    assert.equal(refused.code, 'declined');
    t.diagnostic(`alice sees: ${refused.reason}`);
    // Expired: bob waits 4 s (--offer-timeout 4), then answers for nobody.
    const ignored = await offer(a, b, [files.big]);
    const expired = await waitState(a, ignored.tid, 'expired', { timeout: 15_000 });
    t.diagnostic(`alice sees: ${expired.reason}`);
    assert.match(expired.reason, /nobody answered/);
    assert.deepEqual(listFiles(b.downloadDir), ['big.bin', 'photos/2026/b.bin', 'photos/a.txt', 'photos/empty'],
      'the declined and expired offers wrote nothing');
    assert.deepEqual(readdirSync(path.join(b.downloadDir, '.peerdrop-partial')), [], 'and left no partial file');
    assert.equal((await call(b, 'POST', `/api/offers/${ignored.tid}/accept`)).status, 404, 'an expired offer cannot be accepted');
  });

  labTest('a trusted sender needs no answer; one-way networks either way and UDP blocked still carry files', { timeout: 120_000, subnets: [kSubnetA, kSubnetB] }, async (lab, t) => {
    const a = await lab.addHost('alice', { subnet: 'a' });
    const b = await lab.addHost('bob', { subnet: 'b' });
    const scan = ['--scan', kSubnetA.cidr, '--scan', kSubnetB.cidr];
    await a.startDaemon(scan);
    await b.startDaemon(scan);
    await waitForPeer(a, b, { verified: true, timeout: 20_000 });
    await waitForPeer(b, a, { verified: true, timeout: 20_000 });
    assert.equal((await call(b, 'PUT', '/api/settings', { autoAccept: [a.id] })).status, 200);
    const files = makeFiles(a, 2 * 1024 * 1024);

    const cases = [
      ['UDP blocked between the subnets, TCP open', () => cutBetween(a, b, { protocol: 'udp', via: 'router' })],
      ['alice cannot open anything to bob', () => blockNewConnections(a, b)],
      ['bob cannot open anything to alice', () => blockNewConnections(b, a)],
    ];
    for (const [what, fault] of cases) {
      // The network is this way from the start: the daemons start behind it (a connection opened
      // before a conntrack rule is not what a real one-way network has).
      await a.stopDaemon();
      await b.stopDaemon();
      const rules = await fault();
      try {
        await a.startDaemon(scan);
        await b.startDaemon(scan);
        await waitForPeer(a, b, { verified: true, timeout: 20_000 });
        await waitForPeer(b, a, { verified: true, timeout: 20_000 });
        const started = Date.now();
        const sent = await offer(a, b, [files.big]);
        const done = await waitState(a, sent.tid, 'done', { timeout: 30_000 });
        t.diagnostic(`${what}: verified in ${Date.now() - started} ms`);
        const received = await transfer(b, sent.tid);
        assert.equal(received.answered_by, 'trust');
        assert.equal(done.files_landed, 1);
      } finally {
        await rules.restore();
      }
    }
    // Each landed under its own name: big.bin, big (1).bin, big (2).bin.
    assert.deepEqual(listFiles(b.downloadDir), ['big (1).bin', 'big (2).bin', 'big.bin']);
    for (const name of listFiles(b.downloadDir)) assert.equal(sha256(path.join(b.downloadDir, name)), sha256(files.big));
  });

  uiTest('files picked on a peer card go through the page\'s daemon to a computer with no browser', { skip: skipUi, timeout: 90_000 }, async (lab, t) => {
    const { a, b } = await pair(lab);
    assert.equal((await call(b, 'PUT', '/api/settings', { autoAccept: [a.id] })).status, 200);
    const files = makeFiles(a, 8 * 1024 * 1024);
    const ui = new PeerDropUi(await a.openBrowser());
    await ui.waitPeer('bob');
    const started = Date.now();
    await ui.peerItem('bob').getByLabel('Files to send to bob', { exact: true })
      .setInputFiles([files.big, path.join(files.folder, 'a.txt')]);
    const sent = await waitFor(async () => (await call(a, 'GET', '/api/transfers')).json.transfers, {
      timeout: 10_000, what: 'the page\'s transfer at alice\'s daemon', until: (list) => list.length === 1,
    });
    assert.equal(sent[0].source, 'page');
    const done = await waitState(a, sent[0].tid, 'done', { timeout: 30_000 });
    t.diagnostic(`8 MiB and a small file from the page verified at bob in ${Date.now() - started} ms`);
    assert.equal(done.files_landed, 2);
    assertLanded(b, { 'big.bin': files.big, 'a.txt': path.join(files.folder, 'a.txt') });
    const article = ui.page.getByRole('article', { name: 'To bob: 2 files' });
    const words = await ui.waitUntil(() => article.allInnerTexts(), {
      what: 'the transfer to say bob verified the files', until: (texts) => /Sent to bob · Verified/.test(texts.join('\n')),
      show: 'page',
    });
    t.diagnostic(`alice's page: ${words.join(' | ').replace(/\s+/g, ' ')}`);
    assert.deepEqual(readdirSync(path.join(a.dataDir, 'outgoing')), [], 'the upload spool is gone');
  });

  uiTest('a page reloaded mid-upload: the transfer pauses; the same files picked again resume it', { skip: skipUi, timeout: 120_000 }, async (lab, t) => {
    const { a, b } = await pair(lab);
    assert.equal((await call(b, 'PUT', '/api/settings', { autoAccept: [a.id] })).status, 200);
    const size = 24 * 1024 * 1024;
    const files = makeFiles(a, size);
    const ui = new PeerDropUi(await a.openBrowser());
    await ui.waitPeer('bob');
    // The page's uploads to its own daemon at 4 MiB/s (Chromium's own throttling), so the reload lands mid-file.
    const cdp = await ui.page.context().newCDPSession(ui.page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions',
      { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 4 * 1024 * 1024 });
    await ui.peerItem('bob').getByLabel('Files to send to bob', { exact: true }).setInputFiles([files.big]);
    const first = await waitFor(async () => (await call(a, 'GET', '/api/transfers')).json.transfers, {
      timeout: 10_000, what: 'the page\'s transfer', until: (list) => list.length === 1,
    });
    const tid = first[0].tid;
    const partly = await waitFor(() => transfer(a, tid), {
      timeout: 20_000, interval: 100, what: 'part of the file uploaded',
      until: (x) => x.files[0].uploaded >= size / 4,
    });
    t.diagnostic(`reloading with ${partly.files[0].uploaded} of ${size} bytes uploaded`);
    await ui.browser.reload();
    const paused = await waitFor(() => transfer(a, tid), {
      timeout: 10_000, interval: 200, what: 'the daemon to say the transfer waits for the page', until: (x) => Boolean(x.stalled),
    });
    t.diagnostic(`alice's daemon: ${paused.state}, "${paused.stalled}"`);
    assert.equal(paused.state, 'accepted');
    assert.ok(paused.files[0].uploaded < size, 'the upload stopped with the page');
    const words = await ui.waitUntil(() => ui.page.getByRole('article').allInnerTexts(), {
      what: 'the reloaded page to say the transfer is paused', until: (texts) => /Paused/.test(texts.join('\n')),
      show: 'page',
    });
    t.diagnostic(`the reloaded page: ${words.join(' | ').replace(/\s+/g, ' ')}`);
    await ui.peerItem('bob').getByLabel('Files to send to bob', { exact: true }).setInputFiles([files.big]);
    const done = await waitState(a, tid, 'done', { timeout: 40_000 });
    assert.equal(done.files_landed, 1);
    assert.equal((await call(a, 'GET', '/api/transfers')).json.transfers.length, 1, 'the same transfer went on: no new one');
    assertLanded(b, { 'big.bin': files.big });
  });

  laterTabTest({ delayMs: 0 });
});
