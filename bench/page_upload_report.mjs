// The page-to-its-daemon upload figures (bench/page_upload.mjs): rows for the
// stdout table and the "upload" section of docs/benchmarks.md.

import { kMiB } from './page_upload.mjs';
import { cpuText } from './transfer_throughput.mjs';
import { machineTable, markdownTable, loadSentence } from './lib/page.mjs';
import { median } from './transfer_report.mjs';

const kGiB = 1024 * kMiB;
const mibps = (x) => `${x.toFixed(1)} MiB/s`;
const perGiB = (run, group) => (run.groups[group] * kGiB) / run.size;

/** Medians: MiB/s of each way, their ratio, CPU-s per GiB of each group. */
export function uploadSummary(r) {
  const m = (runs, f) => median(runs.map(f));
  const put = m(r.put, (x) => x.mibps);
  const ws = m(r.ws, (x) => x.mibps);
  const cpu = (runs) => Object.fromEntries(['browser', 'alice', 'bob'].map((g) => [g, m(runs, (x) => perGiB(x, g))]));
  return { put, ws, ratio: put / ws, cpuPut: cpu(r.put), cpuWs: cpu(r.ws), cpuLane: cpu(r.put.map((x) => ({ ...x, groups: x.laneGroups }))) };
}

/** Rows of the results table: { figure, result, target, verdict }. */
export function uploadRows(results) {
  const r = results.upload;
  if (!r) return [];
  const s = uploadSummary(r);
  const n = r.put.length;
  const rows = [];
  const row = (figure, result) => rows.push({ figure, result, target: '—', verdict: '' });
  row(`upload: ${r.mib} MiB File, page → its daemon, fetch PUT (until the 204), median of ${n}`, mibps(s.put));
  row(`upload: same File over the page's WebSocket, 1 MiB frames (until file_finished), median of ${r.ws.length}`, mibps(s.ws));
  row('upload: fetch PUT / WebSocket (ratio of the medians)', s.ratio.toFixed(2));
  row('upload CPU-s per GiB, browser processes: PUT / WebSocket', `${s.cpuPut.browser.toFixed(2)} / ${s.cpuWs.browser.toFixed(2)}`);
  row('upload CPU-s per GiB, its daemon: PUT (+ lane forwarding) / WebSocket', `${s.cpuPut.alice.toFixed(2)} / ${s.cpuWs.alice.toFixed(2)}`);
  return rows;
}

function analysis(results, r, s) {
  const faster = s.ratio >= 1 ? 'fetch PUT' : 'WebSocket';
  const factor = s.ratio >= 1 ? s.ratio : 1 / s.ratio;
  const browserRatio = s.cpuWs.browser / s.cpuPut.browser;
  const renderer = (runs) => median(runs.map((x) => ((x.cpu.byKind['alice renderer'] ?? 0) * kGiB) / x.size));
  const out = [];
  out.push(`The ${faster} upload is ${factor.toFixed(2)}× as fast (medians: fetch PUT ${mibps(s.put)}, WebSocket
${mibps(s.ws)}). Per GiB, Chromium's processes spend ${s.cpuPut.browser.toFixed(2)} CPU-s on the PUT
and ${s.cpuWs.browser.toFixed(2)} CPU-s on the WebSocket (${browserRatio.toFixed(2)}×), of which the page's renderer
${renderer(r.put).toFixed(2)} and ${renderer(r.ws).toFixed(2)}: the WebSocket path reads every MiB into an ArrayBuffer in
the page, copies it behind its 12-byte header and hands it to the socket, where the PUT hands the File
itself to \`fetch\` and the page's JavaScript never touches its bytes.`);
  out.push(`The daemon side is not the same work, so its CPU compares two whole paths, not two readers of
one stream: during the PUT, alice's daemon spools the upload to \`outgoing/TID/0\` and at the same
time forwards it over the lane (reading the spool, SHA-256, TLS), ${s.cpuPut.alice.toFixed(2)} CPU-s per GiB, with
bob's daemon receiving and verifying (${s.cpuPut.bob.toFixed(2)} CPU-s per GiB) on the same two cores; over the
WebSocket, alice's daemon writes the file, checkpoints it, hashes it and moves it into its download
folder, ${s.cpuWs.alice.toFixed(2)} CPU-s per GiB, and bob is idle. After the PUT's 204 the lane still had
${s.cpuLane.alice.toFixed(2)} (alice) and ${s.cpuLane.bob.toFixed(2)} (bob) CPU-s per GiB to spend until bob verified the
file (medians).`);
  const busy = (runs) => median(runs.map((x) => (x.groups.browser + x.groups.alice + x.groups.bob) / x.seconds));
  const cores = Number(results.machine.nproc) || 1;
  const bound = (x) => x >= 0.8 * cores;
  const total = (runs) => median(runs.map((x) => ((x.groups.browser + x.groups.alice + x.groups.bob) * kGiB) / x.size));
  out.push(`Cores kept busy by these processes during the timed part (their CPU-s over the wall time, median):
fetch PUT ${busy(r.put).toFixed(2)}, WebSocket ${busy(r.ws).toFixed(2)}, of the machine's ${cores}; all of them together spent
${total(r.put).toFixed(2)} CPU-s per GiB during the PUT and ${total(r.ws).toFixed(2)} during the WebSocket upload.${
  bound(busy(r.put)) || bound(busy(r.ws)) ? ` ${[bound(busy(r.put)) && 'The PUT', bound(busy(r.ws)) && 'the WebSocket upload'].filter(Boolean)
    .join(' and ')} kept the cores nearly full (over ${(0.8 * cores).toFixed(1)} of ${cores}), so on this machine ${bound(busy(r.put)) && bound(busy(r.ws)) ? 'their speeds are' : 'its speed is'}
most likely bounded by CPU (with what else ran on it), and CPU-s per GiB says more than MiB/s about the way the page
hands over the bytes.` : ''}`);
  return out.join('\n\n');
}

