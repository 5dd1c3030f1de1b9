// Turns the measurements into the stdout table and the markdown section.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { kRepoDir } from '../lab/lib/paths.mjs';
import { machineTable, markdownTable } from './lib/page.mjs';
import { mib, ms, summarize } from './lib/stats.mjs';

export const kTargets = {
  latencyP95Ms: 500,
  scan24Ms: 1000,
  scan22Ms: 3000,
  idleRssMiB: 10,
  shutdownMs: 1000,
};
// The daemon's scan parameters, for the expected-time model (unanswered
// addresses cost one connect timeout each, `concurrency` at a time): read from
// its defaults in src/discovery/discovery_config.hpp, in case they change.
const kConfigPath = path.join(kRepoDir, 'src', 'discovery', 'discovery_config.hpp');

function scanParameters() {
  let text = '';
  try {
    text = readFileSync(kConfigPath, 'utf8');
  } catch { /* fall back to the documented defaults */ }
  const concurrency = Number(/scan_concurrency\s*=\s*(\d+)/.exec(text)?.[1] ?? 128);
  const timeoutMs = Number(/scan_connect_timeout\s*\{\s*(\d+)\s*\}/.exec(text)?.[1] ?? 250);
  return { concurrency, timeoutMs };
}
const { concurrency: kScanConcurrency, timeoutMs: kScanConnectTimeoutMs } = scanParameters();

const verdict = (ok) => (ok ? 'met' : 'MISSED');

function scanSummary(scan) {
  const durations = scan.results.map((r) => r.durationMs);
  const s = summarize(durations);
  const { probed, found } = scan.results[0];
  const waves = Math.ceil((probed - found) / kScanConcurrency);
  return { ...s, probed, found, durations, modelMs: waves * kScanConnectTimeoutMs, waves };
}

function latencySummaries(latency) {
  const { samples } = latency;
  const offline = samples.map((s) => s.offlineMs).filter((x) => x !== undefined);
  return {
    latency: summarize(samples.map((s) => s.latencyMs)),
    lowerBound: summarize(samples.map((s) => s.lowerBoundMs)),
    startup: summarize(samples.map((s) => s.startupMs)),
    afterHealth: summarize(samples.map((s) => s.latencyMs - s.startupMs)),
    listedFirst: samples.filter((s) => s.latencyMs < s.startupMs).length,
    stop: summarize(samples.map((s) => s.stopMs)),
    offline: offline.length ? summarize(offline) : undefined,
    goodbyeMissed: samples.length - offline.length,
    reusedStartup: latency.reused.length ? summarize(latency.reused.map((s) => s.startupMs)) : undefined,
    reusedLatency: latency.reused.length ? summarize(latency.reused.map((s) => s.latencyMs)) : undefined,
    execOnly: summarize(latency.execOnly),
  };
}

const triple = (s) => `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.max)}`;

