// File transfer throughput of the web UI against the raw ceiling of one
// WebRTC data channel, on the same two lab hosts and browsers (issue 5):
//
//   (a) raw:      a bare RTCPeerConnection pair made inside the two PeerDrop
//                 pages (SDP handed over by this process), one ordered data
//                 channel, 256 KiB messages sent while bufferedAmount is under
//                 4 MiB and resumed at bufferedamountlow (1 MiB); the
//                 receiver counts the bytes and drops them. The time runs
//                 from the sender's first send to the receiver's last byte.
//   (b) PeerDrop: a random file picked in alice's "Files to send" and sent
//                 through the UI until bob's daemon has verified it and moved
//                 it into place; the time is the sending page's own record,
//                 window.__peerdrop.transfers: doneAt − startedAt
//                 (performance.now(): the receiver's xfer_accept to its
//                 xfer_file_done). The file on bob's disk is then hashed and
//                 compared with the source.
//
// (a) and (b) alternate (a, b, a, b, …) so slow phases of a shared machine
// hit both; the report takes the medians and their ratio. During each run
// the CPU time of every process in each host's namespace is counted
// (renderer, browser, network service, daemon), and during (b) the peak of
// bob's tab (JS heap by CDP Performance.getMetrics, renderer RSS by VmHWM
// after resetting it) and of bob's daemon (VmHWM after resetting it). In
// both, alice's page samples its sending channel's bufferedAmount, to tell a
// sender that cannot keep the channel fed from a channel that drains slowly.
//
// One lab, one subnet: alice 198.51.100.10 and bob 198.51.100.11, each with
// peerdropd (--no-scan --log-level info) and a headless Chromium on its own
// daemon's page; bob's daemon has alice on its "always accept" list
// (PUT /api/settings autoAccept), so bob's page accepts the connection and
// the files without asking, as for a user who trusts alice's computer. Alice's page is driven by
// Playwright through the UI; bob's over bare DevTools (bench/lib/cdp_page.mjs,
// which says why). Before each run every thread of both hosts gets nice -10
// (raisePriority), so that a shared machine's other work weighs on both kinds
// of run alike.

import { rm, writeFile } from 'node:fs/promises';
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  Lab, PeerDropUi, TransferUi, kSubnetA, putSettings, sha256File, waitFor, waitForPeer, writeRandomFile,
} from '../lab/lib/index.mjs';
import { processInfo } from '../lab/lib/browser.mjs';
import { namespacePids } from '../lab/lib/netns.mjs';
import { CdpPage } from './lib/cdp_page.mjs';
import { clockTicksPerSecond } from './lib/machine.mjs';

export const kMiB = 1024 * 1024;
const kDaemonArgs = ['--no-scan', '--log-level', 'info'];
export const kRawMessageBytes = 256 * 1024;
export const kRawLowMark = 1 * kMiB;
export const kRawHighMark = 4 * kMiB;
const kConnectMs = 20_000;
// The benchmark's own polling costs CPU in the pages it asks (and in this
// process), which the raw runs do not pay: poll seldom; the times measured are
// the pages' own stamps, not when the benchmark noticed.
export const kSampleMs = 1000;
const kPollMs = 1000;
/** How often alice's page reads its sending data channel's bufferedAmount (see startSendBufferSampler). */
export const kSendBufferSampleMs = 10;
/** Nice value given to every thread in the two hosts' namespaces during the runs (see raisePriority). */
export const kDefaultNice = -10;
const kFileName = 'peerdrop-bench.bin';
const kHz = clockTicksPerSecond();

/** Milliseconds allowed for moving `bytes` (at 2 MiB/s at worst, plus set-up). */
const deadlineFor = (bytes) => 60_000 + (bytes / kMiB) * 500;

// ---- the pair ----

/**
 * The receiving page, either driven over bare DevTools (`cdp`, the default:
 * no WebSocket frames mirrored to the test, see bench/lib/cdp_page.mjs) or
 * by Playwright like the lab's other pages (`playwright`).
 */
