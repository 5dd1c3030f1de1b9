// What /proc says about a process (the lab's namespaces share the root's
// /proc): memory from status and smaps, CPU time in clock ticks (stat) and in
// nanoseconds (schedstat, summed over the threads).

import { readFileSync, readdirSync } from 'node:fs';

/** VmRSS, VmHWM, RssAnon, RssFile, RssShmem (KiB), the thread count and the command name. */
export function procStatus(pid) {
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
export function procSmaps(pid, top = 8) {
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
export function cpuTicks(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * CPU time a process has used, in nanoseconds: the first field of
 * /proc/<pid>/task/<tid>/schedstat (time on a CPU), summed over its threads.
 * Exact where ticks have 10 ms steps; a thread that ended is not counted
 * (peerdropd's threads live as long as it does).
 */
export function cpuNs(pid) {
  let total = 0n;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += BigInt(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch { /* the thread ended between the listing and the read */ }
  }
  return total;
}
