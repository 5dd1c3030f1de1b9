// The daemon channel's own costs: a TLS handshake against a plain TCP connect
// and a plain HTTP request, and what standing channels cost an idle daemon.
//
// One lab, one subnet (198.51.100.0/24): host s (.10) runs peerdropd with its
// defaults and `--log-level info`; host x (.11) runs bench/lib/handshake_probe.mjs
// (Node, inside x's namespace); hosts c1… (.21…) open the standing channels.
//   1. handshakes: x opens `handshakes` connections of each kind to s, one
//      after the other, in blocks of 20 in a rotating order (tcp, http, tls;
//      see handshake_probe.mjs). The TLS client is one Ed25519 identity that
//      never says hello, so s neither lists nor remembers it.
//   2. standing channels: once s is idle (its start-up scan is over), `settleS`
//      of quiet, then `windowS` measured with no channel (the baseline); then
//      `channels` lab channel clients (10 per host, each a fresh identity
//      that says hello, as a daemon does) connect to s, `settleS` of quiet
//      (s tries each client's announced address, where nothing listens, and
//      gives up after its 5 tries), and `windowS` measured with them. Per
//      window: s's CPU time (schedstat), packets on its eth0 (iptables
//      counting rules) and at its end VmRSS, RssAnon and Pss. The clients
//      answer s's pings, as a daemon does, and send nothing else.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ForgedSignaler, Lab, generateIdentity, kSubnetA, makeCertificate } from '../lab/lib/index.mjs';
import { BenchDaemon, waitScanIdle } from './lib/bench_daemon.mjs';
import { msBetween, now, pollUntil, sleep } from './lib/clock.mjs';
import { cpuNs, procSmaps, procStatus } from './lib/proc.mjs';
import { addPacketCounters, packetsBetween, readPacketCounters } from './lib/traffic.mjs';

const kProbe = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lib', 'handshake_probe.mjs');
const kPerBlock = 20;
const kChannelsPerClientHost = 10; // a daemon takes at most 16 new identities a minute from one address

/** Runs handshake_probe.mjs in `host`'s namespace; resolves with its JSON. */
function runProbe(host, params) {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', host.namespace, process.execPath, kProbe, JSON.stringify(params)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(stdout));
      else reject(new Error(`handshake_probe.mjs in ${host.name} exited with ${code}: ${stderr.trim()}`));
    });
  });
}

/** s's CPU, packets and memory over `windowS` seconds of nothing from the benchmark. */
async function idleWindow(daemon, windowS) {
  const t0 = now();
  const cpu0 = cpuNs(daemon.pid);
  const packets0 = await readPacketCounters(daemon.host);
  await sleep(windowS * 1000);
  const cpu = cpuNs(daemon.pid) - cpu0;
  const packets = packetsBetween(packets0, await readPacketCounters(daemon.host));
  const elapsedS = msBetween(t0, now()) / 1000;
  const status = procStatus(daemon.pid);
  if (status.comm !== 'peerdropd') throw new Error(`pid ${daemon.pid} is ${status.comm}, not peerdropd`);
  return {
    elapsedS, cpuS: Number(cpu) / 1e9, packets,
    perMinute: Object.fromEntries(Object.entries(packets).map(([k, v]) => [k, (v * 60) / elapsedS])),
    ...status, ...procSmaps(daemon.pid, 0),
  };
}

export async function channelBenchmarks({ handshakes, channels, settleS, windowS, log }) {
  const lab = await Lab.create({ subnets: [kSubnetA] });
  try {
    const s = new BenchDaemon(await lab.addHost('s', { subnet: 'a', ip: '198.51.100.10' }), { name: 's' });
    const x = await lab.addHost('x', { subnet: 'a', ip: '198.51.100.11' });
    const clientHosts = [];
    for (let i = 0; i < Math.ceil(channels / kChannelsPerClientHost); i++) {
      clientHosts.push(await lab.addHost(`c${i + 1}`, { subnet: 'a', ip: `198.51.100.${21 + i}` }));
    }
    await addPacketCounters(s.host);
    await s.start({ intervalMs: 20 });
    await waitScanIdle(s, { started: true });

    // 1. Handshakes.
    const rounds = Math.max(1, Math.round(handshakes / kPerBlock));
    log(`  ${rounds * kPerBlock} connections of each kind from x to s (TCP connect, GET /api/health, daemon channel)`);
    const identity = generateIdentity();
    const certificate = await makeCertificate(path.join(x.dir, 'certs'), { privateKey: identity.privateKey });
    const handshake = await runProbe(x, {
      host: s.address, port: s.port, keyPath: certificate.keyPath, certPath: certificate.certPath,
      daemonPid: s.pid, rounds, perBlock: kPerBlock,
    });
    const listed = (await s.peers()).filter((p) => p.id === identity.id);
    if (listed.length > 0) throw new Error(`s lists the probe's identity: ${JSON.stringify(listed)}`);

    // 2. Standing channels.
    log(`  s idle without channels: ${settleS} s, then ${windowS} s measured`);
    await sleep(settleS * 1000);
    const without = await idleWindow(s, windowS);
    log(`  ${channels} channels from ${clientHosts.length} hosts`);
    const opened = await Promise.all(clientHosts.map(async (host, h) => {
      const mine = [];
      for (let i = h * kChannelsPerClientHost; i < Math.min(channels, (h + 1) * kChannelsPerClientHost); i++) {
        const signaler = new ForgedSignaler({ name: `client${i + 1}` });
        const ch = await signaler.openChannel(host, s.host);
        if (ch.handshake !== 'ok') throw new Error(`channel ${i + 1} from ${host.name}: ${ch.error}`);
        await ch.roundTrip([signaler.helloFrame()]);
        mine.push(ch);
      }
      return mine;
    }));
    await pollUntil(() => s.request('/api/health'), {
      intervalMs: 100, timeoutMs: 10_000, what: `s to count ${channels} channels and verified peers`,
      until: (res) => res.json?.peers?.channels === channels && res.json.peers.verified === channels,
    });
    log(`  s holds ${channels} channels; ${settleS} s to settle, then ${windowS} s measured`);
    await sleep(settleS * 1000);
    const withChannels = await idleWindow(s, windowS);
    const after = (await s.request('/api/health')).json.peers;
    const closedEarly = opened.flat().filter((ch) => ch.closed).length;
    if (after.channels !== channels || closedEarly > 0) {
      throw new Error(`s ended the window with ${after.channels} of ${channels} channels (${closedEarly} closed)`);
    }
    lab.succeeded = true;
    return { handshakes: handshake, perBlock: kPerBlock, rounds, channels, settleS, windowS, without, withChannels };
  } catch (error) {
    error.message += `\n(lab run dir kept: ${lab.runDir})`;
    throw error;
  } finally {
    await lab.destroy();
  }
}