/** Rows of the results table: { figure, result, target, verdict }. */
export function resultRows(results) {
  const rows = [];
  if (results.latency) {
    const l = latencySummaries(results.latency);
    const n = results.latency.samples.length;
    rows.push({
      figure: `discovery latency, p50 / p95 / max (N=${n})`, result: triple(l.latency),
      target: `p95 ≤ ${kTargets.latencyP95Ms} ms`, verdict: verdict(l.latency.p95 <= kTargets.latencyP95Ms),
    });
    rows.push({ figure: `start-up time, fresh data dir, p50 / p95 / max (N=${n})`, result: triple(l.startup), target: '—', verdict: '' });
    if (l.reusedStartup) {
      rows.push({
        figure: `start-up time, existing data dir, p50 / p95 / max (N=${l.reusedStartup.n})`,
        result: triple(l.reusedStartup), target: '—', verdict: '',
      });
    }
    rows.push({
      figure: `shutdown, SIGTERM → exit, p50 / max (N=${l.stop.n})`, result: `${ms(l.stop.p50)} / ${ms(l.stop.max)}`,
      target: `< ${kTargets.shutdownMs} ms (architecture.md)`, verdict: verdict(l.stop.max < kTargets.shutdownMs),
    });
    rows.push({
      figure: `SIGTERM → offline at both peers (goodbye), p50 / max`,
      result: l.offline ? `${ms(l.offline.p50)} / ${ms(l.offline.max)}${l.goodbyeMissed ? ` (missed ${l.goodbyeMissed}×)` : ''}` : 'never seen',
      target: `≤ ${kTargets.shutdownMs} ms (lab scenario)`,
      verdict: verdict(l.offline && l.goodbyeMissed === 0 && l.offline.max <= kTargets.shutdownMs),
    });
  }
  for (const [key, label, target] of [['scan24', '/24', kTargets.scan24Ms], ['scan22', '/22', kTargets.scan22Ms]]) {
    if (!results[key]) continue;
    const s = scanSummary(results[key]);
    rows.push({
      figure: `scan of a ${label} (${s.probed} probed, ${s.found} found), median / max of ${s.n}`,
      result: `${ms(s.p50)} / ${ms(s.max)}`, target: `≤ ${target} ms`, verdict: verdict(s.max <= target),
    });
  }
  if (results.idle) {
    const { memory, cpu } = results.idle;
    const rss = Math.max(...memory.map((m) => m.vmRssKiB));
    const hwm = Math.max(...memory.map((m) => m.vmHwmKiB));
    rows.push({
      figure: `idle VmRSS / VmHWM (max of 3 daemons, ${results.idle.settleS} s idle)`,
      result: `${mib(rss)} / ${mib(hwm)}`, target: `≤ ${kTargets.idleRssMiB} MiB`,
      verdict: verdict(rss <= kTargets.idleRssMiB * 1024),
    });
    const pct = Math.max(...cpu.map((c) => c.percent));
    rows.push({
      figure: `idle CPU over ${results.idle.windowS} s (max of 3 daemons)`, result: `${pct.toFixed(3)} % of one core`,
      target: '—', verdict: '',
    });
  }
  return rows;
}

function noiseText(results) {
  const cores = Number(results.machine.nproc) || 1;
  const load = Math.max(Number(results.loadBefore.split(' ')[0]), Number(results.loadAfter.split(' ')[0]));
  const busy = load > cores
    ? `During this run the machine was busy
(1-minute load average up to ${load.toFixed(1)} on ${cores} cores, this benchmark included), so
the time-based figures include waiting for a CPU; on an idle machine expect
lower start-up and discovery times and less spread.`
    : `The load average stayed at or below the core count during this run.`;
  return `The machine is shared and has ${cores} cores: the benchmark process, one lab agent
per host (Node) and up to 5 daemons share them with whatever else runs, so
single samples (the max columns especially) carry scheduling noise. ${busy}`;
}


function missedList(rows) {
  return rows.filter((r) => r.verdict === 'MISSED');
}

/** The markdown of the discovery section (between its markers). */
export function renderSection(results) {
  const { machine, config } = results;
  const rows = resultRows(results);
  const parts = [];
  parts.push(`## Discovery, scanning and idle footprint

_Generated by \`bench/run.mjs\` (\`make bench\`); do not edit this section by hand, edit the program._`);

  parts.push(`### Machine

${machineTable(machine, results)}

${noiseText(results)}`);

  const missed = missedList(rows);
  parts.push(`### Results

${markdownTable(['figure', 'result', 'target', ''], rows.map((r) => [r.figure, r.result, r.target, r.verdict]))}

${missed.length === 0
    ? 'Every target is met.'
    : `**Targets missed: ${missed.map((r) => r.figure).join('; ')}.** See the notes below.`}`);

  if (results.latency) parts.push(latencyText(results));
  if (results.scan24 || results.scan22) parts.push(scanText(results));
  if (results.idle) parts.push(idleText(results));

  parts.push(`### How to reproduce

    make bench                      # as root: builds build/peerdropd, then node bench/run.mjs

It takes about ${Math.max(3, Math.round(results.totalS / 60))} minutes and needs root and \`ip netns\` (the lab).
Options: \`node bench/run.mjs --runs 50 --poll-ms 10\` (discovery runs and poll
interval), \`--reuse-runs N\` (starts with an existing data dir), \`--scan-repeats K\`, \`--idle-settle S --idle-window S\`,
\`--only latency,scan,idle\` and \`--no-write\` (both leave this page alone).
This run used ${config.runs} runs, ${config.pollMs} ms polls, ${config.scanRepeats} scans per subnet,
${config.idleSettleS} s + ${config.idleWindowS} s idle.`);
  return parts.join('\n\n');
}

