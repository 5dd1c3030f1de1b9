// Benchmark 3: an idle daemon's memory and CPU, with the default announce
// interval (no --announce-interval on the command line).
//
// Three daemons a, b, c on 198.51.100.0/24 find each other (each has 2 peers);
// then nothing talks to them for `settleS` seconds, after which VmRSS and VmHWM
// are read from /proc/<pid>/status; then utime+stime from /proc/<pid>/stat
// are read at the start and end of a further `windowS` seconds of idleness.
// Nothing polls the daemons during those periods. All three are measured.

import { Lab, kSubnetA } from '../lab/lib/index.mjs';
import { BenchDaemon, startAll, waitMesh, waitScanIdle } from './lib/bench_daemon.mjs';
import { msBetween, now, sleep } from './lib/clock.mjs';
import { clockTicksPerSecond } from './lib/machine.mjs';
import { cpuTicks, procSmaps, procStatus } from './lib/proc.mjs';

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
