// The transfer lane figures (bench/lane.mjs): rows for the stdout table and
// the "lane" section of docs/benchmarks.md.

import { kMiB, kSocatPort, kTbf } from './lane.mjs';
import { machineTable, markdownTable, loadSentence } from './lib/page.mjs';
import { median } from './transfer_report.mjs';

const kGiB = 1024 * kMiB;
const mibps = (x) => `${x.toFixed(1)} MiB/s`;
const mib = (kib) => `${(kib / 1024).toFixed(1)} MiB`;
const pct = (x) => `${x.toFixed(1)} %`;
const verdict = (ok) => (ok ? 'met' : 'MISSED');

/** CPU-seconds per GiB of one side of a run. */
const perGiB = (run, side, bytes) => (run.cpu[side] * kGiB) / bytes;

/** Medians of one setting ({ peerdrop: [run], socat: [run] }). */
function settingSummary(setting, bytes) {
  const m = (runs, f) => median(runs.map(f));
  const peerdrop = m(setting.peerdrop, (r) => r.mibps);
  const socat = m(setting.socat, (r) => r.mibps);
  return {
    peerdrop, socat, ratio: peerdrop / socat,
    ratios: setting.peerdrop.map((r, k) => r.mibps / setting.socat[k].mibps),
    cpu: Object.fromEntries(['peerdrop', 'socat'].flatMap((kind) => ['alice', 'bob']
      .map((side) => [`${kind} ${side}`, m(setting[kind], (r) => perGiB(r, side, bytes))]))),
    peak: {
      alice: Math.max(...setting.peerdrop.map((r) => r.memory.alice.peakKiB)),
      bob: Math.max(...setting.peerdrop.map((r) => r.memory.bob.peakKiB)),
    },
  };
}

/** Medians of the page part ({ raw: [run], lane: [run] }). */
export function pageSummary(page) {
  const lane = median(page.lane.map((x) => x.mibps));
  const raw = median(page.raw.map((x) => x.mibps));
  return { lane, raw, ratio: lane / raw };
}

export function laneSummary(r) {
  const bytes = r.mib * kMiB;
  const s = {};
  if (r.limited) s.limited = settingSummary(r.limited, bytes);
  if (r.unlimited) s.unlimited = settingSummary(r.unlimited, bytes);
  if (r.small) s.filesPerSecond = median(r.small.map((x) => x.filesPerSecond));
  return s;
}

/** Rows of the results table: { figure, result, target, verdict }. */
export function laneRows(results) {
  const r = results.lane;
  if (!r) return [];
  const s = laneSummary(r);
  const rows = [];
  const row = (figure, result, target = '—', ok) => rows.push({ figure, result, target, verdict: ok === undefined ? '' : verdict(ok) });
  if (s.limited) {
    const n = r.limited.peerdrop.length;
    row(`lane: peerdrop send ${r.mib} MiB, 1 Gbit/s link, median of ${n}`, mibps(s.limited.peerdrop));
    row(`socat TCP copy + sync, same file and link, median of ${n}`, mibps(s.limited.socat));
    row('lane / socat at 1 Gbit/s (ratio of the medians)', s.limited.ratio.toFixed(2), '≥ 0.9', s.limited.ratio >= 0.9);
  }
  if (s.unlimited) {
    const n = r.unlimited.peerdrop.length;
    row(`lane: peerdrop send ${r.mib} MiB, unlimited, median of ${n}`, mibps(s.unlimited.peerdrop), '≥ 200 MiB/s', s.unlimited.peerdrop >= 200);
    row(`socat TCP copy + sync, unlimited, median of ${n}`, mibps(s.unlimited.socat));
    row('lane / socat unlimited (ratio of the medians)', s.unlimited.ratio.toFixed(2));
    row('lane CPU-s per GiB, sending daemon / receiving daemon',
      `${s.unlimited.cpu['peerdrop alice'].toFixed(2)} / ${s.unlimited.cpu['peerdrop bob'].toFixed(2)}`);
    row('socat CPU-s per GiB, sender / receiver',
      `${s.unlimited.cpu['socat alice'].toFixed(2)} / ${s.unlimited.cpu['socat bob'].toFixed(2)}`);
    const peakKiB = Math.max(s.unlimited.peak.alice, s.unlimited.peak.bob, s.limited?.peak.alice ?? 0, s.limited?.peak.bob ?? 0);
    row(`peak RSS of either daemon during a ${r.mib} MiB transfer (VmHWM)`, mib(peakKiB), '≤ 32 MiB', peakKiB <= 32 * 1024);
  }
  if (r.flat) {
    row(`peak RSS during a ${r.smallMib} MiB transfer, sending / receiving daemon`,
      `${mib(r.flat.memory.alice.peakKiB)} / ${mib(r.flat.memory.bob.peakKiB)}`);
  }
  if (s.filesPerSecond !== undefined) {
    row(`${r.fileCount} files of 10 KiB, verified, median of ${r.small.length}`, `${s.filesPerSecond.toFixed(0)} files/s`,
      '≥ 500/s', s.filesPerSecond >= 500);
  }
  if (r.page) {
    const p = pageSummary(r.page);
    const n = r.page.lane.length;
    row(`lane: ${r.page.mib} MiB picked in a web page (PUT to its daemon, forwarded), median of ${n}`, mibps(p.lane));
    row(`raw DataChannel between the same two browsers (${r.page.rawMib} MiB), median of ${n}`, mibps(p.raw));
    row('page over the lane / raw DataChannel (ratio of the medians)', p.ratio.toFixed(2), '≥ 5', p.ratio >= 5);
  }
  if (r.messages) {
    const m = r.messages;
    row(`message round trip daemon to daemon (deliveredAt − sentAt), ${m.count} one at a time`,
      `p50 ${m.daemon.p50.toFixed(1)} ms, p95 ${m.daemon.p95.toFixed(1)} ms`);
    row('the same as a client sees it (POST, then GET until delivered)',
      `p50 ${m.api.p50.toFixed(1)} ms, p95 ${m.api.p95.toFixed(1)} ms`);
  }
  return rows;
}

