// A file picked in a web page and sent over the transfer lane, against the
// raw DataChannel ceiling between the same two browsers (issue 15).
//
// One lab subnet: alice 198.51.100.10 and bob 198.51.100.11, each with
// peerdropd (--no-scan --log-level info) and a headless Chromium on its own
// daemon's page, both driven over bare DevTools (bench/lib/cdp_page.mjs: no
// Network domain, so no bytes are mirrored to this process). bob's daemon
// trusts alice. Alternated `repeats` times:
//   (a) raw:  a bare RTCPeerConnection pair in the two pages, one ordered
//             data channel, 256 KiB messages under a 4 MiB bufferedAmount
//             (rawRun of transfer_throughput.mjs), `rawMib` MiB: the ceiling
//             of a browser-to-browser transfer on this machine.
//   (b) lane: a random file of `mib` MiB set on an <input type=file> in
//             alice's page (DOM.setFileInputFiles: the page gets a File
//             backed by the disk, as when a person picks it), then in the
//             page what its lane client does: POST /api/transfers
//             {to, files}, PUT /api/transfers/TID/files/0?offset=0 with the
//             File as the body, and GET /api/transfers/TID every 100 ms
//             until done (bob verified the SHA-256 and the file landed).
//             Timed in the page from the POST to done; the landed file is
//             hashed again and compared.
// The CPU of every process in both namespaces is counted in each run.

import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Lab, kSubnetA, sha256File, writeRandomFile } from '../lab/lib/index.mjs';
import { setUpLanePair } from './lane.mjs';
import { CdpPage } from './lib/cdp_page.mjs';
import { cpuDelta, cpuSnapshot, cpuText, rawRun } from './transfer_throughput.mjs';

const kMiB = 1024 * 1024;
const kFileName = 'lane-page-bench.bin';
const deadlineFor = (bytes) => Math.round(60_000 + (bytes / kMiB) * 500);

/** In alice's page: an <input type=file> for DOM.setFileInputFiles. */
function addInput() {
  let input = document.getElementById('__laneBench');
  if (!input) {
    input = document.createElement('input');
    input.type = 'file';
    input.id = '__laneBench';
    input.hidden = true;
    document.body.append(input);
  }
}

/** In alice's page: the picked file through the lane, as the page's lane client sends it. */
function laneSend([token, to]) {
  return (async () => {
    const file = document.getElementById('__laneBench').files[0];
    const auth = { authorization: `Bearer ${token}` };
    const started = performance.now();
    const made = await fetch('/api/transfers', {
      method: 'POST', headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ to, files: [{ path: file.name, size: file.size }] }),
    });
    if (made.status !== 201) throw new Error(`POST /api/transfers: ${made.status} ${await made.text()}`);
    const { tid } = await made.json();
    const put = await fetch(`/api/transfers/${tid}/files/0?offset=0`, { method: 'PUT', headers: auth, body: file });
    if (put.status !== 204) throw new Error(`PUT: ${put.status} ${await put.text()}`);
    const uploaded = performance.now();
    for (;;) {
      const state = await (await fetch(`/api/transfers/${tid}`, { headers: auth })).json();
      if (state.state === 'done') break;
      if (!['offered', 'accepted'].includes(state.state)) throw new Error(`transfer ${tid} ended ${state.state}: ${state.reason}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const done = performance.now();
    return { tid, size: file.size, seconds: (done - started) / 1000, uploadSeconds: (uploaded - started) / 1000 };
  })();
}

async function pick(page, file) {
  await page.evaluate(addInput);
  const { root } = await page.send('DOM.getDocument', { depth: 0 });
  const { nodeId } = await page.send('DOM.querySelector', { nodeId: root.nodeId, selector: '#__laneBench' });
  await page.send('DOM.setFileInputFiles', { nodeId, files: [file] });
}

async function laneRun(pair, source) {
  const { alice, bob, alicePage } = pair;
  await pick(alicePage, source.path);
  const before = await cpuSnapshot([alice, bob]);
  const sent = await alicePage.evaluate(laneSend, [alice.daemon.token, bob.id], { timeoutMs: deadlineFor(source.size) });
  const cpu = cpuDelta(before, await cpuSnapshot([alice, bob]));
  const landed = path.join(bob.downloadDir, kFileName);
  const sha256 = await sha256File(landed);
  if (sha256 !== source.sha256) throw new Error(`${landed}: SHA-256 ${sha256 ?? '(no such file)'}, the source's ${source.sha256}`);
  await rm(landed, { force: true });
  return { ...sent, mibps: source.size / kMiB / sent.seconds, uploadMibps: source.size / kMiB / sent.uploadSeconds, cpu };
}

/** Resolves with { mib, rawMib, repeats, raw: [run], lane: [run], pageErrors }. */
export async function lanePageBenchmarks({ mib = 1024, rawMib = 256, repeats = 3, log }) {
  const lab = await Lab.create({ subnets: [kSubnetA] });
  const cleanup = [];
  try {
    const { alice, bob } = await setUpLanePair(lab);
    const [alicePage, bobPage] = await Promise.all([
      CdpPage.open(alice, { url: alice.daemon.uiUrl }), CdpPage.open(bob, { url: bob.daemon.uiUrl }),
    ]);
    const source = await writeRandomFile(path.join(alice.dir, 'send', kFileName), mib * kMiB);
    cleanup.push(path.dirname(source.path), bob.downloadDir);
    // rawRun's shape of a pair: the sending page as uiAlice.page, with room for a long send.
    const rawTimeoutMs = deadlineFor(rawMib * kMiB);
    const pair = {
      alice, bob, alicePage, bobPage,
      uiAlice: { page: { evaluate: (fn, arg, options) => alicePage.evaluate(fn, arg, { timeoutMs: rawTimeoutMs, ...options }) } },
    };
    log(`  ${mib} MiB source written; ${repeats} × (raw data channel ${rawMib} MiB, lane from the page ${mib} MiB)`);
    const raw = [];
    const lane = [];
    for (let k = 0; k < repeats; k++) {
      const a = await rawRun(pair, { bytes: rawMib * kMiB });
      raw.push(a);
      log(`    raw data channel ${a.mibps.toFixed(1)} MiB/s (${a.seconds.toFixed(1)} s) CPU ${cpuText(a.cpu)}`);
      const b = await laneRun(pair, source);
      lane.push(b);
      log(`    lane from the page ${b.mibps.toFixed(1)} MiB/s (${b.seconds.toFixed(1)} s; upload done after ${b.uploadSeconds.toFixed(1)} s) CPU ${cpuText(b.cpu)}`);
    }
    lab.succeeded = true;
    return { mib, rawMib, repeats, raw, lane, pageErrors: [...(alicePage.errors ?? []), ...(bobPage.errors ?? [])] };
  } catch (error) {
    error.message += `\n(lab run dir kept: ${lab.runDir})`;
    throw error;
  } finally {
    for (const file of cleanup) await rm(file, { force: true, recursive: true }).catch(() => {});
    await lab.destroy();
  }
}
