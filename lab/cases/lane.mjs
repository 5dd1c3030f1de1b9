// Transfer lane scenarios that run in two sizes: small in
// scenarios/lane.test.mjs (make test), at full size in soak/lane.test.mjs
// (make soak), with the same assertions; and the helpers they share. Two
// hosts on one subnet, alice and bob, daemons with --no-scan and no browser;
// bob trusts alice unless a test says otherwise. Every scenario checks what a
// user checks: the transfer's state and words at both daemons and the
// SHA-256 of every file on bob's disk.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { PeerDropUi, cutBetween, labTest, uiScenarioSkip, uiTest, waitFor, waitForPeer } from '../lib/index.mjs';

const skipUi = await uiScenarioSkip('the tab scenario of the transfer lane');

export const kMiB = 1024 * 1024;
export const kGiB = 1024 * kMiB;
const kCli = process.env.PEERDROP || path.resolve(import.meta.dirname, '../../build/peerdrop');

/** SHA-256 of a file, read in pieces (files may be GiBs). */
export function sha256(file) {
  const hash = crypto.createHash('sha256');
  const fd = openSync(file, 'r');
  const buffer = Buffer.alloc(4 * kMiB);
  try {
    for (let position = 0; ;) {
      const n = readSync(fd, buffer, 0, buffer.length, position);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
      position += n;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** Writes `bytes` of random data to `file` in pieces. */
export function writeRandom(file, bytes) {
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'w');
  try {
    for (let left = bytes; left > 0;) {
      const n = Math.min(left, 4 * kMiB);
      writeSync(fd, crypto.randomBytes(n));
      left -= n;
    }
  } finally {
    closeSync(fd);
  }
}

/** Files under `dir`, relative, '/'-separated, without the partial folder. */
export function listFiles(dir, base = dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === '.peerdrop-partial') continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full, base));
    else out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out.sort();
}

/** `peerdrop ARGS` on `host`, against its daemon; resolves with { code, out, err }. */
export async function cli(host, args, { timeout } = {}) {
  try {
    const out = await host.exec([kCli, ...args, '--data-dir', host.dataDir], timeout ? { timeout } : undefined);
    return { code: 0, out, err: '' };
  } catch (error) {
    return { code: error.code, out: error.stdout ?? '', err: error.stderr ?? '' };
  }
}

export async function call(host, method, url, body) {
  return host.fetch(url, {
    method, headers: body ? { 'content-type': 'application/json' } : {}, body: body && JSON.stringify(body),
  });
}

export async function offer(from, to, paths) {
  const res = await call(from, 'POST', '/api/transfers', { to: to.id, paths });
  assert.equal(res.status, 201, `POST /api/transfers on ${from.name}: ${res.status} ${res.body}`);
  return res.json;
}

export async function transfer(host, tid) {
  const res = await call(host, 'GET', `/api/transfers/${tid}`);
  assert.equal(res.status, 200, `GET /api/transfers/${tid} on ${host.name}: ${res.status} ${res.body}`);
  return res.json;
}

export function waitState(host, tid, states, { timeout = 20_000 } = {}) {
  const wanted = [states].flat();
  return waitFor(() => transfer(host, tid), {
    timeout, interval: 100, what: `transfer ${tid} on ${host.name} to be ${wanted.join(' or ')}`,
    until: (t) => wanted.includes(t.state),
  });
}

export function waitProgress(host, tid, bytes, { timeout = 30_000 } = {}) {
  return waitFor(() => transfer(host, tid), {
    timeout, interval: 50, what: `${bytes} bytes of transfer ${tid} on ${host.name}`,
    until: (t) => t.done_bytes >= bytes || t.state !== 'accepted' && t.state !== 'offered',
  });
}

/** alice and bob on one subnet, each listing the other as verified; bob trusts alice unless `trust` is false. */
export async function lanePair(lab, { receiverArgs = [], trust = true } = {}) {
  const a = await lab.addHost('alice', { subnet: 'a' });
  const b = await lab.addHost('bob', { subnet: 'a' });
  await a.startDaemon(['--no-scan']);
  await b.startDaemon(['--no-scan', ...receiverArgs]);
  await waitForPeer(a, b, { verified: true, timeout: 10_000 });
  await waitForPeer(b, a, { verified: true, timeout: 10_000 });
  if (trust) assert.equal((await call(b, 'PUT', '/api/settings', { autoAccept: [a.id] })).status, 200);
  return { a, b };
}