function profileTable(perf) {
  const names = [...new Set([...perf.alice.groups, ...perf.bob.groups].map((g) => g.name))];
  const share = (profile, name) => profile.groups.find((g) => g.name === name)?.percent ?? 0;
  names.sort((x, y) => share(perf.alice, y) + share(perf.bob, y) - share(perf.alice, x) - share(perf.bob, x));
  return markdownTable(['where (self time)', 'sending daemon', 'receiving daemon'],
    names.map((name) => [name, pct(share(perf.alice, name)), pct(share(perf.bob, name))]));
}

function topText(profile, top = 8) {
  return profile.top.slice(0, top).map((t) => `${t.name.replace(/ \(\[kernel\.kallsyms\]\)$/, ' (kernel)')} ${pct(t.percent)}`).join(', ');
}

/** The analysis, from the figures of this run. */
function analysis(r, s) {
  const out = [];
  if (s.limited) {
    const l = s.limited;
    out.push(l.ratio >= 0.9
      ? `On a 1 Gbit/s link the lane moves ${mibps(l.peerdrop)} against socat's ${mibps(l.socat)} (${l.ratio.toFixed(2)}×):
the link sets the pace, and TLS, SHA-256 on both ends and the receiver's checkpoints cost little throughput there.`
      : `On a 1 Gbit/s link the lane moved ${mibps(l.peerdrop)} against socat's ${mibps(l.socat)} (${l.ratio.toFixed(2)}×,
below the 0.9 target). The lane needs more CPU per byte than socat (below), so when the cores are short,
as in a run on a busy machine, it falls behind the link first.`);
  }
  if (s.unlimited) {
    const u = s.unlimited;
    out.push(`Unlimited, two namespaces share the machine's cores and CPU sets the pace. The lane made
${mibps(u.peerdrop)} (${u.ratio.toFixed(2)}× socat's ${mibps(u.socat)}). It costs
${u.cpu['peerdrop alice'].toFixed(2)} CPU-s per GiB on the sending daemon and
${u.cpu['peerdrop bob'].toFixed(2)} on the receiving one, against socat's
${u.cpu['socat alice'].toFixed(2)} and ${u.cpu['socat bob'].toFixed(2)}.`);
  }
  if (r.perf && !r.perf.missing) {
    const share = (profile, name) => profile.groups.find((g) => g.name === name)?.percent ?? 0;
    const sha = (p) => share(p, 'SHA-256 (libcrypto, SHA extensions)');
    const aes = (p) => share(p, 'AES-GCM (libcrypto, AES-NI)');
    const faults = share(r.perf.alice, 'kernel: page faults and unmapping');
    const copies = share(r.perf.alice, 'memcpy (libc)');
    out.push(`Where the CPU goes (perf, one extra unlimited run): SHA-256 is the largest single cost,
${pct(sha(r.perf.alice))} of the sender's samples and ${pct(sha(r.perf.bob))} of the receiver's, about
three times TLS's AES-GCM (${pct(aes(r.perf.alice))} and ${pct(aes(r.perf.bob))}); both already run on
the CPU's SHA and AES instructions. The kernel's TCP, file and scheduling
work is most of the rest. On the sender, page faults and unmapping take
${pct(faults)} and memcpy ${pct(copies)}: each chunk is copied into memory
that is freshly faulted in.`);
    out.push(`What would buy more: reusing the sender's chunk buffers (so no page
is faulted in and given back per chunk) and reading straight into the
frame that TLS encrypts would save most of the ${pct(faults + copies)} above.
Hashing on a thread of its own would not lower the CPU per GiB, but on two or
more free cores it would overlap SHA-256 with TLS and raise throughput. The
receiver hashes what it writes; on a machine with more cores the same
applies there.`);
  }
  if (r.flat && s.unlimited) {
    out.push(`Memory is flat in the file size: the peaks (VmHWM, reset before each run) are
${mib(r.flat.memory.alice.peakKiB)} and ${mib(r.flat.memory.bob.peakKiB)} for ${r.smallMib} MiB and
${mib(s.unlimited.peak.alice)} and ${mib(s.unlimited.peak.bob)} for ${r.mib} MiB.`);
  }
  if (s.filesPerSecond !== undefined) {
    const bob = r.small.map((x) => `${((x.cpu.bob * 1000) / x.files).toFixed(2)} ms`).join(', then ');
    out.push(`${r.fileCount} files of 10 KiB land verified at ${s.filesPerSecond.toFixed(0)} files/s (median). The
receiving daemon spends most of the CPU: ${bob} per file in the successive runs.`);
  }
  return out.join('\n\n');
}