async function openReceiver(host, driver) {
  if (driver === 'playwright') {
    const ui = new PeerDropUi(await host.openBrowser());
    return {
      ui,
      evaluate: (fn, arg, { timeoutMs } = {}) => withDeadline(ui.page.evaluate(fn, arg), timeoutMs, `${host.name}'s page`),
      metrics: async () => {
        ui.cdp ??= await ui.page.context().newCDPSession(ui.page).then(async (s) => { await s.send('Performance.enable'); return s; });
        const { metrics } = await ui.cdp.send('Performance.getMetrics');
        return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
      },
      collectGarbage: () => ui.cdp?.send('HeapProfiler.collectGarbage'),
      errors: () => ui.browser.errors,
    };
  }
  const page = await CdpPage.open(host, { url: host.daemon.uiUrl });
  return {
    page,
    evaluate: (fn, arg, options) => page.evaluate(fn, arg, options),
    metrics: () => page.metrics(),
    collectGarbage: () => page.send('HeapProfiler.collectGarbage'),
    errors: () => page.errors ?? [],
  };
}

function withDeadline(promise, timeoutMs, what) {
  if (!timeoutMs) return promise;
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** The receiving page's window.__peerdrop.transfers. */
const hookOf = (page) => page.evaluate(() => JSON.parse(JSON.stringify(window.__peerdrop?.transfers ?? [])));

/**
 * Two hosts, daemons and browsers, connected through alice's UI (bob's page
 * accepts by itself: alice is on its daemon's always-accept list). Resolves with { alice, bob, uiAlice, filesAlice, bobPage }.
 */
export async function setUpTransferPair(lab, { receiver = 'cdp' } = {}) {
  const alice = await lab.addHost('alice', { subnet: 'a', ip: '198.51.100.10' });
  const bob = await lab.addHost('bob', { subnet: 'a', ip: '198.51.100.11' });
  await alice.startDaemon(kDaemonArgs);
  await bob.startDaemon(kDaemonArgs);
  await Promise.all([waitForPeer(alice, bob, { timeout: 8000 }), waitForPeer(bob, alice, { timeout: 8000 })]);
  await putSettings(bob, { autoAccept: [alice.id] });
  const [uiAlice, bobPage] = await Promise.all([
    alice.openBrowser().then((browser) => new PeerDropUi(browser)),
    openReceiver(bob, receiver),
  ]);
  await uiAlice.waitPeer('bob');
  await uiAlice.click('bob', 'Connect');
  await uiAlice.waitConnected('bob', { timeout: kConnectMs });
  await waitFor(() => bobPage.evaluate(() => document.body.innerText), {
    timeout: kConnectMs, interval: 100, what: 'bob\'s page to show alice as Connected',
    until: (text) => /\balice\b/.test(text) && /\bConnected\b/.test(text),
  });
  return { alice, bob, uiAlice, filesAlice: new TransferUi(uiAlice), bobPage };
}

// ---- CPU time per process kind ----

/**
 * argv of a process; Chromium's child processes rewrite their command line
 * as one space-separated string, so a single entry is split on spaces.
 */
function argvOf(pid) {
  const info = processInfo(pid);
  if (!info) return undefined;
  return info.argv.length === 1 ? info.argv[0].split(' ') : info.argv;
}

/** The kind of a process in a host's namespace: renderer, network, gpu, browser, daemon, agent, turnserver, other. */
function processKind(argv) {
  const type = argv.find((arg) => arg.startsWith('--type='))?.slice('--type='.length);
  if (type === 'renderer') return argv.includes('--top-chrome-webui') ? 'renderer (webui)' : 'renderer';
  if (type === 'utility') return argv.some((arg) => arg.includes('NetworkService')) ? 'network' : 'utility';
  if (type === 'gpu-process') return 'gpu';
  if (type) return type;
  const exe = path.basename(argv[0] ?? '');
  if (exe === 'chromium') return 'browser';
  if (exe === 'peerdropd' || argv.some((arg) => path.basename(arg) === 'peerdropd')) return 'daemon';
  if (exe === 'node') return 'agent';
  if (exe === 'turnserver') return 'turnserver';
  return 'other';
}

function statTicks(file) {
  try {
    const stat = readFileSync(file, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ticks: Number(fields[11]) + Number(fields[12]), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) };
  } catch {
    return undefined;
  }
}

/** CPU ticks of each thread of `pid` by thread name (Chromium names its threads). */
function threadTicks(pid) {
  const out = {};
  let tids = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    const t = statTicks(`/proc/${pid}/task/${tid}/stat`);
    if (t) out[t.comm] = (out[t.comm] ?? 0) + t.ticks;
  }
  return out;
}

