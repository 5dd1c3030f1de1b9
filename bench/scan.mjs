// Benchmark 2: how long one subnet scan takes when few addresses answer.
// The figure is the daemon's own: GET /api/scan (durationMs, probed, found)
// after POST /api/scan, once `running` is false again.
//
// A, a /24: host s (198.51.100.10) scans its interface subnet; two daemons
//    answer (.11, .12), the router (.1) refuses, every other address is unused,
//    so ARP fails for it and the connect runs into the scanner's timeout.
// B, a /22: we may not use addresses outside the two documentation /24s, so
//    the /22 is 127.0.0.0/22 on the loopback of one lab namespace (the whole
//    of 127/8 is local there). The host has no lab subnet at all, so the
//    scanned subnets are exactly `--scan 127.0.0.0/22`. The scanner binds to
//    127.0.4.1 (outside the /22: it must not find itself), a few daemons bind
//    to addresses inside it, and iptables drops SYNs to every other address
//    of the /22, so those behave like absent LAN hosts (connect timeout)
//    instead of refusing at once.

import { Lab, kSubnetA } from '../lab/lib/index.mjs';
import { BenchDaemon, startAll, waitMesh, waitScanIdle } from './lib/bench_daemon.mjs';
import { msBetween, now, pollUntil, sleep } from './lib/clock.mjs';

const kScanTimeoutMs = 30_000;
const kSettleMs = 500;
export const kLoopbackSubnet = '127.0.0.0/22';
export const kLoopbackScanner = '127.0.4.1';
export const kLoopbackAnswering = ['127.0.0.77', '127.0.1.7', '127.0.2.130', '127.0.3.254'];

/**
 * One POST /api/scan and its result, checked against what must be found. If a
 * scan the daemon started by itself (the --scan rescan every 60 s) was running
 * when we posted, ours was not started: wait for that one to end and post again.
 */
async function scanOnce(scanner, { expect, label }) {
  let postedAtWall;
  let t0;
  const post = async () => {
    postedAtWall = Date.now();
    t0 = now();
    const res = await scanner.request('/api/scan', { method: 'POST' });
    if (res.status !== 202) throw new Error(`${label}: POST /api/scan answered ${res.status ?? res.error} ${res.body ?? ''}`);
  };
  await post();
  let reposts = 0;
  const { value, receivedAt } = await pollUntil(async () => {
    const res = await scanner.request('/api/scan');
    const status = res.json;
    if (res.status === 200 && status?.running === false && status.startedAt < postedAtWall - 5) {
      if (++reposts > 3) throw new Error(`${label}: POST /api/scan did not start a scan (${JSON.stringify(status)})`);
      await post();
      return undefined;
    }
    return res;
  }, {
    intervalMs: 10, timeoutMs: kScanTimeoutMs, what: `${label}: the scan to finish`,
    until: (res) => res?.status === 200 && res.json?.running === false,
  });
  const status = value.json;
  const problems = [];
  if (status.found !== expect.found) problems.push(`found ${status.found}, expected ${expect.found}`);
  if (status.probed !== expect.probed) problems.push(`probed ${status.probed}, expected ${expect.probed}`);
  if (JSON.stringify(status.subnets) !== JSON.stringify(expect.subnets)) {
    problems.push(`subnets ${JSON.stringify(status.subnets)}, expected ${JSON.stringify(expect.subnets)}`);
  }
  if (problems.length) throw new Error(`${label}: ${problems.join('; ')}: ${JSON.stringify(status)}`);
  return { ...status, externalMs: msBetween(t0, receivedAt), reposts };
}

async function scanRepeatedly(scanner, { repeats, expect, label, log }) {
  const results = [];
  for (let i = 1; i <= repeats; i++) {
    const result = await scanOnce(scanner, { expect, label: `${label} scan ${i}` });
    results.push(result);
    log(`  ${label} scan ${i}/${repeats}: durationMs ${result.durationMs}, probed ${result.probed}, ` +
      `found ${result.found} (seen finished after ${result.externalMs.toFixed(0)} ms)`);
    await sleep(kSettleMs);
  }
  return results;
}

