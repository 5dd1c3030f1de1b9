// Benchmark 3: an idle daemon's memory and CPU, with the default announce
// interval (no --announce-interval on the command line).
//
// Three daemons a, b, c on 198.51.100.0/24 find each other (each has 2 peers);
// then nothing talks to them for `settleS` seconds, after which VmRSS and VmHWM
// are read from /proc/<pid>/status; then utime+stime from /proc/<pid>/stat
// are read at the start and end of a further `windowS` seconds of idleness.
// Nothing polls the daemons during those periods. All three are measured.

import { readFileSync } from 'node:fs';
import { Lab, kSubnetA } from '../lab/lib/index.mjs';
import { BenchDaemon, startAll, waitMesh, waitScanIdle } from './lib/bench_daemon.mjs';
import { msBetween, now, sleep } from './lib/clock.mjs';
import { clockTicksPerSecond } from './lib/machine.mjs';

function procStatus(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => {
    const match = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text);
    return match ? Number(match[1]) : undefined;
  };
  const name = /^Name:\s+(\S+)/m.exec(text)?.[1];
  return {
    comm: name, vmRssKiB: field('VmRSS'), vmHwmKiB: field('VmHWM'), rssAnonKiB: field('RssAnon'),
    rssFileKiB: field('RssFile'), rssShmemKiB: field('RssShmem'), threads: field('Threads'),
  };
}

/** Pss from /proc/<pid>/smaps_rollup and the mappings holding the most resident memory. */
function procSmaps(pid, top = 8) {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const pss = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(rollup)?.[1]);
  const byMapping = new Map();
  let mapping = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      mapping = head[1] || '[anonymous]';
      continue;
    }
    const rss = /^Rss:\s+(\d+)/.exec(line);
    if (rss) byMapping.set(mapping, (byMapping.get(mapping) ?? 0) + Number(rss[1]));
  }
  const mappings = [...byMapping.entries()].sort((x, y) => y[1] - x[1]).slice(0, top)
    .map(([name, rssKiB]) => ({ name, rssKiB }));
  return { pssKiB: pss('Pss'), pssAnonKiB: pss('Pss_Anon'), pssFileKiB: pss('Pss_File'), mappings };
}

/** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
function cpuTicks(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
  return Number(fields[11]) + Number(fields[12]);
}

export async function idleFootprint({ settleS, windowS, log }) {
  const lab = await Lab.create({ subnets: [kSubnetA] });
  try {
    const names = ['a', 'b', 'c'];
    const daemons = [];
    for (const [i, name] of names.entries()) {
      const host = await lab.addHost(name, { subnet: 'a', ip: `198.51.100.${10 + i}` });
      daemons.push(new BenchDaemon(host, { name }));
    }
    await startAll(daemons);
    await waitMesh(daemons);
    for (const daemon of daemons) await waitScanIdle(daemon);
    for (const daemon of daemons) {
      const { comm } = procStatus(daemon.pid);
      if (comm !== 'peerdropd') throw new Error(`pid ${daemon.pid} is ${comm}, not peerdropd`);
    }
    log(`  3 daemons see each other; idle for ${settleS} s`);
    await sleep(settleS * 1000);
    const memory = daemons.map((d) => ({ name: d.name, pid: d.pid, ...procStatus(d.pid), ...procSmaps(d.pid) }));
    for (const m of memory) {
      log(`  ${m.name}: VmRSS ${m.vmRssKiB} KiB, VmHWM ${m.vmHwmKiB} KiB, RssAnon ${m.rssAnonKiB} KiB, ` +
        `RssFile ${m.rssFileKiB} KiB, Pss ${m.pssKiB} KiB, threads ${m.threads}`);
    }

    log(`  CPU over ${windowS} s of idleness`);
    const ticks = clockTicksPerSecond();
    const t0 = now();
    const before = daemons.map((d) => cpuTicks(d.pid));
    await sleep(windowS * 1000);
    const after = daemons.map((d) => cpuTicks(d.pid));
    const elapsedS = msBetween(t0, now()) / 1000;
    const cpu = daemons.map((d, i) => {
      const used = after[i] - before[i];
      return { name: d.name, ticks: used, cpuSeconds: used / ticks, percent: (100 * used) / ticks / elapsedS };
    });
    for (const c of cpu) log(`  ${c.name}: ${c.ticks} ticks = ${c.percent.toFixed(3)} % of one core`);

    // Still a healthy mesh at the end (so the daemons were idle, not broken).
    await waitMesh(daemons, { timeoutMs: 3000 });
    const end = daemons.map((d) => ({ name: d.name, ...procStatus(d.pid) }));
    lab.succeeded = true;
    return { memory, cpu, end, elapsedS, clockTicks: ticks, settleS, windowS };
  } catch (error) {
    error.message += `\n(lab run dir kept: ${lab.runDir})`;
    throw error;
  } finally {
    await lab.destroy();
  }
}