function latencyText(results) {
  const l = latencySummaries(results.latency);
  const { pollMs } = results.config;
  const samples = results.latency.samples.map((s) => s.latencyMs.toFixed(0));
  const startups = results.latency.samples.map((s) => s.startupMs.toFixed(0));
  const n = results.latency.samples.length;
  const graceNote = l.stop.min >= 300
    ? `SIGTERM → exit never took less than 300 ms (min ${ms(l.stop.min)}): the daemon's 300 ms shutdown grace timer
  (\`Daemon::shutdown\`) is itself pending work on the \`io_context\`, so \`run()\` cannot return before it
  fires even when everything else has ended; the peers learn of the exit earlier, from the goodbye.`
    : `SIGTERM → exit: ${ms(l.stop.p50)} median, ${ms(l.stop.max)} max.`;
  return `### 1. Discovery latency on one subnet, and 4. start-up time

How: a lab with one subnet, 198.51.100.0/24 (a bridge in a switch namespace).
Daemons run on hosts a (.10) and b (.11) with their defaults (no flags but
\`--data-dir\`, \`--download-dir\`, \`--name\`, \`--log-level info\`; announce interval 20 s). Hosts c,
d and e (.12 to .14) then take turns starting peerdropd, ${n} times in all, each time
with a fresh data dir (so a new identity that a and b have never seen) and
default flags; they take turns because a daemon accepts at most 16 new
identities a minute from one address. Time 0 is taken
with \`process.hrtime\` in the benchmark process just before it spawns
\`ip netns exec <host> peerdropd …\` (so the \`ip netns exec\` set-up is
included). From then on the host agents poll, each on its own host, every
${pollMs} ms: GET /api/health on the new daemon and GET /api/peers on a and on b.

- **Discovery latency** = until the answer of the first GET /api/peers that
  lists the new id online has arrived, on BOTH a and b (the later of the two).
  p50 / p95 / max: **${triple(l.latency)}** (mean ${ms(l.latency.mean)}). Taking the
  instant the successful poll was *sent* instead gives ${triple(l.lowerBound)};
  the truth lies between.
- **Start-up time** = until the first 200 from GET /api/health on the new daemon:
  **${triple(l.startup)}** (mean ${ms(l.startup.mean)}). Discovery latency minus start-up
  time: ${triple(l.afterHealth)}; in ${l.listedFirst} of ${n} runs both a and b listed the new
  daemon before its own health answer arrived. The daemon announces itself as soon as
  its event loop runs, and a and b list a new peer as soon as the announcement
  arrives, so the discovery latency is essentially the start-up time.
- What the start-up time is made of: spawn → exit of \`ip netns exec <c>
  peerdropd --version\` (exec, dynamic linking, nothing else) takes ${triple(l.execOnly)}
  (p50 / p95 / max of ${l.execOnly.n}).${l.reusedStartup ? ` Starting with a data dir that already holds the key and the
  database (${l.reusedStartup.n} starts of the same data dir on c after a first one that created it)
  takes ${triple(l.reusedStartup)} to health and ${triple(l.reusedLatency)} to be listed by both.` : ''}
  ${l.reusedStartup ? `The difference to a fresh data dir (${ms(l.startup.p50 - l.reusedStartup.p50)} at the median) is the first-start work: the key
  file is created and fsync'd and the SQLite database is created (strace shows
  one fsync and six fdatasyncs for it), so it depends on the disk. ` : ''}The rest
  is process start-up and scheduling on the shared 2-core machine.
- Between runs: SIGTERM to the new daemon while a and b are polled until they list it
  offline (its goodbye${l.offline ? `: ${ms(l.offline.p50)} median, ${ms(l.offline.max)} max after the SIGTERM` +
    `${l.goodbyeMissed ? `; not seen within 3 s in ${l.goodbyeMissed} runs` : ', seen in every run'}` : ': never seen within 3 s'}),
  wait for its exit, DELETE /api/peers/{id} on a and b so every run starts
  alike, 250 ms of quiet. ${graceNote}
- Measurement cost: each poll is a JSON line to a Node agent that opens a new
  HTTP connection to the daemon; with ${pollMs} ms polls on three hosts that is up to
  about ${Math.round(3000 / pollMs)} requests/s competing for the 2 cores with the daemons being measured.

${l.latency.p95 > kTargets.latencyP95Ms
    ? `**The ${kTargets.latencyP95Ms} ms p95 target is missed** (p95 ${ms(l.latency.p95)}). Discovery itself
