// Many daemons on one subnet: how long until every daemon lists every other
// online and verified, and what an idle mesh costs each daemon (packets,
// CPU, memory), with the daemons' defaults.
//
// One lab, one subnet (198.51.100.0/24), `count` hosts m01… at .10, .11, …,
// each running peerdropd with its defaults (announce interval 20 s ± 25 %,
// scan at start if no peer answered within 1 s) and `--log-level info`.
// Every host has a permanent ARP entry for every other (lib/neighbours.mjs:
// the namespaces share the kernel's one ARP table, which holds far fewer
// entries than 50 hosts that all talk to each other need).
//   1. start: every daemon is spawned at once (one after the other, without
//      waiting); each host's agent polls its daemon's GET /api/health every
//      `pollMs` until it answers and then until its `peers.channels` is
//      count − 1: a channel is up with every other daemon, so each is online
//      and its key proven (verified). Then GET /api/peers on every daemon
//      checks that it lists every other one online, verified, with a channel.
//   2. idle: nothing polls the daemons for `settleS` seconds, then for
//      `windowS` seconds; over that window, per daemon: packets in and out of
//      its eth0 (iptables counting rules, UDP and TCP apart), CPU time
//      (schedstat, all threads), and at its end VmRSS, RssAnon and Pss.
//   3. joins (`joins` times): the last daemon stops (its goodbye), the others
//      forget its identity (DELETE /api/peers/{id}, so every join starts
//      alike), and a daemon with a fresh data dir (a new identity) starts on
//      that host: the time from its spawn until it has a channel with every
//      other daemon, and until every other daemon has one with it.
// All times are process.hrtime instants in the benchmark process: a poll's
// answer arriving here, so each figure is an upper bound by at most one
// poll interval plus the poll's own time.

import { Lab, kSubnetA } from '../lab/lib/index.mjs';
import { BenchDaemon } from './lib/bench_daemon.mjs';
import { msBetween, now, sleep } from './lib/clock.mjs';
import { addStaticNeighbours } from './lib/neighbours.mjs';
import { cpuNs, procSmaps, procStatus } from './lib/proc.mjs';
import { addPacketCounters, packetsBetween, readPacketCounters } from './lib/traffic.mjs';

const kFirstHost = 10;
const kMeshTimeoutMs = 60_000;

/**
 * Polls `daemon`'s GET /api/health every `pollMs` (from its host's agent)
 * until `until(health)`. Resolves with { healthyAt, doneAt, health }: the
 * hrtime instants at which the first 200 and the first answer that
 * satisfied `until` arrived here, and that answer.
 */
async function pollHealth(daemon, until, { pollMs, timeoutMs = kMeshTimeoutMs, since = now(), what }) {
  const url = `${daemon.baseUrl}/api/health`;
  let healthyAt;
  let last;
  for (;;) {
    const sentAt = now();
    const res = await daemon.host.http({ url, timeoutMs: 1000 });
    const receivedAt = now();
    if (res.status === 200) {
      last = JSON.parse(res.body);
      if (healthyAt === undefined) {
        healthyAt = receivedAt;
        daemon.health = last;
      }
      if (until(last)) return { healthyAt, doneAt: receivedAt, health: last };
    }
    if (!daemon.running) throw new Error(`peerdropd ${daemon.name} exited: ${JSON.stringify(daemon.process.exitInfo)}\n${daemon.logTail()}`);
    if (msBetween(since, receivedAt) > timeoutMs) {
      throw new Error(`${daemon.name}: not ${what} after ${timeoutMs} ms; last health: ${JSON.stringify(last?.peers)}\n${daemon.logTail()}`);
    }
    const wait = pollMs - msBetween(sentAt, now());
    if (wait > 0) await sleep(wait);
  }
}

/** pollHealth until the daemon has at least `channels` channels. */
function pollChannels(daemon, channels, options) {
  return pollHealth(daemon, (h) => h.peers.channels >= channels, { ...options, what: `${channels} channels` });
}

/** Throws unless `daemon` lists every id of `others` online, verified and with a channel. */
async function assertListsAll(daemon, others) {
  const peers = await daemon.peers();
  const missing = others.filter((id) => !peers.some((p) => p.id === id && p.online && p.verified && p.channel));
  if (missing.length > 0) {
    throw new Error(`${daemon.name} does not list ${missing.length} of ${others.length} peers online, verified and ` +
      `with a channel: ${missing.map((id) => id.slice(0, 8)).join(', ')}`);
  }
}