/** { pid: { host, kind, ticks, threads } } of every process in the hosts' namespaces (threads: renderers only), and this one. */
export async function cpuSnapshot(hosts) {
  const own = process.cpuUsage();
  const out = { [process.pid]: { host: 'lab', kind: 'test process', ticks: ((own.user + own.system) / 1e6) * kHz } };
  for (const host of hosts) {
    for (const pid of await namespacePids(host.namespace)) {
      const argv = argvOf(pid);
      const stat = statTicks(`/proc/${pid}/stat`);
      if (!argv || !stat) continue;
      const kind = pid === host.daemon?.pid ? 'daemon' : processKind(argv);
      out[pid] = { host: host.name, kind, ticks: stat.ticks, threads: kind === 'renderer' ? threadTicks(pid) : undefined };
    }
  }
  return out;
}

/**
 * CPU seconds between two snapshots: `byKind` per "host kind" ("bob renderer": 3.1),
 * `busiest` per host the renderer pid with the most, `threads` its threads
 * by name (processes that started in between are counted whole).
 */
export function cpuDelta(before, after) {
  const hz = kHz;
  const byKind = {};
  const busiest = {};
  for (const [pid, entry] of Object.entries(after)) {
    const ticks = entry.ticks - (before[pid]?.ticks ?? 0);
    const key = `${entry.host} ${entry.kind}`;
    byKind[key] = (byKind[key] ?? 0) + ticks / hz;
    if (entry.kind === 'renderer' && ticks > (busiest[entry.host]?.ticks ?? -1)) {
      const threads = {};
      let live = 0;
      for (const [name, t] of Object.entries(entry.threads ?? {})) {
        const s = (t - (before[pid]?.threads?.[name] ?? 0)) / hz;
        live += s;
        if (s > 0) threads[name] = s;
      }
      // A process's ticks include those of its threads that have ended (the
      // sender's reading worker ends with its transfer, before the last snapshot).
      const ended = ticks / hz - live;
      if (ended >= 0.01) threads[kEndedThreads] = ended;
      busiest[entry.host] = { pid: Number(pid), ticks, threads };
    }
  }
  return { byKind, renderer: Object.fromEntries(Object.entries(busiest).map(([host, b]) => [host, { pid: b.pid, threads: b.threads }])) };
}

// ---- priority ----

/**
 * Sets the nice value of every thread of every process in the hosts'
 * namespaces (Linux nice is per thread; threads made later inherit their
 * creator's). On a machine shared with other work, a raw run and a PeerDrop
 * run would otherwise get different shares of the CPU depending on how many
 * threads each keeps runnable; with a priority above the neighbours' both get
 * nearly the whole machine, as on a machine of their own.
 */
export async function raisePriority(hosts, nice) {
  let threads = 0;
  for (const host of hosts) {
    for (const pid of await namespacePids(host.namespace)) {
      let tids = [];
      try {
        tids = readdirSync(`/proc/${pid}/task`);
      } catch {
        continue;
      }
      for (const tid of tids) {
        try {
          os.setPriority(Number(tid), nice);
          threads += 1;
        } catch { /* gone */ }
      }
    }
  }
  return threads;
}

// ---- memory ----

/** The threads key for CPU time of threads that ended between two snapshots. */
export const kEndedThreads = '(ended)';

/** Sets VmHWM of `pid` to its current RSS (Linux ≥ 4.0): the next VmHWM is the peak from now on. */
async function resetPeak(pid) {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

function memoryKiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return { rss: field('VmRSS'), hwm: field('VmHWM') };
  } catch {
    return undefined;
  }
}

async function rendererPids(host) {
  return (await namespacePids(host.namespace)).filter((pid) => {
    const argv = argvOf(pid);
    return argv && processKind(argv) === 'renderer';
  });
}

/**
 * The receiving side's memory during one transfer: bob's JS heap (sampled
 * every 500 ms), the peak RSS of each of bob's renderer processes and of
 * its daemon (VmHWM, reset at the start). Bytes.
 */
class PeakMemory {
  constructor(page, host) {
    this.page = page;
    this.host = host;
    this.heapPeak = 0;
    this.heapBaseline = 0;
    this.timer = undefined;
    this.busy = undefined;
    this.error = undefined;
  }