/** Holds what leaves alice to `mbit` (tc tbf: this kernel has no netem). */
async function limitRate(host, mbit) {
  await host.tc(['qdisc', 'replace', 'dev', 'eth0', 'root', 'tbf', 'rate', `${mbit}mbit`, 'burst', '256kb',
    'latency', '50ms']);
}

/** A transfer's deadline at the pessimistic 4 MiB/s, plus a minute. */
const deadlineFor = (bytes) => 60_000 + Math.ceil(bytes / (4 * kMiB)) * 1000;

/** alice offers bob (who trusts her) a random file of `bytes`, her link held to `mbit`. */
async function startBigTransfer(lab, t, { bytes, mbit }) {
  const { a, b } = await lanePair(lab);
  const file = path.join(a.dir, 'out', 'big.bin');
  writeRandom(file, bytes);
  t.after(() => rmSync(file, { force: true }));
  await limitRate(a, mbit);
  const sent = await offer(a, b, [file]);
  return { a, b, file, sent };
}

/**
 * The file landed at bob with its bytes, and what alice sent in all her runs
 * (`sentBytes`) was under 10 % more than the file; the landed copy goes.
 */
function checkLanded(t, b, file, { bytes, sentBytes }) {
  const landed = path.join(b.downloadDir, 'big.bin');
  assert.equal(sha256(landed), sha256(file), 'it landed with the sent bytes');
  const twice = (sentBytes - bytes) / bytes;
  t.diagnostic(`sent ${sentBytes} bytes for ${bytes}: ${(twice * 100).toFixed(1)} % twice`);
  assert.ok(twice < 0.10, `under 10 % of the bytes sent twice, not ${(twice * 100).toFixed(1)} %`);
  rmSync(landed, { force: true });
}

/**
 * The receiving daemon SIGKILLed mid-file and restarted, then the sending
 * one: the file completes verified with under 10 % of its bytes sent twice.
 */
export function killResumeTest({ bytes, mbit, timeoutMinutes = 3 }) {
  labTest(`resume: ${bytes / kMiB} MiB, the receiving daemon and then the sending one SIGKILLed mid-file`, { timeout: timeoutMinutes * 60_000 }, async (lab, t) => {
    const { a, b, file, sent } = await startBigTransfer(lab, t, { bytes, mbit });
    await waitProgress(b, sent.tid, bytes / 4, { timeout: deadlineFor(bytes) });
    await b.stopDaemon('SIGKILL');
    await b.startDaemon(['--no-scan']);
    await waitProgress(b, sent.tid, bytes / 2, { timeout: deadlineFor(bytes) });
    const before = await transfer(a, sent.tid);
    await a.stopDaemon('SIGKILL');
    await a.startDaemon(['--no-scan']);
    const done = await waitState(a, sent.tid, 'done', { timeout: deadlineFor(bytes) });
    checkLanded(t, b, file, { bytes, sentBytes: before.sent_bytes + done.sent_bytes });
  });
}

/** The network between the two cut for `cutMs` mid-file: it completes verified, under 10 % sent twice. */
export function networkCutTest({ bytes, mbit, cutMs, timeoutMinutes = 3 }) {
  labTest(`resume: ${bytes / kMiB} MiB across a ${cutMs / 1000} s network cut`, { timeout: timeoutMinutes * 60_000 }, async (lab, t) => {
    const { a, b, file, sent } = await startBigTransfer(lab, t, { bytes, mbit });
    await waitProgress(b, sent.tid, bytes / 3, { timeout: deadlineFor(bytes) });
    const cut = await cutBetween(a, b);
    const cutAt = Date.now();
    try {
      await new Promise((resolve) => setTimeout(resolve, cutMs));  // the cut's length is the scenario
    } finally {
      await cut.restore();
    }
    const done = await waitState(a, sent.tid, 'done', { timeout: deadlineFor(bytes) });
    t.diagnostic(`verified ${Date.now() - cutAt - cutMs} ms after the network came back`);
    checkLanded(t, b, file, { bytes, sentBytes: done.sent_bytes });
  });
}

