// A file picked in a web page, handed to the page's own daemon two ways
// (issue 15: "a `fetch` PUT with the `File` as body lets Chromium read it
// without JavaScript copies; measure against the WebSocket").
//
// One lab subnet: alice 198.51.100.10 and bob 198.51.100.11, each with
// peerdropd (--no-scan --log-level info); bob's daemon trusts alice. One
// headless Chromium, on alice's own daemon's page, driven over bare DevTools
// (bench/lib/cdp_page.mjs: no Network domain, so no bytes are mirrored to
// this process). A random file of `mib` MiB is set on an <input type=file> in
// that page (DOM.setFileInputFiles: a File backed by the disk, as when a
// person picks it). Alternated `repeats` times (PUT first in odd rounds, the
// WebSocket first in even ones), each run after a `sync` and with every
// thread of both namespaces at nice -10 (raisePriority of
// transfer_throughput.mjs: on a shared machine both ways get the cores alike):
//   (a) put: what the page's lane client does: POST /api/transfers
//            {to: bob, files}, then PUT /api/transfers/TID/files/0?offset=0
//            with the File as the body; timed in the page from the PUT to its
//            204 (alice's daemon holds the whole file). The daemon forwards
//            the bytes to bob over the lane as they arrive, so the lane's
//            sending work runs in alice's daemon during the upload; the
//            benchmark then waits (untimed) until bob verified the file, and
//            hashes the landed file again.
//   (b) ws:  a second WebSocket of the page to its daemon (/ws?token=…, as a
//            second tab would open it) and the file protocol of "Between a
//            page and its own daemon": file_open, binary frames
//            `u32 handle | u64 offset | 1 MiB` each read with
//            file.slice().arrayBuffer() (the next read overlapping the
//            current send), sent while bufferedAmount stays ≤ 8 MiB, then
//            file_finish with the size and SHA-256; timed in the page from
//            file_open to file_finished (alice's daemon wrote, checkpointed,
//            verified and moved the file into its download folder). The
//            SHA-256 is the one computed when the source was written, outside
//            the timed part: the page is http:// on a LAN address, not a
//            secure context, so it has no crypto.subtle. The landed file is
//            hashed again.
// The CPU of every process in both namespaces is counted from just before
// each timed part to just after it (and, for (a), again until bob verified).

import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Lab, kSubnetA, sha256File, writeRandomFile } from '../lab/lib/index.mjs';
import { setUpLanePair } from './lane.mjs';
import { CdpPage } from './lib/cdp_page.mjs';
import { cpuDelta, cpuSnapshot, cpuText, kDefaultNice, raisePriority } from './transfer_throughput.mjs';

export const kMiB = 1024 * 1024;
export const kFrameBytes = 1 * kMiB;
export const kMaxBuffered = 8 * kMiB;
const kFileName = 'page-upload-bench.bin';
const kInputId = '__uploadBench';
const deadlineFor = (bytes) => Math.round(60_000 + (bytes / kMiB) * 500);

/** In the page: an <input type=file> for DOM.setFileInputFiles. */
function addInput(id) {
  let input = document.getElementById(id);
  if (!input) {
    input = document.createElement('input');
    input.type = 'file';
    input.id = id;
    input.hidden = true;
    document.body.append(input);
  }
}

/** In alice's page: POST the transfer and PUT the picked file; resolves at the PUT's 204. */
function putUpload([inputId, token, to]) {
  return (async () => {
    const file = document.getElementById(inputId).files[0];
    const auth = { authorization: `Bearer ${token}` };
    const made = await fetch('/api/transfers', {
      method: 'POST', headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ to, files: [{ path: file.name, size: file.size }] }),
    });
    if (made.status !== 201) throw new Error(`POST /api/transfers: ${made.status} ${await made.text()}`);
    const { tid } = await made.json();
    const started = performance.now();
    const put = await fetch(`/api/transfers/${tid}/files/0?offset=0`, { method: 'PUT', headers: auth, body: file });
    const ended = performance.now();
    if (put.status !== 204) throw new Error(`PUT: ${put.status} ${await put.text()}`);
    return { tid, size: file.size, seconds: (ended - started) / 1000 };
  })();
}

