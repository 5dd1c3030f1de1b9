// The file-transfer throughput figures: rows for the stdout table and the
// "transfer" section of docs/benchmarks.md.

import { kChromiumArgs } from '../lab/lib/index.mjs';
import { machineTable, markdownTable } from './lib/page.mjs';
import {
  kEndedThreads, kMiB, kRawHighMark, kRawLowMark, kRawMessageBytes, kSampleMs, kSendBufferSampleMs,
} from './transfer_throughput.mjs';

// Issue 5: "the target is at least 0.9" (PeerDrop's MiB/s over the raw ceiling's, medians).
export const kRatioTarget = 0.9;

export function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const mibps = (x) => `${x.toFixed(1)} MiB/s`;
const mib = (bytes) => `${(bytes / kMiB).toFixed(1)} MiB`;
const max = (values) => Math.max(...values);

/** The figures of a transfer result: medians, ratio and peaks. */
export function transferSummary(t) {
  const raw = median(t.raw.map((r) => r.mibps));
  const peerdrop = median(t.peerdrop.map((r) => r.mibps));
  return {
    raw, peerdrop, ratio: peerdrop / raw,
    heapPeak: max(t.peerdrop.map((r) => r.memory.heapPeak)),
    heapBaseline: median(t.peerdrop.map((r) => r.memory.heapBaseline)),
    rendererPeak: max(t.peerdrop.map((r) => r.memory.rendererPeak ?? 0)),
    rendererBaseline: median(t.peerdrop.map((r) => r.memory.rendererBaseline ?? 0)),
    daemonPeak: max(t.peerdrop.map((r) => r.memory.daemonPeak)),
    daemonBaseline: median(t.peerdrop.map((r) => r.memory.daemonBaseline)),
    roundRatios: t.raw.map((a, k) => t.peerdrop[k].mibps / a.mibps),
    cpuRatio: cpuTotal(cpuPer100(t.raw)) / cpuTotal(cpuPer100(t.peerdrop)),
    rawUnderLow: medianShare(t.raw, 'underLow'),
    rawAtHigh: medianShare(t.raw, 'atHigh'),
    peerdropUnderLow: medianShare(t.peerdrop, 'underLow'),
    peerdropAtHigh: medianShare(t.peerdrop, 'atHigh'),
  };
}

const cpuTotal = (cpu) => Object.values(cpu).reduce((sum, x) => sum + x, 0);
/** The median over the runs of one share of the sending buffer's samples (NaN if none was sampled). */
const medianShare = (runs, key) => median(runs.map((r) => r.sendBuffer?.[key]).filter((x) => Number.isFinite(x)));
const percent = (x) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '—');

/** Rows of the results table: { figure, result, target, verdict }. */
export function transferRows(results) {
  const t = results.transfer;
  if (!t) return [];
  const s = transferSummary(t);
  const n = t.raw.length;
  return [
    { figure: `raw data channel, ${t.mib} MiB, median of ${n}`, result: mibps(s.raw), target: '—', verdict: '' },
    { figure: `PeerDrop, ${t.mib} MiB file to verified on disk, median of ${n}`, result: mibps(s.peerdrop), target: '—', verdict: '' },
    {
      figure: 'PeerDrop / raw (ratio of the medians)', result: s.ratio.toFixed(2), target: `≥ ${kRatioTarget}`,
      verdict: s.ratio >= kRatioTarget ? 'met' : 'MISSED',
    },
    {
      figure: '  per round: lowest / highest', result: `${Math.min(...s.roundRatios).toFixed(2)} / ${Math.max(...s.roundRatios).toFixed(2)}`,
      target: '—', verdict: '',
    },
    {
      figure: 'raw / PeerDrop CPU-seconds per byte (both browsers, daemons)', result: s.cpuRatio.toFixed(2),
      target: '—', verdict: '',
    },
    {
      figure: `sending buffer under the ${kRawLowMark / kMiB} MiB low mark (sender starved), raw / PeerDrop`,
      result: `${percent(s.rawUnderLow)} / ${percent(s.peerdropUnderLow)}`, target: '—', verdict: '',
    },
    {
      figure: `sending buffer at the ${kRawHighMark / kMiB} MiB high mark or over, raw / PeerDrop`,
      result: `${percent(s.rawAtHigh)} / ${percent(s.peerdropAtHigh)}`, target: '—', verdict: '',
    },
    { figure: "receiving tab's JS heap, peak during a transfer", result: mib(s.heapPeak), target: '—', verdict: '' },
    { figure: "receiving tab's renderer process RSS, peak", result: mib(s.rendererPeak), target: '—', verdict: '' },
    { figure: "receiving daemon's RSS, peak (VmHWM)", result: mib(s.daemonPeak), target: '—', verdict: '' },
  ];
}

/** CPU seconds per 100 MiB moved, by process kind: the median over the runs. */
function cpuPer100(runs) {
  const keys = new Set(runs.flatMap((r) => Object.keys(r.cpu.byKind)));
  const out = {};
  for (const key of keys) out[key] = median(runs.map((r) => ((r.cpu.byKind[key] ?? 0) * 100 * kMiB) / r.bytes));
  return out;
}