follows the start-up at once (see above), so the cause is the start-up time
(p95 ${ms(l.startup.p95)}): process start, the first-start disk work, and waiting for a CPU.

` : ''}All ${samples.length} latencies (ms, in run order): ${samples.join(', ')}.
Start-up times (ms): ${startups.join(', ')}.`;
}

function scanText(results) {
  const out = [`### 2. Subnet scan time where few hosts answer

The figure is the daemon's own: \`durationMs\` (and \`probed\`, \`found\`) of
GET /api/scan, read once \`running\` is false again after POST /api/scan
(polled every 10 ms). Each scan was repeated (in A the first one runs with an
empty neighbour table). The benchmark checks \`found\`, \`probed\` and
\`subnets\` of every scan and fails if they are not what was set up. The
scanner's parameters (discovery_config.hpp): ${kScanConcurrency} probes in flight, ${kScanConnectTimeoutMs} ms
connect timeout, so an address that never answers costs ${kScanConnectTimeoutMs} ms of one slot, and a
scan of U unanswered addresses needs at least ⌈U / ${kScanConcurrency}⌉ × ${kScanConnectTimeoutMs} ms ("model" below).`];
  if (results.scan24) {
    const s = scanSummary(results.scan24);
    out.push(`**A, a /24** (target ≤ ${kTargets.scan24Ms} ms). Host s at 198.51.100.10 runs peerdropd
with its defaults, so POST /api/scan scans its interface subnet
198.51.100.0/24; daemons run on .11 and .12 (\`--no-scan\`), the router is .1
(refuses: RST), and the other 250 addresses are unused: ARP gets no answer
and the connect runs into the timeout, the realistic worst case.
durationMs of ${s.n} scans: ${s.durations.join(', ')} (median ${ms(s.p50)}, max ${ms(s.max)});
probed ${s.probed}, found ${s.found} each time. Model: ${s.waves} × ${kScanConnectTimeoutMs} ms = ${s.modelMs} ms.`);
  }
  if (results.scan22) {
    const s = scanSummary(results.scan22);
    const start = results.scan22.startupScan;
    out.push(`**B, a /22** (target ≤ ${kTargets.scan22Ms} ms). Only 198.51.100.0/24 and 203.0.113.0/24 may
carry lab traffic, so the /22 is built on the loopback of one lab namespace,
where all of 127.0.0.0/8 is local. That host has no lab subnet (only \`lo\`),
so the scan covers exactly \`--scan 127.0.0.0/22\` (1022 hosts; the daemon
accepts a --scan subnet of up to 1024 hosts, outside --loopback mode too).
The scanner runs with \`--bind 127.0.4.1 --discovery-port 3100 --scan 127.0.0.0/22\`
(127.0.4.1 is outside the /22, so it does not find itself); 4 daemons answer
on ${'`127.0.0.77`, `127.0.1.7`, `127.0.2.130`, `127.0.3.254`'} (\`--bind ADDR --port 3001
--discovery-port 3101…3104 --no-scan\`). iptables in that namespace accepts
SYNs to those four on port 3001 and drops SYNs to the rest of 127.0.0.0/22,
so the 1018 other addresses behave like absent LAN hosts (connect timeout)
rather than refusing at once. The scanner scans its --scan subnet at start
(${start.durationMs} ms, probed ${start.probed}, found ${start.found}: that is how it first learns the 4);
then POST /api/scan, ${s.n} times: durationMs ${s.durations.join(', ')}
(median ${ms(s.p50)}, max ${ms(s.max)}); probed ${s.probed}, found ${s.found} each time.
Model: ${s.waves} × ${kScanConnectTimeoutMs} ms = ${s.modelMs} ms.`);
    const missed = s.max > kTargets.scan22Ms;
    if (missed) {
      out.push(`The /22 target is **missed**. The time is set by the scanner's parameters: ${s.waves} waves of
connect timeouts (${s.modelMs} ms) at the very least; anything above that is scheduling
of ${kScanConcurrency} coroutines and ${s.probed} sockets on one thread of a busy 2-core machine.`);
    }
  }
  return out.join('\n\n');
}