/** A folder of `count` small files sent with `peerdrop send` (it waits until bob verified them). */
export function manyFilesTest({ count, timeoutMinutes = 3 }) {
  labTest(`a folder of ${count} small files with peerdrop send`, { timeout: timeoutMinutes * 60_000 }, async (lab, t) => {
    const { a, b } = await lanePair(lab);
    const folder = path.join(a.dir, 'out', 'notes');
    for (let i = 0; i < count; i++) {
      const dir = path.join(folder, `d${Math.floor(i / 1000)}`);
      if (i % 1000 === 0) mkdirSync(dir, { recursive: true });
      const fd = openSync(path.join(dir, `n${i}.txt`), 'w');
      writeSync(fd, crypto.randomBytes(1024));
      closeSync(fd);
    }
    const started = Date.now();
    const send = await cli(a, ['send', folder, '--to', 'bob'], { timeout: timeoutMinutes * 60_000 });
    const seconds = (Date.now() - started) / 1000;
    assert.equal(send.code, 0, `peerdrop send: ${send.err}`);
    t.diagnostic(`peerdrop send: ${send.out.trim().split('\n').at(-1)}`);
    t.diagnostic(`${count} files verified in ${seconds.toFixed(1)} s: ${Math.round(count / seconds)} files/s`);
    const landed = listFiles(b.downloadDir);
    assert.equal(landed.length, count);
    for (const name of [landed[0], landed[Math.floor(count / 2)], landed.at(-1)]) {
      const source = path.join(folder, ...name.split('/').slice(1));
      assert.equal(sha256(path.join(b.downloadDir, name)), sha256(source), `${name} landed with its bytes`);
    }
  });
}

/**
 * bob's download folder on a small tmpfs: an offer larger than the free
 * space is refused before a byte is written; space that vanishes mid-file
 * stalls the transfer with a clear reason, keeps the partial file, and it
 * completes once space returns.
 */