/** In alice's page: GET /api/transfers/TID every 100 ms until done (bob verified the file). */
function laneDone([token, tid]) {
  return (async () => {
    const auth = { authorization: `Bearer ${token}` };
    for (;;) {
      const state = await (await fetch(`/api/transfers/${tid}`, { headers: auth })).json();
      if (state.state === 'done') return state;
      if (!['offered', 'accepted'].includes(state.state)) throw new Error(`transfer ${tid} ended ${state.state}: ${state.reason}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
}

/**
 * In alice's page: the picked file over a WebSocket of its own to its daemon
 * ("Between a page and its own daemon (the UI WebSocket)"). Resolves with
 * the times (file_open → file_finished, and → the last frame handed to send).
 */
function wsUpload([inputId, token, peer, tid, sha256, frameBytes, maxBuffered]) {
  return (async () => {
    const file = document.getElementById(inputId).files[0];
    const socket = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`);
    socket.binaryType = 'arraybuffer';
    let fail;
    const failed = new Promise((_, reject) => { fail = reject; });
    failed.catch(() => {});
    let welcomed;
    const welcome = new Promise((resolve) => { welcomed = resolve; });
    const waiting = new Map(); // ref → resolve
    let progress = 0;
    let done = false;
    socket.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      const message = JSON.parse(event.data);
      if (message.type === 'welcome') welcomed();
      else if (message.type === 'file_progress') progress += 1;
      else if (message.ref !== undefined && waiting.has(message.ref)) {
        waiting.get(message.ref)(message);
        waiting.delete(message.ref);
      } else if (message.type === 'error') fail(new Error(`the daemon answered ${event.data.slice(0, 300)}`));
    };
    socket.onclose = (event) => { if (!done) fail(new Error(`the daemon WebSocket closed (${event.code} ${event.reason})`)); };
    const ask = (message) => Promise.race([failed, new Promise((resolve) => {
      waiting.set(message.ref, resolve);
      socket.send(JSON.stringify(message));
    })]);
    await Promise.race([welcome, failed]);

    const started = performance.now();
    const opened = await ask({ type: 'file_open', ref: 1, peer, tid, i: 0, path: file.name, size: file.size });
    if (opened.type !== 'file_opened') throw new Error(`file_open: ${JSON.stringify(opened)}`);
    if (opened.offset !== 0) throw new Error(`file_open: offset ${opened.offset}, expected a new file`);
    const read = (offset) => file.slice(offset, Math.min(offset + frameBytes, file.size)).arrayBuffer();
    let next = file.size > 0 ? read(0) : undefined;
    let waits = 0;
    let frames = 0;
    for (let offset = 0; offset < file.size;) {
      const bytes = await Promise.race([next, failed]);
      const following = offset + bytes.byteLength;
      next = following < file.size ? read(following) : undefined; // the next read overlaps this send
      const frame = new Uint8Array(12 + bytes.byteLength);
      const view = new DataView(frame.buffer);
      view.setUint32(0, opened.handle);
      view.setUint32(4, Math.floor(offset / 2 ** 32));
      view.setUint32(8, offset >>> 0);
      frame.set(new Uint8Array(bytes), 12);
      while (socket.bufferedAmount + frame.byteLength > maxBuffered) {
        waits += 1;
        await Promise.race([new Promise((resolve) => setTimeout(resolve, 2)), failed]);
      }
      socket.send(frame);
      frames += 1;
      offset = following;
    }
    const sent = performance.now();
    const finished = await ask({ type: 'file_finish', ref: 2, handle: opened.handle, size: file.size, sha256 });
    const ended = performance.now();
    done = true;
    socket.close();
    if (finished.type !== 'file_finished' || !finished.ok) throw new Error(`file_finish: ${JSON.stringify(finished)}`);
    return {
      size: file.size, seconds: (ended - started) / 1000, sentSeconds: (sent - started) / 1000,
      name: finished.name, frames, waits, progress,
    };
  })();
}

async function pick(page, file) {
  await page.evaluate(addInput, kInputId);
  const { root } = await page.send('DOM.getDocument', { depth: 0 });
  const { nodeId } = await page.send('DOM.querySelector', { nodeId: root.nodeId, selector: `#${kInputId}` });
  await page.send('DOM.setFileInputFiles', { nodeId, files: [file] });
}

/** CPU seconds of alice's browser processes, alice's daemon and bob's daemon in a cpuDelta. */
export function cpuGroups(cpu) {
  const groups = { browser: 0, alice: 0, bob: 0 };
  for (const [key, seconds] of Object.entries(cpu.byKind)) {
    const [host, ...rest] = key.split(' ');
    const kind = rest.join(' ');
    if (kind === 'daemon' && (host === 'alice' || host === 'bob')) groups[host] += seconds;
    else if (host === 'alice' && kind !== 'agent') groups.browser += seconds;
  }
  return groups;
}