/** The markdown of the upload section (between its markers). */
export function renderUploadSection(results) {
  const { machine } = results;
  const r = results.upload;
  const s = uploadSummary(r);
  const rows = uploadRows(results);
  const g = (x) => `${x.groups.browser.toFixed(2)} / ${x.groups.alice.toFixed(2)} / ${x.groups.bob.toFixed(2)}`;
  const runs = markdownTable(
    ['round', 'first', 'fetch PUT', 'CPU-s browser / alice / bob', 'WebSocket', 'CPU-s browser / alice / bob', 'PUT / WebSocket'],
    r.put.map((a, k) => {
      const b = r.ws[k];
      return [String(k + 1), k % 2 === 0 ? 'PUT' : 'WebSocket', `${mibps(a.mibps)} (${a.seconds.toFixed(2)} s)`, g(a),
        `${mibps(b.mibps)} (${b.seconds.toFixed(2)} s)`, g(b), (a.mibps / b.mibps).toFixed(2)];
    }));
  const detail = [
    ...r.put.map((a, k) => `- round ${k + 1}, fetch PUT: ${cpuText(a.cpu)}`),
    ...r.ws.map((b, k) => `- round ${k + 1}, WebSocket: ${cpuText(b.cpu)}; last frame handed to \`send\` at ` +
      `${b.sentSeconds.toFixed(2)} s, ${b.frames} frames, ${b.waits} waits of 2 ms for \`bufferedAmount\`, ${b.progress} \`file_progress\``),
  ].join('\n');
  const errors = r.pageErrors.length > 0 ? `\n\nPage errors during the run: ${r.pageErrors.map((e) => `\`${e.split('\n')[0]}\``).join(', ')}.` : '';
  return `## Page to its daemon: fetch PUT against the WebSocket

_Generated by \`bench/run.mjs\` (\`node bench/run.mjs --only upload\`, or \`make bench\` with the rest); do not edit this section by hand, edit the program (\`bench/page_upload.mjs\`, \`bench/page_upload_report.mjs\`)._

### Machine

${machineTable(machine, results)}

${loadSentence(results)}

### Results

${markdownTable(['figure', 'result', 'target', ''], rows.map((x) => [x.figure, x.result, x.target, x.verdict]))}

${r.mib} MiB, alternated (CPU-seconds during the timed part: alice's browser processes / alice's daemon / bob's daemon):

${runs}

CPU by process during each timed part:

${detail}${errors}

### Analysis

${analysis(results, r, s)}

### How

One lab subnet: alice 198.51.100.10 and bob 198.51.100.11, each with
\`peerdropd --no-scan --log-level info\`; bob trusts alice
(\`PUT /api/settings {"autoAccept":[alice]}\`). One headless Chromium on
alice's daemon's page, driven over bare DevTools (\`bench/lib/cdp_page.mjs\`:
no Network domain, so no bytes are mirrored to the benchmark). A random
${r.mib} MiB file is set on an \`<input type=file>\` in that page
(\`DOM.setFileInputFiles\`: a File backed by the disk, as when a person picks
it) once; both ways send that File. Each run starts after a \`sync\`, with
every thread of both namespaces at nice -10 (so the shared machine's other
work weighs on both ways alike); the two ways alternate, and which goes
first alternates too.

- **fetch PUT**: in the page, \`POST /api/transfers {to: bob, files}\`, then
  \`PUT /api/transfers/TID/files/0?offset=0\` with the File as the body;
  timed in the page from the PUT to its \`204\` (alice's daemon holds the
  whole file). The daemon forwards the bytes over the lane as they arrive;
  the benchmark then waits, untimed, until bob verified the file and hashes
  the landed file again.
- **WebSocket**: in the page, a second WebSocket to its daemon
  (\`/ws?token=…\`, as a second tab would open it), then \`file_open\`,
  binary frames \`u32 handle | u64 offset | ${r.frameBytes / kMiB} MiB\` each read with
  \`file.slice().arrayBuffer()\` (the next read overlapping the current
  send) and sent while \`bufferedAmount\` stays ≤ ${r.maxBuffered / kMiB} MiB (else a 2 ms wait),
  then \`file_finish\` with the size and SHA-256; timed in the page from
  \`file_open\` to \`file_finished\` (alice's daemon wrote, checkpointed,
  verified and moved the file into its download folder). The SHA-256 is the
  one computed when the source was written, outside the timed part (the page
  is \`http://\` on a LAN address, not a secure context: no
  \`crypto.subtle\`). The landed file is hashed again.
- CPU: utime + stime (\`/proc/PID/stat\`) of every process in both
  namespaces, from just before the timed part to just after it. "browser"
  is every Chromium process of alice (browser, renderer, network service,
  …). The page is PeerDrop's own UI, which keeps running (it gets the
  transfer pushes during the PUT).

### How to reproduce

    sudo node bench/run.mjs --only upload      # this section only; about ${Math.max(1, Math.round((results.partS?.upload ?? results.totalS) / 60))} min

Options: \`--upload-runs N\` (rounds, default 3), \`--upload-mib M\`
(default 1024); \`--no-write\` leaves this page alone.`;
}
