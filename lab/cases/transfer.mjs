// File transfer scenarios that run in two sizes (issue 5): small in
// scenarios/transfer.test.mjs (make test), at full size in
// soak/transfer.test.mjs (make soak), with the same assertions; and the
// helpers every transfer scenario shares. Two hosts on one subnet, alice and
// bob, daemons with --no-scan, one headless Chromium each on its own daemon's
// page, connected through the UI; files picked, accepted, cancelled and
// listed by role and name (lib/peerdrop_files.mjs has the contract). Every
// scenario checks what a user checks: the words on both pages, and the
// SHA-256 of every file on bob's disk against the sent one.
//
// Big files are written under the hosts' run dirs (alice's out/, bob's
// downloads/) and deleted after each test whatever its outcome (the run dir
// of a failed test is kept, without its GiBs). Throughput on the 2-core
// machine with other work running is 5-15 MiB/s, so every transfer's
// deadline is derived from its size at a pessimistic 2 MiB/s.

import assert from 'node:assert/strict';
import path from 'node:path';
import {
  MemorySampler, TransferUi, compareReceived, connectPair, kPartialFolder, kSubnetA, listFiles, removeLargeFiles,
  setUpPair, uiScenarioSkip, uiTest, writeRandomFile,
} from '../lib/index.mjs';

export const kKiB = 1024;
export const kMiB = 1024 * kKiB;
export const kGiB = 1024 * kMiB;
const kSlowestBytesPerSecond = 2 * kMiB;
/** A transfer's deadline: a minute plus its size at 2 MiB/s. */
export const deadlineFor = (bytes) => 60_000 + Math.ceil((bytes / kSlowestBytesPerSecond) * 1000);
// Memory while 1 GiB goes through (measured on the 2-core VM, load 8-9, 5 MiB/s):
// JS heap 4.9 → 6.9 MiB (sender) and 5.0 → 6.7 MiB (receiver); renderer RSS
// 242 → 303 and 243 → 288 MiB; bob's daemon RSS 9.3 → VmHWM 10.0 MiB. The
// bounds leave room for noise, while a daemon that held a sixteenth of the
// file, or a page that held a quarter of it, would fail.
/** How much a tab's JS heap may grow (the bound). */
const kTabHeapGrowth = 150 * kMiB;
/** How much a tab's renderer processes' RSS may grow (ArrayBuffers and WebRTC buffers live outside the JS heap). */
const kRendererGrowth = 256 * kMiB;
/** How much the receiving daemon's peak RSS (VmHWM at the end) may exceed its RSS before. */
const kDaemonGrowth = 64 * kMiB;
/** A transfer's state words once it is over, on either side. */
export const kEnded = /\b(Done|Declined|declined|could not accept|Cancelled|Failed)\b/;
export const kDoneVerified = /\bDone\b.*\bVerified\b/s;

const skip = await uiScenarioSkip('transfer scenarios');
export const minutes = (n) => ({ subnets: [kSubnetA], timeout: n * 60_000, skip });

/**
 * alice and bob connected through their pages, with each page's file UI;
 * big files under either run dir are removed after the test.
 */
export async function setUpTransfer(lab, t, options) {
  const pair = await setUpPair(lab, options);
  t.after(async () => {
    for (const host of [pair.a, pair.b]) await removeLargeFiles(host.dir);
  });
  await connectPair(pair.uiA, pair.uiB);
  return { ...pair, filesA: new TransferUi(pair.uiA), filesB: new TransferUi(pair.uiB) };
}