async function verifyLanded(file, source) {
  const sha256 = await sha256File(file);
  if (sha256 !== source.sha256) throw new Error(`${file}: SHA-256 ${sha256 ?? '(no such file)'}, the source's ${source.sha256}`);
  await rm(file, { force: true });
}

/** Before each run: dirty pages written out, both hosts' threads (new ones too) at nice -10. */
async function settle(hosts) {
  execFileSync('sync');
  await raisePriority(hosts, kDefaultNice);
}

async function putRun({ alice, bob, page }, source) {
  await settle([alice, bob]);
  const before = await cpuSnapshot([alice, bob]);
  const sent = await page.evaluate(putUpload, [kInputId, alice.daemon.token, bob.id], { timeoutMs: deadlineFor(source.size) });
  const uploaded = await cpuSnapshot([alice, bob]);
  await page.evaluate(laneDone, [alice.daemon.token, sent.tid], { timeoutMs: deadlineFor(source.size) });
  const cpu = cpuDelta(before, uploaded);
  const laneCpu = cpuDelta(uploaded, await cpuSnapshot([alice, bob]));
  await verifyLanded(path.join(bob.downloadDir, kFileName), source);
  return { ...sent, mibps: source.size / kMiB / sent.seconds, cpu, groups: cpuGroups(cpu), laneGroups: cpuGroups(laneCpu) };
}

async function wsRun({ alice, bob, page }, source, round) {
  await settle([alice, bob]);
  const tid = `page-upload-bench-${String(round).padStart(2, '0')}-${Date.now().toString(36)}`.slice(0, 32);
  const before = await cpuSnapshot([alice, bob]);
  const sent = await page.evaluate(wsUpload, [kInputId, alice.daemon.token, bob.id, tid, source.sha256, kFrameBytes, kMaxBuffered],
    { timeoutMs: deadlineFor(source.size) });
  const cpu = cpuDelta(before, await cpuSnapshot([alice, bob]));
  await verifyLanded(path.join(alice.downloadDir, sent.name), source);
  return { ...sent, tid, mibps: source.size / kMiB / sent.seconds, cpu, groups: cpuGroups(cpu) };
}

const groupText = (g) => `CPU browser ${g.browser.toFixed(2)} s, alice's daemon ${g.alice.toFixed(2)} s, bob's daemon ${g.bob.toFixed(2)} s`;

/** Resolves with { mib, repeats, frameBytes, maxBuffered, put: [run], ws: [run], pageErrors }. */
export async function pageUploadBenchmarks({ mib = 1024, repeats = 3, log }) {
  const lab = await Lab.create({ subnets: [kSubnetA] });
  const cleanup = [];
  try {
    const { alice, bob } = await setUpLanePair(lab);
    const page = await CdpPage.open(alice, { url: alice.daemon.uiUrl });
    const source = await writeRandomFile(path.join(alice.dir, 'send', kFileName), mib * kMiB);
    cleanup.push(path.dirname(source.path), bob.downloadDir, alice.downloadDir);
    await pick(page, source.path);
    const pair = { alice, bob, page };
    log(`  ${mib} MiB source written and picked in alice's page; ${repeats} × (fetch PUT, WebSocket), alternating which goes first`);
    const put = [];
    const ws = [];
    for (let k = 0; k < repeats; k++) {
      const order = k % 2 === 0 ? ['put', 'ws'] : ['ws', 'put'];
      for (const kind of order) {
        if (kind === 'put') {
          const a = await putRun(pair, source);
          put.push(a);
          log(`    fetch PUT  ${a.mibps.toFixed(1)} MiB/s (${a.seconds.toFixed(2)} s to the 204) ${groupText(a.groups)}; ` +
            `then until bob verified: ${groupText(a.laneGroups)}`);
          log(`      ${cpuText(a.cpu)}`);
        } else {
          const b = await wsRun(pair, source, k);
          ws.push(b);
          log(`    WebSocket  ${b.mibps.toFixed(1)} MiB/s (${b.seconds.toFixed(2)} s to file_finished, last frame handed over at ` +
            `${b.sentSeconds.toFixed(2)} s, ${b.waits} waits for bufferedAmount) ${groupText(b.groups)}`);
          log(`      ${cpuText(b.cpu)}`);
        }
      }
    }
    lab.succeeded = true;
    return { mib, repeats, frameBytes: kFrameBytes, maxBuffered: kMaxBuffered, put, ws, pageErrors: page.errors ?? [] };
  } catch (error) {
    error.message += `\n(lab run dir kept: ${lab.runDir})`;
    throw error;
  } finally {
    for (const file of cleanup) await rm(file, { force: true, recursive: true }).catch(() => {});
    await lab.destroy();
  }
}