export async function meshBenchmarks({ count, joins, settleS, windowS, pollMs, log }) {
  const lab = await Lab.create({ subnets: [kSubnetA] });
  try {
    const labStarted = now();
    const daemons = [];
    for (let i = 0; i < count; i++) {
      const name = `m${String(i + 1).padStart(2, '0')}`;
      const host = await lab.addHost(name, { subnet: 'a', ip: `198.51.100.${kFirstHost + i}` });
      await addPacketCounters(host);
      daemons.push(new BenchDaemon(host, { name }));
    }
    await addStaticNeighbours(daemons.map((d) => d.host));
    const labSetupS = msBetween(labStarted, now()) / 1000;
    log(`  ${count} hosts with agents in ${labSetupS.toFixed(1)} s`);

    // 1. Every daemon at once.
    const firstSpawn = now();
    for (const daemon of daemons) daemon.spawn();
    const lastSpawn = now();
    const polled = await Promise.all(daemons.map((d) => pollChannels(d, count - 1, { pollMs, since: d.spawnedAt })));
    const start = daemons.map((d, i) => ({
      name: d.name,
      spawnMs: msBetween(firstSpawn, d.spawnedAt),
      healthyMs: msBetween(firstSpawn, polled[i].healthyAt),
      meshedMs: msBetween(firstSpawn, polled[i].doneAt),
      ownMs: msBetween(d.spawnedAt, polled[i].doneAt),
    }));
    const lastHealthy = Math.max(...start.map((s) => s.healthyMs));
    const allMeshed = Math.max(...start.map((s) => s.meshedMs));
    const mesh = {
      spawnSpreadMs: msBetween(firstSpawn, lastSpawn), lastHealthyMs: lastHealthy, fromFirstSpawnMs: allMeshed,
      fromLastSpawnMs: allMeshed - msBetween(firstSpawn, lastSpawn), fromLastHealthyMs: allMeshed - lastHealthy, start,
    };
    log(`  all ${count} spawned within ${mesh.spawnSpreadMs.toFixed(0)} ms, all answering health after ` +
      `${lastHealthy.toFixed(0)} ms; every daemon had ${count - 1} channels ${allMeshed.toFixed(0)} ms after the first spawn`);
    const ids = daemons.map((d) => d.id);
    for (const daemon of daemons) await assertListsAll(daemon, ids.filter((id) => id !== daemon.id));
    log(`  every daemon lists the other ${count - 1} online, verified, with a channel (GET /api/peers)`);

    // 2. Idle.
    log(`  idle: ${settleS} s to settle, then ${windowS} s measured`);
    await sleep(settleS * 1000);
    const before = [];
    for (const d of daemons) before.push({ at: now(), cpu: cpuNs(d.pid), packets: await readPacketCounters(d.host) });
    await sleep(windowS * 1000);
    const idle = [];
    for (const [i, d] of daemons.entries()) {
      const cpu = cpuNs(d.pid);
      const packets = packetsBetween(before[i].packets, await readPacketCounters(d.host));
      const elapsedS = msBetween(before[i].at, now()) / 1000;
      const status = procStatus(d.pid);
      if (status.comm !== 'peerdropd') throw new Error(`pid ${d.pid} is ${status.comm}, not peerdropd`);
      idle.push({
        name: d.name, elapsedS, cpuS: Number(cpu - before[i].cpu) / 1e9, packets,
        perMinute: Object.fromEntries(Object.entries(packets).map(([k, v]) => [k, (v * 60) / elapsedS])),
        ...status, ...procSmaps(d.pid, 0),
      });
    }
    const stillMeshed = (await Promise.all(daemons.map((d) => d.request('/api/health'))))
      .map((res) => res.json?.peers?.channels);
    log(`  after the window, channels per daemon: min ${Math.min(...stillMeshed)}, max ${Math.max(...stillMeshed)}`);

    // 3. A new daemon joins the running mesh.
    const joined = [];
    for (let k = 1; k <= joins; k++) {
      const leaving = daemons[count - 1];
      const others = daemons.slice(0, count - 1);
      await leaving.stop();
      await Promise.all(others.map((d) => pollHealth(d, (h) => h.peers.channels <= count - 2, {
        pollMs: 100, timeoutMs: 10_000, what: `without a channel to the stopped ${leaving.name}`,
      })));
      for (const d of others) {
        const res = await d.request(`/api/peers/${leaving.id}`, { method: 'DELETE' });
        if (res.status !== 204) throw new Error(`DELETE ${leaving.name}'s old identity at ${d.name}: ${res.status ?? res.error}`);
      }
      await sleep(1000);
      const newcomer = new BenchDaemon(leaving.host, { name: leaving.name, dataDir: `${leaving.dataDir}-join${k}` });
      daemons[count - 1] = newcomer;
      const spawnedAt = newcomer.spawn();
      const [own, ...theirs] = await Promise.all([
        pollChannels(newcomer, count - 1, { pollMs, since: spawnedAt }),
        ...others.map((d) => pollChannels(d, count - 1, { pollMs, since: spawnedAt })),
      ]);
      await assertListsAll(newcomer, others.map((d) => d.id));
      const sample = {
        healthyMs: msBetween(spawnedAt, own.healthyAt),
        newcomerMs: msBetween(spawnedAt, own.doneAt),
        othersMs: Math.max(...theirs.map((t) => msBetween(spawnedAt, t.doneAt))),
      };
      sample.allMs = Math.max(sample.newcomerMs, sample.othersMs);
      joined.push(sample);
      log(`  join ${k}/${joins}: healthy after ${sample.healthyMs.toFixed(0)} ms; channels with all ${count - 1} after ` +
        `${sample.newcomerMs.toFixed(0)} ms; all ${count - 1} had one with it after ${sample.othersMs.toFixed(0)} ms`);
    }
    lab.succeeded = true;
    return { count, joins, settleS, windowS, pollMs, labSetupS, mesh, idle, stillMeshed, joined };
  } catch (error) {
    error.message += `\n(lab run dir kept: ${lab.runDir})`;
    throw error;
  } finally {
    await lab.destroy();
  }
}