  async start() {
    this.renderers = await rendererPids(this.host);
    await this.heap(); // the first call enables the metrics
    await this.page.collectGarbage()?.catch(() => {});
    this.heapBaseline = await this.heap();
    this.heapPeak = this.heapBaseline;
    this.rendererBaseline = {};
    for (const pid of this.renderers) {
      await resetPeak(pid);
      this.rendererBaseline[pid] = memoryKiB(pid)?.rss ?? 0;
    }
    await resetPeak(this.host.daemon.pid);
    this.daemonBaseline = this.host.daemon.memory().rssKiB;
    this.timer = setInterval(() => {
      this.busy ??= this.heap()
        .then((heap) => { this.heapPeak = Math.max(this.heapPeak, heap); })
        .catch((error) => { this.error ??= error; })
        .finally(() => { this.busy = undefined; });
    }, kSampleMs);
  }

  async heap() {
    return (await this.page.metrics()).JSHeapUsedSize ?? 0;
  }

  async stop() {
    clearInterval(this.timer);
    await this.busy;
    this.heapPeak = Math.max(this.heapPeak, await this.heap());
    const renderers = {};
    for (const pid of this.renderers) {
      renderers[pid] = { baseline: this.rendererBaseline[pid] * 1024, peak: (memoryKiB(pid)?.hwm ?? 0) * 1024 };
    }
    const daemon = this.host.daemon.memory();
    if (this.error) throw this.error;
    return {
      heapBaseline: this.heapBaseline,
      heapPeak: this.heapPeak,
      renderers,
      daemonBaseline: this.daemonBaseline * 1024,
      daemonPeak: daemon.peakKiB * 1024,
    };
  }
}

// ---- (a) raw ----

/** In a page: the sending or receiving end of a bare peer connection, kept in window.__rawBench. */
// `config` is the RTCConfiguration of both ends (none: the browser's default,
// no ICE servers). Every end gathers all its candidates before its
// description is handed over; the pages time that (gatherMs) and, on the
// sending end, setRemoteDescription(answer) → channel open (openMs): the
// connect time without this process's own latency.
function rawOffer(config) {
  return (async () => {
    const started = performance.now();
    const pc = new RTCPeerConnection(config ?? undefined);
    const channel = pc.createDataChannel('raw', { ordered: true });
    channel.binaryType = 'arraybuffer';
    window.__rawBench = { pc, channel };
    await pc.setLocalDescription();
    await new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') resolve();
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
    });
    return { description: pc.localDescription.toJSON(), gatherMs: performance.now() - started };
  })();
}

function rawAnswer([offer, total, timeoutMs, config]) {
  return (async () => {
    const started = performance.now();
    const pc = new RTCPeerConnection(config ?? undefined);
    const bench = { pc, got: 0, firstAt: null, lastAt: null };
    // Resolves when `total` bytes are in: { firstAt, lastAt } (performance.timeOrigin + now, one clock for both pages).
    bench.done = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`raw receiver: ${bench.got} of ${total} bytes after ${timeoutMs} ms`)), timeoutMs);
      pc.addEventListener('datachannel', (event) => {
        const channel = event.channel;
        channel.binaryType = 'arraybuffer';
        channel.onmessage = (message) => {
          const now = performance.timeOrigin + performance.now();
          if (bench.firstAt === null) {
            bench.firstAt = now;
            bench.firstBytes = message.data.byteLength;
          }
          bench.got += message.data.byteLength;
          if (bench.got >= total) {
            bench.lastAt = now;
            clearTimeout(timer);
            resolve({ firstAt: bench.firstAt, lastAt: bench.lastAt, firstBytes: bench.firstBytes, got: bench.got });
          }
        };
      });
    });
    bench.done.catch(() => {});
    window.__rawBench = bench;
    await pc.setRemoteDescription(offer);
    await pc.setLocalDescription();
    await new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') resolve();
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
    });
    return { description: pc.localDescription.toJSON(), gatherMs: performance.now() - started };
  })();
}