export function smallDiskTest({ diskMiB, fileMiB, mbit, timeoutMinutes = 3 }) {
  labTest(`a ${diskMiB} MiB download folder: too big refused up front; a full disk waits and resumes`, { timeout: timeoutMinutes * 60_000 }, async (lab, t) => {
    const a = await lab.addHost('alice', { subnet: 'a' });
    const b = await lab.addHost('bob', { subnet: 'a' });
    mkdirSync(b.downloadDir, { recursive: true });
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${diskMiB}m`, 'tmpfs', b.downloadDir]);
    assert.equal(mounted.status, 0, `mount a tmpfs: ${mounted.stderr}`);
    try {
      await smallDisk(lab, t, a, b, { diskMiB, fileMiB, mbit });
    } finally {
      // Before the lab removes the run dir (its teardown comes first otherwise).
      if (b.daemon?.running) await b.stopDaemon();
      spawnSync('umount', ['-l', b.downloadDir]);
    }
  });
}

async function smallDisk(lab, t, a, b, { diskMiB, fileMiB, mbit }) {
    await a.startDaemon(['--no-scan']);
    await b.startDaemon(['--no-scan']);
    await waitForPeer(a, b, { verified: true, timeout: 10_000 });
    await waitForPeer(b, a, { verified: true, timeout: 10_000 });
    assert.equal((await call(b, 'PUT', '/api/settings', { autoAccept: [a.id] })).status, 200);

    const tooBig = path.join(a.dir, 'out', 'too-big.bin');
    writeRandom(tooBig, (diskMiB + 8) * kMiB);
    const refusedOffer = await offer(a, b, [tooBig]);
    const refused = await waitState(a, refusedOffer.tid, 'declined');
    t.diagnostic(`too big: alice sees "${refused.reason}"`);
    assert.equal(refused.code, 'disk_full');
    assert.match(refused.reason, /not enough space/);
    assert.deepEqual(listFiles(b.downloadDir), [], 'nothing was written');

    const file = path.join(a.dir, 'out', 'fits.bin');
    writeRandom(file, fileMiB * kMiB);
    await limitRate(a, mbit);
    const sent = await offer(a, b, [file]);
    await waitProgress(b, sent.tid, (fileMiB * kMiB) / 3, { timeout: 30_000 });
    // Another program takes the rest of the disk.
    const filler = path.join(b.downloadDir, 'filler');
    spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=256k']);  // until the disk is full (dd then fails)
    const stalled = await waitFor(() => transfer(a, sent.tid), {
      timeout: 20_000, interval: 100, what: 'alice to say the transfer waits for space at bob',
      until: (x) => Boolean(x.stalled),
    });
    t.diagnostic(`disk full: alice sees "${stalled.stalled}"`);
    assert.match(stalled.stalled, /space/);
    assert.equal(stalled.state, 'accepted', 'it waits, it did not fail');
    const partials = readdirSync(path.join(b.downloadDir, '.peerdrop-partial'));
    assert.equal(partials.length, 1, 'the partial file is kept');
    rmSync(filler);
    await waitState(a, sent.tid, 'done', { timeout: 30_000 });
    assert.equal(sha256(path.join(b.downloadDir, 'fits.bin')), sha256(file), 'it landed with the sent bytes');
}

/** Cancelled by the sender mid-file, then by the receiver: the other side says so, partial files are gone. */
export function cancelTest({ bytes, mbit }) {
  labTest('cancel from either side mid-file', { timeout: 90_000 }, async (lab, t) => {
    const { a, b } = await lanePair(lab);
    const file = path.join(a.dir, 'out', 'big.bin');
    writeRandom(file, bytes);
    await limitRate(a, mbit);
    for (const [who, host] of [['the sender', a], ['the receiver', b]]) {
      const sent = await offer(a, b, [file]);
      await waitProgress(b, sent.tid, bytes / 4);
      const cancel = await cli(host, ['cancel', sent.tid.slice(0, 8)]);
      assert.equal(cancel.code, 0, `peerdrop cancel by ${who}: ${cancel.err}`);
      const other = host === a ? b : a;
      const seen = await waitState(other, sent.tid, 'cancelled');
      t.diagnostic(`cancelled by ${who}: the other side says "${seen.reason}"`);
      assert.equal((await transfer(host, sent.tid)).state, 'cancelled');
      await waitFor(() => readdirSync(path.join(b.downloadDir, '.peerdrop-partial')), {
        timeout: 5000, what: 'the partial file removed', until: (list) => list.length === 0,
      });
      assert.deepEqual(listFiles(b.downloadDir), [], 'nothing landed');
    }
  });
}

/**
 * An offer made while bob has no tab open waits at his daemon; a tab opened
 * `delayMs` later shows it, and accepting there completes the transfer.
 */
export function laterTabTest({ delayMs }) {
  uiTest(`an offer made while no tab is open shows in a tab opened ${delayMs / 1000} s later; accepting there completes it`, { skip: skipUi, timeout: 90_000 + delayMs }, async (lab, t) => {
    const { a, b } = await lanePair(lab, { trust: false });
    const file = path.join(a.dir, 'out', 'notes.bin');
    writeRandom(file, kMiB);
    const sent = await offer(a, b, [file]);
    await waitFor(async () => (await call(b, 'GET', '/api/offers')).json.offers, {
      timeout: 5000, what: 'the offer waiting at bob', until: (list) => list.length === 1,
    });
    await new Promise((resolve) => setTimeout(resolve, delayMs));  // nobody looks for a while: the scenario
    const ui = new PeerDropUi(await b.openBrowser());
    await ui.accept('alice');
    const done = await waitState(a, sent.tid, 'done');
    assert.equal(done.files_landed, 1);
    assert.equal((await transfer(b, sent.tid)).answered_by, 'tab');
    assert.equal(sha256(path.join(b.downloadDir, 'notes.bin')), sha256(file), 'it landed with the sent bytes');
  });
}
