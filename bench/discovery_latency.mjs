// Benchmark 1 (and 4): discovery latency on one subnet, and start-up time.
//
// Hosts a (.10) and b (.11) run peerdropd on 198.51.100.0/24; then hosts c,
// d and e (.12 to .14) take turns starting a daemon, N times in all, each
// with a fresh data dir (so a new identity: a peer a and b have never seen).
// They take turns because a daemon accepts at most 16 new identities a
// minute from one address. For every run, from the
// process.hrtime instant just before the spawn:
//   - startup: until GET /api/health on the new daemon first answers 200 (polled from its host's agent);
//   - latency: until GET /api/peers on BOTH a and b lists the new id online
//     (each polled from its own host's agent).
// Then SIGTERM, wait for the exit and until a and b list it offline (its
// goodbye), and DELETE it from both so every run starts from the same state.
// For comparison, the same with a data dir that already exists (key and
// database on disk), and the floor: `ip netns exec <c> peerdropd --version`.

import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Lab, kDaemonBinary, kSubnetA } from '../lab/lib/index.mjs';
import { BenchDaemon, startAll, waitMesh, waitScanIdle } from './lib/bench_daemon.mjs';
import { msBetween, now, pollUntil, sleep } from './lib/clock.mjs';

const kSettleMs = 250; // quiet time between runs (lets the previous process's exit settle)
const kExecRuns = 10;

/** Milliseconds from spawning `ip netns exec NS argv…` to its exit (output discarded). */
function timeExec(host, argv) {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const child = spawn('ip', ['netns', 'exec', host.namespace, ...argv], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(msBetween(t0, now()));
      else reject(new Error(`${argv.join(' ')} in ${host.namespace} exited with ${code}`));
    });
  });
}

export async function discoveryLatency({ runs, reuseRuns, pollMs, log }) {
  const lab = await Lab.create({ subnets: [kSubnetA] });
  try {
    const hostA = await lab.addHost('a', { subnet: 'a', ip: '198.51.100.10' });
    const hostB = await lab.addHost('b', { subnet: 'a', ip: '198.51.100.11' });
    const newcomers = [];
    for (const [i, name] of ['c', 'd', 'e'].entries()) {
      newcomers.push(await lab.addHost(name, { subnet: 'a', ip: `198.51.100.${12 + i}` }));
    }
    const [hostC] = newcomers;
    const observers = [new BenchDaemon(hostA, { name: 'a' }), new BenchDaemon(hostB, { name: 'b' })];
    await startAll(observers);
    await waitMesh(observers);
    for (const observer of observers) await waitScanIdle(observer);
    const known = new Set(observers.map((o) => o.id));

    const describe = (sample, label) => `  ${label}: startup ${sample.startupMs.toFixed(1)} ms, ` +
      `listed by a ${sample.byObserver[0].toFixed(1)} ms, b ${sample.byObserver[1].toFixed(1)} ms, ` +
      `SIGTERM→exit ${sample.stopMs.toFixed(0)} ms, →offline at a and b ${sample.offlineMs?.toFixed(0) ?? 'NOT SEEN'} ms`;

    const samples = [];
    for (let run = 1; run <= runs; run++) {
      const sample = await oneRun({ host: newcomers[(run - 1) % newcomers.length], observers, known, run, pollMs });
      samples.push(sample);
      log(describe(sample, `run ${String(run).padStart(2)}/${runs}`));
      await sleep(kSettleMs);
    }

    // For comparison: the same, with a data dir that already holds a key and a database.
    const reused = [];
    const dataDir = path.join(hostC.dir, 'data-reused');
    for (let run = 0; run <= reuseRuns; run++) {
      const sample = await oneRun({ host: hostC, observers, known, run: `reused ${run}`, pollMs, dataDir });
      if (run > 0) reused.push(sample); // start 0 creates the data dir
      log(describe(sample, `existing data dir ${run}/${reuseRuns}${run === 0 ? ' (creates it, not counted)' : ''}`));
      await sleep(kSettleMs);
    }

    // And the floor: spawn → exit of `ip netns exec <c> peerdropd --version` (exec, dynamic linking, no work).
    const execOnly = [];
    for (let i = 0; i < kExecRuns; i++) {
      execOnly.push(await timeExec(hostC, [kDaemonBinary, '--version']));
      await sleep(50);
    }
    log(`  ip netns exec … peerdropd --version, spawn→exit: ${execOnly.map((x) => x.toFixed(1)).join(', ')} ms`);
    lab.succeeded = true;
    return { samples, reused, execOnly, runDir: lab.runDir };
  } catch (error) {
    error.message += `\n(lab run dir kept: ${lab.runDir})`;
    throw error;
  } finally {
    await lab.destroy();
  }
}