function rawSend([answer, total, messageBytes, low, high, timeoutMs]) {
  return (async () => {
    const { pc, channel } = window.__rawBench;
    const answered = performance.now();
    await pc.setRemoteDescription(answer);
    await new Promise((resolve, reject) => {
      if (channel.readyState === 'open') resolve();
      channel.onopen = resolve;
      setTimeout(() => reject(new Error(`raw channel not open after ${timeoutMs} ms`)), timeoutMs);
    });
    const openMs = performance.now() - answered;
    const buffer = new Uint8Array(messageBytes);
    channel.bufferedAmountLowThreshold = low;
    const startedAt = performance.timeOrigin + performance.now();
    let sent = 0;
    while (sent < total) {
      if (channel.bufferedAmount >= high) {
        await new Promise((resolve) => { channel.onbufferedamountlow = resolve; });
        continue;
      }
      const n = Math.min(messageBytes, total - sent);
      channel.send(n === messageBytes ? buffer : buffer.subarray(0, n));
      sent += n;
    }
    return { startedAt, openMs, maxMessageSize: pc.sctp?.maxMessageSize ?? null };
  })();
}

/** In the sending page: the selected candidate pair's types, "relay → host". */
function rawSelectedPair() {
  return (async () => {
    const stats = await window.__rawBench.pc.getStats();
    const byId = new Map();
    stats.forEach((s) => byId.set(s.id, s));
    const transport = [...byId.values()].find((s) => s.type === 'transport');
    const pair = byId.get(transport?.selectedCandidatePairId);
    return pair ? `${byId.get(pair.localCandidateId)?.candidateType} → ${byId.get(pair.remoteCandidateId)?.candidateType}` : 'none';
  })();
}

function rawClose() {
  const bench = window.__rawBench;
  window.__rawBench = undefined;
  bench?.channel?.close();
  bench?.pc?.close();
}

/**
 * One raw run of `bytes`, both ends with the RTCConfiguration `rtcConfig`
 * (default: none), the CPU counted in `cpuHosts` (default: alice and bob).
 * Resolves with { mibps, seconds, receiverMibps, connectMs, cpu, selected }:
 * connectMs is both ends' gathering plus the offerer's answer → open time;
 * selected the sending end's candidate pair types ("relay → host").
 */
export async function rawRun(pair, { bytes, rtcConfig, cpuHosts }) {
  const { alice, bob, uiAlice, bobPage } = pair;
  const hosts = cpuHosts ?? [alice, bob];
  const timeoutMs = deadlineFor(bytes);
  try {
    const offer = await uiAlice.page.evaluate(rawOffer, rtcConfig);
    const answer = await bobPage.evaluate(rawAnswer, [offer.description, bytes, timeoutMs, rtcConfig]);
    const stopSampling = await sampleSendBuffer(uiAlice.page);
    const cpuBefore = await cpuSnapshot(hosts);
    const sending = uiAlice.page.evaluate(rawSend, [answer.description, bytes, kRawMessageBytes, kRawLowMark, kRawHighMark, timeoutMs]);
    sending.catch(() => {});
    const received = await bobPage.evaluate(() => window.__rawBench.done, undefined, { timeoutMs: timeoutMs + 5000 });
    const sent = await sending;
    const cpu = cpuDelta(cpuBefore, await cpuSnapshot(hosts));
    const sendBuffer = await stopSampling();
    const seconds = (received.lastAt - sent.startedAt) / 1000;
    const receiverSeconds = (received.lastAt - received.firstAt) / 1000;
    return {
      bytes, seconds, mibps: bytes / kMiB / seconds,
      receiverMibps: (bytes - (received.firstBytes ?? 0)) / kMiB / receiverSeconds,
      connectMs: offer.gatherMs + answer.gatherMs + sent.openMs,
      selected: await uiAlice.page.evaluate(rawSelectedPair),
      maxMessageSize: sent.maxMessageSize, cpu, sendBuffer,
    };
  } finally {
    await Promise.all([uiAlice.page.evaluate(rawClose), bobPage.evaluate(rawClose)].map((p) => p.catch(() => {})));
  }
}

// ---- the sending channel's buffer ----

/**
 * In alice's page: remembers the data channel that last sent a message of
 * 60,000 bytes or more (the raw channel, or PeerDrop's file channel; never
 * the chat channel) and, from now until stop, reads its bufferedAmount
 * every `sampleMs`, up to that channel's last large send (the drain after it
 * is the end, not a wait). A sender that keeps up holds it between the marks
 * or above; one that cannot read or hand over data fast enough lets it fall
 * under the low mark. The wrapper of send() is installed once per page.
 */