/** The markdown of the lane section (between its markers). */
export function renderLaneSection(results) {
  const { machine } = results;
  const r = results.lane;
  const s = laneSummary(r);
  const rows = laneRows(results);
  const runTable = (setting) => markdownTable(
    ['run', 'PeerDrop', 'socat', 'ratio', 'CPU-s PeerDrop alice / bob', 'CPU-s socat alice / bob', 'peak RSS alice / bob'],
    setting.peerdrop.map((p, k) => {
      const c = setting.socat[k];
      return [String(k + 1), `${mibps(p.mibps)} (${p.seconds.toFixed(2)} s)`, `${mibps(c.mibps)} (${c.seconds.toFixed(2)} s)`,
        (p.mibps / c.mibps).toFixed(2), `${p.cpu.alice.toFixed(2)} / ${p.cpu.bob.toFixed(2)}`,
        `${c.cpu.alice.toFixed(2)} / ${c.cpu.bob.toFixed(2)}`, `${mib(p.memory.alice.peakKiB)} / ${mib(p.memory.bob.peakKiB)}`];
    }));
  const sections = [];
  if (r.limited) sections.push(`Alice's eth0 at 1 Gbit/s (\`tc qdisc replace dev eth0 root ${kTbf.join(' ')}\`), ${r.mib} MiB:\n\n${runTable(r.limited)}`);
  if (r.unlimited) sections.push(`Unlimited, ${r.mib} MiB:\n\n${runTable(r.unlimited)}`);
  if (r.small) {
    sections.push(`${r.fileCount} files of 10 KiB in one folder:\n\n${markdownTable(['run', 'files/s', 'seconds', 'CPU-s alice / bob'],
      r.small.map((x, k) => [String(k + 1), x.filesPerSecond.toFixed(0), x.seconds.toFixed(2), `${x.cpu.alice.toFixed(2)} / ${x.cpu.bob.toFixed(2)}`]))}`);
  }
  if (r.page) {
    sections.push(`A ${r.page.mib} MiB file picked in alice's page and sent over the lane, against a raw DataChannel
(${r.page.rawMib} MiB) between the same two browsers, alternated:\n\n${markdownTable(
      ['round', 'raw DataChannel', 'lane from the page', 'of which the upload', 'ratio'],
      r.page.raw.map((a, k) => {
        const b = r.page.lane[k];
        return [String(k + 1), mibps(a.mibps), `${mibps(b.mibps)} (${b.seconds.toFixed(1)} s)`, `${b.uploadSeconds.toFixed(1)} s`,
          (b.mibps / a.mibps).toFixed(2)];
      }))}`);
  }
  let profile = '';
  if (r.perf?.missing) profile = `### Where the CPU goes\n\nNot profiled: ${r.perf.missing}.`;
  else if (r.perf) {
    profile = `### Where the CPU goes

\`perf record -g -p PID\` on each daemon during one more unlimited ${r.mib} MiB
run (${mibps(r.perf.mibps)} under the profiler; not counted above). Self time
by group. Debian's libcrypto has no symbols for its assembly, so the
benchmark names those addresses by the instructions there (\`sha256rnds2\`:
SHA-256; \`vaesenc\`, \`pclmulqdq\`: AES-GCM).

${profileTable(r.perf)}

Top symbols, sending daemon: ${topText(r.perf.alice)}.

Top symbols, receiving daemon: ${topText(r.perf.bob)}.`;
  }
  return `## Transfer lane (daemon to daemon)

_Generated by \`bench/run.mjs\` (\`node bench/run.mjs --only lane\`, or \`make bench\` with the rest); do not edit this section by hand, edit the program (\`bench/lane.mjs\`, \`bench/lane_report.mjs\`)._

### Machine

${machineTable(machine, results)}

${loadSentence(results)}

### Results

${markdownTable(['figure', 'result', 'target', ''], rows.map((x) => [x.figure, x.result, x.target, x.verdict]))}

${sections.join('\n\n')}

${profile}

### Analysis

${analysis(r, s)}

${r.page ? '' : `Not measured in this run: the same ${r.mib} MiB picked in a web page.`}
${r.messages ? '' : 'Not measured in this run: message round trips daemon to daemon.'}

### How

One lab subnet: alice 198.51.100.10 and bob 198.51.100.11, each with
\`peerdropd --no-scan --log-level info\`; bob trusts alice
(\`PUT /api/settings {"autoAccept":[alice]}\`), so nothing asks.

- **PeerDrop**: \`peerdrop send FILE --to bob\` on alice, timed from its
  start to its exit: it exits once bob has verified the SHA-256 and the
  file is in place (the receiver \`fdatasync\`s before it lands). The
  benchmark hashes the landed file again and compares.
- **socat**: \`socat -u TCP-LISTEN:${kSocatPort},reuseaddr OPEN:copy,creat,trunc\`
  and then \`sync\` on bob, \`socat -u OPEN:FILE TCP:bob:${kSocatPort}\` on alice,
  timed from the sender's start to the end of the \`sync\`.
- The pairs alternate (PeerDrop first in odd rounds, socat first in even
  ones), and every run starts after a \`sync\`. The source is a random file
  in alice's page cache.
- CPU: \`/proc/PID/stat\` utime + stime of each daemon across a run; of
  each socat, the shell's \`times\`. Peak RSS: \`VmHWM\` of each daemon,
  reset through \`/proc/PID/clear_refs\` before the run.
- The page: alice's and bob's Chromium (headless, driven over bare
  DevTools) on their daemons' pages. **lane**: a random file set on an
  \`<input type=file>\` in alice's page (\`DOM.setFileInputFiles\`, a File
  backed by the disk), then in the page \`POST /api/transfers {to, files}\`,
  \`PUT /api/transfers/TID/files/0?offset=0\` with the File as the body, and
  \`GET /api/transfers/TID\` every 100 ms until done; timed in the page.
  **raw**: a bare RTCPeerConnection pair in the same pages, one ordered data
  channel, 256 KiB messages under a 4 MiB \`bufferedAmount\` (as in the
  transfer section). The pairs alternate.
- Small files: a folder of ${r.fileCount} random 10 KiB files sent with
  \`peerdrop send FOLDER --to bob\`; every landed file is hashed and compared.

### How to reproduce

    sudo node bench/run.mjs --only lane      # this section only; about ${Math.max(1, Math.round((results.partS?.lane ?? results.totalS) / 60))} min

Options: \`--lane-runs N\` (pairs per setting, default 3), \`--lane-mib M\`
(default 1024), \`--lane-files N\` (default 10000); \`--no-write\` leaves this
page alone.`;
}