async function oneRun({ host, observers, known, run, pollMs, dataDir = path.join(host.dir, `data-run${run}`) }) {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const daemon = new BenchDaemon(host, { name: host.name, dataDir });
  // For each observer: new online ids → when the poll that first showed them was sent and answered.
  const firstSeen = observers.map(() => new Map());
  let failed;
  const abort = () => failed;

  const t0 = daemon.spawn();
  const health = daemon.waitHealthy({ intervalMs: pollMs }).catch((error) => {
    failed = error.message;
    throw error;
  });
  const listed = observers.map((observer, k) => pollUntil(async () => {
    const sentAt = now();
    const res = await observer.request('/api/peers', { timeoutMs: 1000 });
    const receivedAt = now();
    if (res.status === 200 && Array.isArray(res.json)) {
      for (const peer of res.json) {
        if (peer.online && !known.has(peer.id) && !firstSeen[k].has(peer.id)) {
          firstSeen[k].set(peer.id, { sentAt, receivedAt });
        }
      }
    }
    return res.status;
  }, {
    intervalMs: pollMs, timeoutMs: 5000, abort,
    what: `${observer.name} to list the new daemon on ${host.name} (run ${run}) online`,
    until: () => daemon.id !== undefined && firstSeen[k].has(daemon.id),
  }));
  const [started] = await Promise.all([health, ...listed]);

  const seen = firstSeen.map((m) => m.get(daemon.id));
  const byObserver = seen.map((s) => msBetween(t0, s.receivedAt));
  const lowerBound = Math.max(...seen.map((s) => msBetween(t0, s.sentAt)));
  const strangers = firstSeen.flatMap((m) => [...m.keys()]).filter((id) => id !== daemon.id);
  if (strangers.length) throw new Error(`run ${run}: unexpected peers appeared: ${strangers.join(', ')}`);

  // SIGTERM; meanwhile wait until both observers list it offline (its goodbye).
  const stoppedAt = now();
  const offline = Promise.all(observers.map((observer) => pollUntil(() => observer.peers(), {
    intervalMs: pollMs, timeoutMs: 3000, what: `${observer.name} to list ${host.name} (run ${run}) offline`,
    until: (peers) => peers.find((p) => p.id === daemon.id)?.online === false,
  }))).then(() => msBetween(stoppedAt, now()), () => undefined); // undefined: goodbye not seen within 3 s
  const exit = await daemon.stop();
  const offlineMs = await offline;
  if (exit.code !== 0) throw new Error(`run ${run}: peerdropd on ${host.name} exited with ${JSON.stringify(exit)}\n${daemon.logTail()}`);
  for (const observer of observers) {
    const res = await observer.request(`/api/peers/${daemon.id}`, { method: 'DELETE' });
    if (res.status !== 204) throw new Error(`run ${run}: DELETE c from ${observer.name}: ${res.status ?? res.error}`);
  }

  return {
    run,
    startupMs: started.startupMs,
    byObserver,
    latencyMs: Math.max(...byObserver),
    lowerBoundMs: lowerBound,
    stopMs: exit.stopMs,
    offlineMs,
  };
}