function startSendBufferSampler(sampleMs) {
  if (!window.__sendBuffer) {
    const state = { channel: null, lastSendAt: 0, samples: [], timer: null };
    const send = RTCDataChannel.prototype.send;
    RTCDataChannel.prototype.send = function sampledSend(data) {
      if ((data?.byteLength ?? 0) >= 60_000) {
        state.channel = this;
        state.lastSendAt = performance.now();
      }
      return send.call(this, data);
    };
    window.__sendBuffer = {
      start(ms) {
        state.channel = null;
        state.samples = [];
        clearInterval(state.timer);
        state.timer = setInterval(() => {
          if (state.channel?.readyState === 'open') state.samples.push([performance.now(), state.channel.bufferedAmount]);
        }, ms);
      },
      stop([low, high]) {
        clearInterval(state.timer);
        const amounts = state.samples.filter(([at]) => at <= state.lastSendAt).map(([, amount]) => amount);
        const n = amounts.length;
        const share = (test) => (n === 0 ? NaN : amounts.filter(test).length / n);
        return { samples: n, underLow: share((x) => x < low), atHigh: share((x) => x >= high) };
      },
    };
  }
  window.__sendBuffer.start(sampleMs);
}

/** Starts sampling alice's sending buffer; the returned function stops it and resolves with the shares. */
async function sampleSendBuffer(page) {
  await page.evaluate(startSendBufferSampler, kSendBufferSampleMs);
  return () => page.evaluate((marks) => window.__sendBuffer.stop(marks), [kRawLowMark, kRawHighMark]);
}

// ---- (b) PeerDrop ----

/** A random file of `bytes` in alice's run directory: { path, size, sha256 }. */
export function makeSourceFile(pair, bytes) {
  return writeRandomFile(path.join(pair.alice.dir, 'send', kFileName), bytes);
}

/**
 * One transfer of `source` through the UI, until alice's page says done and
 * the file on bob's disk has the source's SHA-256, with the CPU counted in
 * `cpuHosts` (default: alice and bob). Resolves with
 * { mibps, seconds, receiverSeconds, memory, cpu }.
 */
export async function peerdropRun(pair, { source, cpuHosts }) {
  const { alice, bob, filesAlice, bobPage } = pair;
  const hosts = cpuHosts ?? [alice, bob];
  const received = path.join(bob.downloadDir, kFileName);
  await rm(received, { force: true });
  const known = new Set((await filesAlice.hook()).map((t) => t.tid));
  const timeout = deadlineFor(source.size);
  const memory = new PeakMemory(bobPage, bob);
  await memory.start();
  const stopSampling = await sampleSendBuffer(pair.uiAlice.page);
  const cpuBefore = await cpuSnapshot(hosts);
  let memoryResult;
  let sent;
  let sendBuffer;
  try {
    await filesAlice.sendFiles('bob', [source.path]);
    const ended = (t) => !known.has(t.tid) && t.direction === 'out' && ['done', 'failed', 'cancelled', 'declined'].includes(t.state);
    const list = await waitFor(() => filesAlice.hook(), {
      timeout, interval: kPollMs, what: `alice's new transfer of ${kFileName} to finish`, until: (l) => l.some(ended),
    });
    sent = list.find(ended);
  } finally {
    memoryResult = await memory.stop();
    sendBuffer = await stopSampling().catch(() => undefined);
  }
  const cpu = cpuDelta(cpuBefore, await cpuSnapshot(hosts));
  if (sent.state !== 'done') throw new Error(`the transfer ended ${sent.state}: ${JSON.stringify(sent)}`);
  const inbound = await waitFor(async () => (await hookOf(bobPage)).find((t) => t.tid === sent.tid), {
    timeout: 5000, what: `bob's record of transfer ${sent.tid} to say done`, until: (t) => t?.state === 'done',
  });
  const sha256 = await sha256File(received);
  if (sha256 !== source.sha256) {
    throw new Error(`${received}: SHA-256 ${sha256 ?? '(no such file)'}, but the source's is ${source.sha256}`);
  }
  await rm(received, { force: true });
  const seconds = (sent.doneAt - sent.startedAt) / 1000;
  // bob's tab is the renderer that worked during the transfer (others: Chromium's spare and internal ones).
  const tab = memoryResult.renderers[cpu.renderer.bob?.pid];
  return {
    bytes: source.size, seconds, mibps: source.size / kMiB / seconds,
    receiverSeconds: (inbound.doneAt - inbound.startedAt) / 1000,
    memory: { ...memoryResult, rendererBaseline: tab?.baseline, rendererPeak: tab?.peak }, cpu, sendBuffer,
  };
}