function idleText(results) {
  const { memory, cpu, settleS, windowS, clockTicks, elapsedS } = results.idle;
  const rows = memory.map((m, i) => [
    m.name, mib(m.vmRssKiB), mib(m.vmHwmKiB), mib(m.rssAnonKiB), mib(m.rssFileKiB), mib(m.pssKiB), String(m.threads),
    `${cpu[i].ticks} tick${cpu[i].ticks === 1 ? '' : 's'} = ${cpu[i].cpuSeconds.toFixed(2)} s = ${cpu[i].percent.toFixed(3)} %`,
  ]);
  const rss = Math.max(...memory.map((m) => m.vmRssKiB));
  const missed = rss > kTargets.idleRssMiB * 1024;
  const maxFile = Math.max(...memory.map((m) => m.rssFileKiB));
  const maxAnon = Math.max(...memory.map((m) => m.rssAnonKiB));
  const first = memory[0];
  const mappings = first.mappings.map((m) => `${path.basename(m.name)} ${mib(m.rssKiB)}`).join(', ');
  return `### 3. Idle memory and CPU

How: three daemons a, b, c on 198.51.100.0/24 with their defaults, in
particular the default announce interval (20 s ± 25 %; no
\`--announce-interval\` flag), \`--log-level info\`. Once each lists the other
two online and no scan runs, nothing talks to them for ${settleS} s; then VmRSS and
VmHWM are read from /proc/<pid>/status (and Pss from /proc/<pid>/smaps_rollup);
then utime + stime (fields 14 + 15 of /proc/<pid>/stat, ${clockTicks} ticks/s) at the
start and end of ${windowS} s more of idleness (measured: ${elapsedS.toFixed(1)} s), as a share of
one core. At the end each daemon still lists the other two online.

${markdownTable(['daemon', 'VmRSS', 'VmHWM', 'RssAnon', 'RssFile', 'Pss', 'threads', `CPU over ${windowS} s`], rows)}

${missed
    ? `The ${kTargets.idleRssMiB} MiB RSS target is **missed** (max VmRSS ${mib(rss)}).`
    : `VmRSS stays within the ${kTargets.idleRssMiB} MiB target.`} Almost all of it is file-backed
(RssFile up to ${mib(maxFile)}): pages of the binary and of the shared libraries it
maps, which other processes using the same libraries share (Pss divides shared
pages among the processes mapping them; here the three daemons share with each
other). RssAnon, the daemon's own heap and stacks, is at most ${mib(maxAnon)}. Largest
mappings of ${first.name} by resident size: ${mappings}.
The CPU figure has the resolution of one tick (1/${clockTicks} s over ${windowS} s =
${(100 / clockTicks / windowS).toFixed(3)} % of a core).`;
}