/** The expected text of a size, as the UI writes it (components/format.ts: binary multiples, "KB"/"MB"…). */
export function sizeText(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export const exactly = (text) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

/** Waits until the transfer named `title` with `peer` is over; resolves with its state words. */
export function waitEnded(files, peer, title, bytes) {
  return files.waitState(peer, title, kEnded, { timeout: deadlineFor(bytes) });
}

/** Both pages show the transfer done and verified; resolves with { sender, receiver } state texts. */
export async function bothVerified({ filesA, filesB }, title, bytes) {
  const [sender, receiver] = await Promise.all([
    waitEnded(filesA, 'bob', exactly(`To bob: ${title}`), bytes),
    waitEnded(filesB, 'alice', exactly(`From alice: ${title}`), bytes),
  ]);
  assert.match(sender, kDoneVerified, `alice's transfer "To bob: ${title}" says done and verified`);
  assert.match(receiver, kDoneVerified, `bob's transfer "From alice: ${title}" says done and verified`);
  return { sender, receiver };
}

/** Waits until the list "Received files" names every one of `names`; resolves with the names listed. */
export async function waitListed(files, names) {
  try {
    return await files.ui.waitUntil(() => files.receivedNames(), {
      timeout: 15_000, what: `${names.length} files in the list "Received files"`, until: (listed) => names.every((n) => listed.includes(n)),
    });
  } catch (error) {
    const listed = await files.receivedNames();
    error.message = `not listed: ${JSON.stringify(names.filter((n) => !listed.includes(n)).slice(0, 10))} ` +
      `(${listed.length} listed)\n${error.message}`;
    throw error;
  }
}

/** Files in bob's partial folder (the daemon's unfinished files). */
export async function partialFiles(host) {
  return listFiles(path.join(host.downloadDir, kPartialFolder));
}

/**
 * Sends one small file from alice to bob through the UI and checks it lands
 * verified: the connection still works. With `autoAccept` bob has ticked
 * "Always accept connections and files from alice", so no dialog comes.
 */
export async function smallFileGoesThrough(setup, name, { autoAccept = false } = {}) {
  const { a, b, filesA, filesB } = setup;
  const file = await writeRandomFile(path.join(a.dir, 'out', name), 4 * kKiB + 3);
  await filesA.sendFiles('bob', [file.path]);
  if (!autoAccept) await filesB.accept('alice');
  await bothVerified(setup, name, file.size);
  assert.deepEqual(await compareReceived(b.downloadDir, { [name]: file.sha256 }), [], `${name} on bob's disk`);
  return file;
}

/** The speed of a finished transfer from the page's own hook (receiving side), in MiB/s. */
export async function hookSpeed(files, bytes) {
  const done = (await files.hook()).filter((h) => h.state === 'done' && h.total === bytes && h.doneAt && h.startedAt);
  const last = done.at(-1);
  return last ? bytes / kMiB / ((last.doneAt - last.startedAt) / 1000) : undefined;
}

/** 1. Three files (0 B, 1 KiB and `bigBytes`), then a folder of 200: verified, listed, nothing left over. */
export function filesAndFolderTest({ bigBytes, timeoutMinutes }) {
  const big = `video-${bigBytes / kMiB}MiB.bin`;
  uiTest(`3 files (0 B, 1 KiB, ${bigBytes / kMiB} MiB), then a folder of 200 files in sub-folders: verified on both sides, ` +
    'same SHA-256 on bob\'s disk, listed in "Received files", no partial file left', minutes(timeoutMinutes), async (lab, t) => {
    const setup = await setUpTransfer(lab, t);
    const { a, b, filesA, filesB } = setup;
    const out = path.join(a.dir, 'out');
    const files = [
      await writeRandomFile(path.join(out, 'empty.bin'), 0),
      await writeRandomFile(path.join(out, 'notes-1KiB.txt'), kKiB),
      await writeRandomFile(path.join(out, big), bigBytes),
    ];
    const total = files.reduce((sum, f) => sum + f.size, 0);
    await filesA.sendFiles('bob', files.map((f) => f.path));
    const request = await filesB.waitRequest('alice');
    t.diagnostic(`bob's dialog: "${request.replace(/\n+/g, ' / ')}"`);
    for (const f of files) assert.ok(request.includes(path.basename(f.path)), `the dialog lists ${path.basename(f.path)}`);
    assert.match(request, /\b3 files\b/, 'the dialog says 3 files');
    assert.ok(request.includes(`Total: ${sizeText(total)}`), `the dialog shows the total "${sizeText(total)}"`);
    const started = Date.now();
    await filesB.accept('alice');
    await bothVerified(setup, '3 files', total);
    const ms = Date.now() - started;
    t.diagnostic(`3 files (${(total / kMiB).toFixed(1)} MiB) verified in ${(ms / 1000).toFixed(1)} s; ` +
      `receiving page's own figure ${(await hookSpeed(filesB, total))?.toFixed(1)} MiB/s`);
    const expected = Object.fromEntries(files.map((f) => [path.basename(f.path), f.sha256]));
    assert.deepEqual(await compareReceived(b.downloadDir, expected), [], 'the 3 files on bob\'s disk');
    await waitListed(filesB, Object.keys(expected));

    // The folder: 200 files of varied sizes in 4 sub-folders (and its top level).
    const folder = path.join(out, 'holiday');
    const subfolders = ['', 'day-1', 'day-1/beach', 'day-2', 'notes'];
    const sizes = [0, 1, 17, 512, 4096, 12_345, 65_536, 100_003, 250_000];
    const folderFiles = {};
    let folderTotal = 0;
    for (let k = 0; k < 200; k++) {
      const rel = path.posix.join('holiday', subfolders[k % subfolders.length], `file-${String(k).padStart(3, '0')}.dat`);
      const f = await writeRandomFile(path.join(out, rel), sizes[k % sizes.length]);
      folderFiles[rel] = f.sha256;
      folderTotal += f.size;
    }
    await filesA.sendFolder('bob', folder);
    const folderRequest = await filesB.waitRequest('alice');
    assert.match(folderRequest, /\b200 files\b/, `the dialog says 200 files: ${folderRequest.slice(0, 300)}`);
    assert.ok(folderRequest.includes(`Total: ${sizeText(folderTotal)}`), `the dialog shows the total "${sizeText(folderTotal)}"`);
    const offered = await filesB.dialog('alice').getByRole('list', { name: 'Offered files', exact: true }).getByRole('listitem')
      .allInnerTexts();
    const unknown = offered.filter((item) => !Object.keys(folderFiles).some((rel) => item.startsWith(`${rel} `)));
    assert.ok(offered.length > 0 && unknown.length === 0,
      `the dialog lists paths inside the folder (${offered.length} listed; not sent: ${JSON.stringify(unknown.slice(0, 5))})`);
    assert.match(folderRequest, new RegExp(`\\band ${200 - offered.length} more\\b`), 'the dialog says how many more files there are');
    await filesB.accept('alice');
    await bothVerified(setup, '200 files', folderTotal);
    assert.deepEqual(await compareReceived(b.downloadDir, folderFiles), [], 'the folder\'s files on bob\'s disk');

    const all = [...Object.keys(expected), ...Object.keys(folderFiles)].sort();
    assert.deepEqual(await listFiles(b.downloadDir), all, 'exactly the sent files are in bob\'s download folder');
    assert.deepEqual(await partialFiles(b), [], 'nothing is left in the partial folder');
    // The list shows the newest 200 files (docs/protocol.md, GET /api/files): the folder's.
    const listed = await waitListed(filesB, Object.keys(folderFiles));
    assert.equal(listed.length, 200, 'the list "Received files" shows the newest 200 files');
  });
}

/** `bytes` as the test names say it: "1 GiB", "16 MiB". */
const sizeName = (bytes) => (bytes % kGiB === 0 ? `${bytes / kGiB} GiB` : `${bytes / kMiB} MiB`);

/** 2. A file of `bytes` with bounded memory in both tabs and the receiving daemon. */
export function boundedMemoryTest({ bytes, timeoutMinutes }) {
  const fileName = `big-${sizeName(bytes).replace(' ', '')}.bin`;
  uiTest(`${sizeName(bytes)} file: bounded JS heap in both tabs and bounded RSS of bob's daemon; same SHA-256`,
    minutes(timeoutMinutes), async (lab, t) => {
      const setup = await setUpTransfer(lab, t);
      const { a, b, filesA, filesB, uiA, uiB } = setup;
      const file = await writeRandomFile(path.join(a.dir, 'out', fileName), bytes);
      const sampler = await new MemorySampler({ pages: { alice: uiA, bob: uiB }, daemons: { bob: b }, intervalMs: 500 }).start();
      let memory;
      const started = Date.now();
      try {
        await filesA.sendFiles('bob', [file.path]);
        await filesB.accept('alice');
        await bothVerified(setup, fileName, file.size);
      } finally {
        memory = await sampler.stop();
        console.log(`${sizeName(bytes)} transfer: ${MemorySampler.describe(memory)}`);
      }
      const seconds = (Date.now() - started) / 1000;
      t.diagnostic(`${sizeName(bytes)} verified in ${seconds.toFixed(1)} s (${(bytes / kMiB / seconds).toFixed(1)} MiB/s ` +
        `with the dialog); receiving page's own figure ${(await hookSpeed(filesB, file.size))?.toFixed(1)} MiB/s`);
      const mib = (n) => `${(n / kMiB).toFixed(1)} MiB`;
      for (const name of ['bob', 'alice']) {
        const p = memory.pages[name];
        assert.ok(p.heapPeak <= p.heapBaseline + kTabHeapGrowth,
          `${name}'s tab: JS heap peak ${mib(p.heapPeak)} over its ${mib(p.heapBaseline)} before + ${mib(kTabHeapGrowth)}`);
        assert.ok(p.rendererPeak <= p.rendererBaseline + kRendererGrowth,
          `${name}'s renderer RSS peak ${mib(p.rendererPeak)} over its ${mib(p.rendererBaseline)} before + ${mib(kRendererGrowth)}`);
      }
      const d = memory.daemons.bob;
      assert.ok(d.hwmEnd <= d.rssBaseline + kDaemonGrowth,
        `bob's daemon: peak RSS ${mib(d.hwmEnd)} over its ${mib(d.rssBaseline)} before + ${mib(kDaemonGrowth)}`);
      assert.deepEqual(await compareReceived(b.downloadDir, { [fileName]: file.sha256 }), []);
      assert.deepEqual(await partialFiles(b), []);
    });
}

/**
 * 4. A lossy link: what `tc qdisc add dev eth0 root netem delay 30ms loss 3%`
 * does to alice's outgoing packets (the data direction), with netem where
 * the kernel has it and iptables loss + lab_nfq_delay where it does not; a
 * file of `bytes` goes through it.
 */
export function lossyLinkTest({ bytes, timeoutMinutes }) {
  const fileName = `lossy-${bytes / kMiB}MiB.bin`;
  // Loss and delay cut SCTP's window: a minute plus 8.4 s per MiB (15 minutes for 100 MiB), far below what it does.
  const deadline = 60_000 + (bytes / kMiB) * 8400;
  uiTest(`lossy link (alice sends through 30 ms delay and 3 % loss): a ${bytes / kMiB} MiB file completes and verifies`,
    minutes(timeoutMinutes), async (lab, t) => {
      const setup = await setUpTransfer(lab, t);
      const { a, b, filesA, filesB } = setup;
      const file = await writeRandomFile(path.join(a.dir, 'out', fileName), bytes);
      const link = await a.impair({ delayMs: 30, lossPercent: 3 });
      let counters;
      const started = Date.now();
      try {
        await filesA.sendFiles('bob', [file.path]);
        await filesB.accept('alice');
        const [sender, receiver] = await Promise.all([
          filesA.waitState('bob', exactly(`To bob: ${fileName}`), kEnded, { timeout: deadline }),
          filesB.waitState('alice', exactly(`From alice: ${fileName}`), kEnded, { timeout: deadline }),
        ]);
        assert.match(sender, kDoneVerified, 'alice\'s transfer says done and verified');
        assert.match(receiver, kDoneVerified, 'bob\'s transfer says done and verified');
      } finally {
        counters = await link.restore();
      }
      const seconds = (Date.now() - started) / 1000;
      t.diagnostic(`${bytes / kMiB} MiB over the lossy link in ${seconds.toFixed(1)} s ` +
        `(${(bytes / kMiB / seconds).toFixed(2)} MiB/s); link: ${JSON.stringify(counters)}`);
      assert.ok(counters.lost > 0, `the link dropped packets (${JSON.stringify(counters)})`);
      assert.deepEqual(await compareReceived(b.downloadDir, { [fileName]: file.sha256 }), []);
      assert.deepEqual(await partialFiles(b), []);
    });
}