// ---- the benchmark ----

/**
 * `repeats` rounds of (a) then (b), each moving `mib` MiB. Resolves with
 * { mib, repeats, raw: [run], peerdrop: [run], chromium, pageErrors }.
 */
export async function transferThroughput({ repeats, mib, log, receiver = 'cdp', nice = kDefaultNice }) {
  const bytes = mib * kMiB;
  const lab = await Lab.create({ subnets: [kSubnetA] });
  const cleanup = []; // big files: not left in a kept run directory
  try {
    const pair = await setUpTransferPair(lab, { receiver });
    const source = await makeSourceFile(pair, bytes);
    cleanup.push(source.path, path.join(pair.bob.downloadDir, kFileName), path.join(pair.bob.downloadDir, '.peerdrop-partial'));
    log(`  ${mib} MiB source file written; ${repeats} × (raw, PeerDrop)`);
    const raw = [];
    const peerdrop = [];
    const prioritize = () => (nice === 0 ? 0 : raisePriority([pair.alice, pair.bob], nice));
    for (let k = 0; k < repeats; k++) {
      await prioritize();
      const a = await rawRun(pair, { bytes });
      raw.push(a);
      log(`    raw      ${a.mibps.toFixed(1)} MiB/s (${a.seconds.toFixed(1)} s; receiver alone ${a.receiverMibps.toFixed(1)} MiB/s) CPU ${cpuText(a.cpu)}; ${sendBufferText(a.sendBuffer)}`);
      log(`             threads ${threadText(a.cpu)}`);
      await prioritize();
      const b = await peerdropRun(pair, { source });
      peerdrop.push(b);
      log(`    PeerDrop ${b.mibps.toFixed(1)} MiB/s (${b.seconds.toFixed(1)} s) CPU ${cpuText(b.cpu)}; ` +
        `bob's heap peak ${(b.memory.heapPeak / kMiB).toFixed(1)} MiB, renderer ${(b.memory.rendererPeak / kMiB).toFixed(0)} MiB, ` +
        `daemon ${(b.memory.daemonPeak / kMiB).toFixed(1)} MiB; ${sendBufferText(b.sendBuffer)}`);
      log(`             threads ${threadText(b.cpu)}`);
    }
    const result = {
      mib, repeats, raw, peerdrop, receiver, nice,
      chromium: pair.uiAlice.browser.browser?.version(),
      pageErrors: [...pair.uiAlice.browser.errors, ...pair.bobPage.errors()],
    };
    lab.succeeded = true;
    return result;
  } finally {
    for (const file of cleanup) await rm(file, { force: true, recursive: true }).catch(() => {});
    await lab.destroy();
  }
}

/** The sending buffer's shares under the low mark and at the high mark. */
export function sendBufferText(buffer) {
  if (!buffer) return 'sending buffer not sampled';
  const pct = (x) => `${(x * 100).toFixed(1)} %`;
  return `sending buffer under ${kRawLowMark / kMiB} MiB ${pct(buffer.underLow)}, at ${kRawHighMark / kMiB} MiB or more ${pct(buffer.atHigh)} of ${buffer.samples} samples`;
}

/** CPU seconds per process kind, the busiest first. */
export function cpuText(cpu) {
  return Object.entries(cpu.byKind).filter(([, s]) => s >= 0.05).sort((x, y) => y[1] - x[1])
    .map(([key, s]) => `${key} ${s.toFixed(1)} s`).join(', ');
}

/** CPU seconds of the busiest threads of each host's tab. */
export function threadText(cpu, top = 5) {
  return Object.entries(cpu.renderer).map(([host, r]) => `${host}: ` + Object.entries(r.threads)
    .sort((x, y) => y[1] - x[1]).slice(0, top).map(([name, s]) => `${name} ${s.toFixed(1)}`).join(', ')).join('; ');
}