/** CPU seconds per 100 MiB of the tab's busiest threads (by Chromium's thread names). */
function threadsPer100(runs, host) {
  const names = new Set(runs.flatMap((r) => Object.keys(r.cpu.renderer[host]?.threads ?? {})));
  const out = {};
  for (const name of names) out[name] = median(runs.map((r) => ((r.cpu.renderer[host]?.threads?.[name] ?? 0) * 100 * kMiB) / r.bytes));
  return out;
}

const kThreadLabels = {
  chromium: 'main thread',
  WebRTC_W_and_N: 'WebRTC (SCTP, DTLS)',
  Chrome_ChildIOT: 'IPC',
  DedicatedWorker: 'worker',
  [kEndedThreads]: 'threads that ended with the run (the reading worker)',
};

function busyText(results) {
  const cores = Number(results.machine.nproc) || 1;
  const load = Math.max(Number(results.loadBefore.split(' ')[0]), Number(results.loadAfter.split(' ')[0]));
  return load > cores
    ? `During this run the machine was busy (1-minute load average up to ${load.toFixed(1)} on ${cores}
cores, this benchmark included): both figures are lower than on an idle machine, and
alternating the runs is what keeps their ratio meaningful.`
    : 'The load average stayed at or below the core count during this run.';
}

/** The markdown of the transfer section (between its markers). */
export function renderTransferSection(results) {
  const { machine, config } = results;
  const t = results.transfer;
  const s = transferSummary(t);
  const parts = [];
  parts.push(`## File transfer throughput in the web UI

_Generated by \`bench/run.mjs\` (\`node bench/run.mjs --only transfer\`, or \`make bench\` with the rest); do not edit this section by hand, edit the program (\`bench/transfer_throughput.mjs\`, \`bench/transfer_report.mjs\`)._`);

  parts.push(`### Machine

${machineTable(machine, results)}

Browser: Debian's Chromium ${t.chromium ?? 'unknown'}, headless, one per host, each in its
host's network namespace; flags \`${kChromiumArgs.join(' ')}\`. The machine has
${machine.nproc} cores for two Chromiums, two daemons and the benchmark, and moving data
over WebRTC keeps both busy (see the CPU table): these figures are bounded by CPU,
not by the network. ${busyText(results)}`);

  const rows = transferRows(results);
  const missed = rows.filter((r) => r.verdict === 'MISSED');
  parts.push(`### Results

${markdownTable(['figure', 'result', 'target', ''], rows.map((r) => [r.figure, r.result, r.target, r.verdict]))}

${missed.length === 0 ? 'Every target is met.' : `**Target missed: ${missed.map((r) => r.figure).join('; ')}.**`}
On 2 cores both kinds of run are bound by CPU, so the CPU ratio (the raw
runs' CPU-seconds per byte over PeerDrop's, summed over every process of both
hosts) is what the throughput ratio tends to on a machine of their own; the
throughput ratio of single rounds moves with what else the shared machine
runs (see the rounds below), the CPU ratio much less. The sending buffer
(alice's data channel's \`bufferedAmount\`, read every ${kSendBufferSampleMs} ms; PeerDrop's
sender keeps it between the same marks as the raw one) tells whether the
sender kept the channel fed: a buffer seldom under the low mark and more
often at the high mark than in the raw runs means that the channel, not
the reading side, set the pace.
Memory baselines before a transfer (medians): JS heap ${mib(s.heapBaseline)}, renderer ${mib(s.rendererBaseline)},
daemon ${mib(s.daemonBaseline)}.`);

  const runRows = t.raw.map((a, k) => {
    const b = t.peerdrop[k];
    return [String(k + 1), mibps(a.mibps), mibps(b.mibps), (b.mibps / a.mibps).toFixed(2),
      mib(b.memory.heapPeak), mib(b.memory.rendererPeak ?? 0), mib(b.memory.daemonPeak)];
  });
  const rawCpu = cpuPer100(t.raw);
  const pdCpu = cpuPer100(t.peerdrop);
  const kinds = [...new Set([...Object.keys(rawCpu), ...Object.keys(pdCpu)])]
    .filter((k) => (rawCpu[k] ?? 0) >= 0.05 || (pdCpu[k] ?? 0) >= 0.05)
    .sort((x, y) => (pdCpu[y] ?? 0) - (pdCpu[x] ?? 0));
  const total = cpuTotal;
  const threadRows = [];
  for (const host of ['alice', 'bob']) {
    const raw = threadsPer100(t.raw, host);
    const pd = threadsPer100(t.peerdrop, host);
    for (const name of Object.keys(kThreadLabels)) {
      if ((raw[name] ?? 0) < 0.05 && (pd[name] ?? 0) < 0.05) continue;
      threadRows.push([`${host}'s tab: ${kThreadLabels[name]}`, (raw[name] ?? 0).toFixed(2), (pd[name] ?? 0).toFixed(2)]);
    }
  }
  parts.push(`### Details

Each round is one raw run, then one PeerDrop run, ${t.mib} MiB each:

${markdownTable(['round', 'raw', 'PeerDrop', 'ratio', "bob's JS heap peak", "bob's renderer RSS peak", "bob's daemon VmHWM"], runRows)}

Where the CPU goes: CPU seconds per 100 MiB moved (user + system, from
\`/proc/<pid>/stat\` of every process in the two hosts' namespaces, and of the
benchmark process; medians over the rounds). "network" is Chromium's network
service process (every WebRTC packet and the receiving tab's WebSocket pass
through it), "browser" its main process (which reads the sent file for the
tab), "renderer" the tab's process.

${markdownTable(['process', 'raw', 'PeerDrop'], [
    ...kinds.map((k) => [k, (rawCpu[k] ?? 0).toFixed(2), (pdCpu[k] ?? 0).toFixed(2)]),
    ['**total**', total(rawCpu).toFixed(2), total(pdCpu).toFixed(2)],
  ])}

The tabs' threads (same units; Chromium names them):

${markdownTable(['thread', 'raw', 'PeerDrop'], threadRows)}`);

  parts.push(`### How

One lab, one subnet: alice 198.51.100.10 and bob 198.51.100.11, each running
peerdropd with the lab's defaults and \`--no-scan --log-level info\`, and a
headless Chromium on its own daemon's page; bob's daemon has alice on its
"always accept" list (\`PUT /api/settings\` \`autoAccept\`), so bob's page
accepts the connection and the files without asking. Alice's page is driven by
Playwright: "Connect" in bob's item of the list "Peers", then, in bob's detail,
the file input "Files to send". Bob's page is driven over the DevTools protocol
directly (\`bench/lib/cdp_page.mjs\`): Playwright enables the Network domain on
its pages, and Chromium then copies every WebSocket frame, base64-encoded, to
the test process; for a tab forwarding files to its daemon that cost about 3
CPU-seconds per 100 MiB (bob's renderer, browser process and the test process
together), which no user pays.

- **raw** (the ceiling): in the same two pages, a bare RTCPeerConnection pair
  (SDP passed by the benchmark, host candidates), one ordered data channel;
  alice sends ${kRawMessageBytes / 1024} KiB messages while \`bufferedAmount\` is under
  ${kRawHighMark / kMiB} MiB and resumes at \`bufferedamountlow\` (${kRawLowMark / kMiB} MiB); bob counts the bytes and
  drops them. Time: alice's first \`send\` to bob's last byte
  (\`performance.timeOrigin + performance.now()\` in each page: one clock).
- **PeerDrop**: a ${t.mib} MiB random file in alice's run directory, picked in
  "Files to send"; time: the sending page's own record
  (\`window.__peerdrop.transfers\`: \`doneAt − startedAt\`, from bob's
  \`xfer_accept\` to his \`xfer_file_done\`, i.e. until bob's daemon has
  checked the SHA-256 and moved the file into place). Then the benchmark
  hashes the file in bob's download folder and compares it with the source
  (every run: equal), and deletes it.
- Memory during each PeerDrop run: bob's JS heap (\`Performance.getMetrics\`
  → \`JSHeapUsedSize\`, every ${kSampleMs} ms, after a garbage collection at the start),
  the peak RSS of bob's renderer process (VmHWM after \`echo 5 > /proc/<pid>/clear_refs\`
  at the start; the tab's renderer is the one that used CPU during the
  transfer) and of bob's daemon (the same).
- Rounds of raw then PeerDrop, so that a slow phase of the shared machine
  hits both; the ratio is that of the medians.
- Priority: before each run every thread in the two namespaces gets nice
  ${t.nice ?? 0} (\`--transfer-nice\`; 0 leaves them alone). On a shared, loaded
  machine the scheduler otherwise hands out the CPU by runnable threads, and
  the PeerDrop runs, which keep more threads busy (the reading worker, the
  daemon, the browser reading the file), got a larger share than the raw runs
  and came out faster than the ceiling (ratio 1.28 at load 7–10). With the
  priority both kinds of run get most of the machine, and the figures come
  closer to what decides throughput on 2 cores, CPU cost per byte; the
  neighbours still weigh (on the machine of this page, runs at load 5–7 gave
  ratios of 0.88 and 1.04 when quieter ones gave 0.67): trust quiet runs and
  the CPU ratio.`);

  parts.push(`### How to reproduce

    sudo node bench/run.mjs --only transfer      # this section only; about ${Math.max(1, Math.round(results.totalS / 60))} min

Needs peerdropd built with the web UI embedded (\`make build\`; or set
\`PEERDROPD\`), Debian's \`chromium\` and \`npm ci\` in \`lab/\`. Options:
\`--transfer-runs N\` (rounds, default 3), \`--transfer-mib M\` (default 500);
\`--no-write\` leaves this page alone. This run: ${config.transferRuns} rounds of ${config.transferMiB} MiB.`);
  return parts.join('\n\n');
}