export async function scanSlash24({ repeats, log }) {
  const lab = await Lab.create({ subnets: [kSubnetA] });
  try {
    const hostS = await lab.addHost('s', { subnet: 'a', ip: '198.51.100.10' });
    const hostP = await lab.addHost('p1', { subnet: 'a', ip: '198.51.100.11' });
    const hostQ = await lab.addHost('p2', { subnet: 'a', ip: '198.51.100.12' });
    const peers = [new BenchDaemon(hostP, { name: 'p1', args: ['--no-scan'] }),
      new BenchDaemon(hostQ, { name: 'p2', args: ['--no-scan'] })];
    const scanner = new BenchDaemon(hostS, { name: 's' }); // defaults: scans its interface subnet
    await startAll([...peers, scanner]);
    await waitMesh([...peers, scanner]);
    await waitScanIdle(scanner);
    const expect = { found: 2, probed: 253, subnets: ['198.51.100.0/24'] }; // 254 hosts minus itself
    const results = await scanRepeatedly(scanner, { repeats, expect, label: '/24', log });
    lab.succeeded = true;
    return { results, expect };
  } catch (error) {
    error.message += `\n(lab run dir kept: ${lab.runDir})`;
    throw error;
  } finally {
    await lab.destroy();
  }
}

export async function scanSlash22({ repeats, log }) {
  const lab = await Lab.create({ subnets: [kSubnetA] }); // the lab needs a subnet; host s is not on it
  try {
    const host = await lab.addHost('s', { subnets: [] });
    const routes = await host.exec(['ip', 'route', 'show', 'table', 'local']);
    if (!/^local 127\.0\.0\.0\/8 dev lo/m.test(routes)) {
      throw new Error(`127.0.0.0/8 is not local on lo in ${host.namespace}:\n${routes}`);
    }
    // Only the answering addresses accept connections on 3001; the rest of the /22 drops SYNs.
    for (const ip of kLoopbackAnswering) {
      await host.iptables(['-A', 'INPUT', '-i', 'lo', '-p', 'tcp', '--dport', '3001', '--syn', '-d', ip, '-j', 'ACCEPT']);
    }
    await host.iptables(['-A', 'INPUT', '-i', 'lo', '-p', 'tcp', '--dport', '3001', '--syn', '-d', kLoopbackSubnet, '-j', 'DROP']);

    const answering = kLoopbackAnswering.map((ip, i) => new BenchDaemon(host, {
      name: `p${i + 1}`, address: ip,
      args: ['--bind', ip, '--discovery-port', String(3101 + i), '--no-scan'],
    }));
    const scanner = new BenchDaemon(host, {
      name: 's', address: kLoopbackScanner,
      args: ['--bind', kLoopbackScanner, '--discovery-port', '3100', '--scan', kLoopbackSubnet],
    });
    await startAll(answering);
    // The scanner scans its --scan subnet at start: that run finds the answering daemons.
    await scanner.start({ intervalMs: 20 });
    const startupScan = await waitScanIdle(scanner, { timeoutMs: kScanTimeoutMs, started: true });
    log(`  /22 start-up scan: durationMs ${startupScan.durationMs}, probed ${startupScan.probed}, found ${startupScan.found}`);
    const ids = answering.map((d) => d.id);
    const listed = await scanner.peers();
    const missing = ids.filter((id) => !listed.some((p) => p.id === id && p.online));
    if (missing.length) throw new Error(`/22: the scanner did not list ${missing.length} answering daemons: ${JSON.stringify(listed)}`);
    const expect = { found: kLoopbackAnswering.length, probed: 1022, subnets: [kLoopbackSubnet] };
    const results = await scanRepeatedly(scanner, { repeats, expect, label: '/22', log });
    const dropped = await host.iptables(['-L', 'INPUT', '-v', '-n', '-x']);
    lab.succeeded = true;
    return { results, expect, startupScan, iptables: dropped };
  } catch (error) {
    error.message += `\n(lab run dir kept: ${lab.runDir})`;
    throw error;
  } finally {
    await lab.destroy();
  }
}
