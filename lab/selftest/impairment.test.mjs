// Self-test of host.impair() (lib/impairment.mjs): delay and loss on a
// host's egress, with netem where the kernel has it and otherwise with
// iptables loss and the lab_nfq_delay tool (lab/tools/nfq_delay.cpp).
// Measured with lab/tools/udp_probe.mjs between two hosts on one subnet.
// Run: node lab/run.mjs lab/selftest/impairment.test.mjs

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  Lab, kNfqDelayBinary, kSubnetA, labRequired, labSuite, labTest, netemAvailable, waitFor,
} from '../lib/index.mjs';

const kProbe = fileURLToPath(new URL('../tools/udp_probe.mjs', import.meta.url));
const kEchoPort = 7000;
const kSinkPort = 7001;

const hasNetem = await netemAvailable();
/** Why a mechanism cannot be tested here (false: it can). CI=true runs the tool's tests regardless, so a missing build fails. */
function skipReason(using) {
  if (using === 'netem') return !hasNetem && 'this kernel has no netem qdisc';
  if (!existsSync(kNfqDelayBinary) && !labRequired()) return `the delay tool is not built (${kNfqDelayBinary})`;
  return false;
}

async function twoHosts(lab) {
  const a1 = await lab.addHost('a1', { subnet: 'a' });
  const a2 = await lab.addHost('a2', { subnet: 'a' });
  return { a1, a2 };
}

async function startProbe(host, mode, port) {
  const proc = host.spawn([process.execPath, kProbe, mode, '--port', String(port)], { logName: `udp-${mode}` });
  await waitFor(() => proc.log(), {
    what: `udp_probe ${mode} on ${host.name}`, interval: 20, until: (log) => log.includes('"listening"'),
  });
  return proc;
}

/** UDP round trips from `from` to the echo server on `to`: { sent, received, minMs, avgMs, maxMs }. */
async function roundTrips(from, to, { count = 20, intervalMs = 20, lingerMs = 1000 } = {}) {
  const argv = [process.execPath, kProbe, 'rtt', '--to', `${to.ip}:${kEchoPort}`,
    '--count', count, '--interval-ms', intervalMs, '--linger-ms', lingerMs].map(String);
  return JSON.parse(await from.exec(argv, { timeout: 60_000 }));
}

/** What is left of impairments in a host's namespace: rules, queues, qdiscs. */
async function leftovers(host) {
  const rules = (await host.iptables('-t mangle -S POSTROUTING')).split('\n').filter((line) => line.includes('lab-impair'));
  const queues = (await host.exec(['cat', '/proc/net/netfilter/nfnetlink_queue'])).trim();
  const qdisc = (await host.exec(['tc', 'qdisc', 'show', 'dev', 'eth0'])).includes('netem');
  return { rules, queues, qdisc };
}

const kNothingLeft = { rules: [], queues: '', qdisc: false };

/** UDP datagrams that reached the host's stack (delivered, or dropped at a full socket). */
async function udpArrived(host) {
  const lines = (await host.exec(['cat', '/proc/net/snmp'])).split('\n').filter((line) => line.startsWith('Udp:'));
  const names = lines[0].split(/\s+/);
  const values = lines[1].split(/\s+/).map(Number);
  const udp = Object.fromEntries(names.map((name, i) => [name, values[i]]));
  return udp.InDatagrams + udp.InErrors;
}

await labSuite('lab self-test: impaired links', () => {
  for (const using of ['nfqueue', 'netem']) {
    labTest(`${using}: 30 ms on both sides adds 60 ms to a round trip; restore() undoes it exactly`,
      { skip: skipReason(using) }, async (lab, t) => {
        const { a1, a2 } = await twoHosts(lab);
        await startProbe(a2, 'echo', kEchoPort);
        const before = await roundTrips(a1, a2);
        assert.equal(before.received, 20, JSON.stringify(before));

        // Both hosts use NFQUEUE 0: queues are per network namespace.
        const links = [await a1.impair({ delayMs: 30, using }), await a2.impair({ delayMs: 30, using })];
        const slow = await roundTrips(a1, a2);
        assert.equal(slow.received, 20, JSON.stringify(slow));
        // A constant delay is never shorter than asked. The fastest of 20 round trips stays near 61 ms
        // even on a busy machine (the average does not: a load of 14 on 2 cores made it 77 ms).
        assert.ok(slow.minMs >= 59 && slow.minMs < 120, `round trip ${JSON.stringify(slow)} with 2 × 30 ms delay`);

        const stats = await Promise.all(links.map((link) => link.restore()));
        if (using === 'nfqueue') {
          for (const s of stats) {
            assert.ok(s.delayed >= 20 && s.delayed === s.queued, JSON.stringify(s));
            assert.equal(s.droppedFull + s.kernelDroppedFull + s.kernelDroppedEnobufs, 0, JSON.stringify(s));
          }
          assert.ok(links.every((link) => !link.tool.running), 'the delay tools have exited');
        }
        assert.deepEqual(await leftovers(a1), kNothingLeft);
        assert.deepEqual(await leftovers(a2), kNothingLeft);
        const after = await roundTrips(a1, a2);
        assert.equal(after.received, 20, JSON.stringify(after));
        assert.ok(after.minMs < 30, `round trip after restore(): ${JSON.stringify(after)} (before: ${JSON.stringify(before)})`);
        t.diagnostic(`round trips (ms, min/avg/max): before ${before.minMs}/${before.avgMs}/${before.maxMs}, ` +
          `2 × 30 ms ${slow.minMs}/${slow.avgMs}/${slow.maxMs}, after ${after.minMs}/${after.avgMs}/${after.maxMs}`);
      });

    labTest(`${using}: with 3 % loss and 30 ms delay, 1–6 % of 2,000 datagrams are lost`,
      { skip: skipReason(using) }, async (lab, t) => {
        const { a1, a2 } = await twoHosts(lab);
        await startProbe(a2, 'echo', kEchoPort);
        // Only a1's egress is impaired: a lost probe is a lost request, never a lost echo.
        const link = await a1.impair({ delayMs: 30, lossPercent: 3, using });
        const result = await roundTrips(a1, a2, { count: 2000, intervalMs: 2 });
        const lost = result.sent - result.received;
        // Binomial(2000, 0.03): mean 60, sd 7.6; 20 and 120 are more than 5 sd away.
        assert.ok(lost >= 20 && lost <= 120, `${lost} of ${result.sent} lost (${JSON.stringify(result)})`);
        assert.ok(result.minMs >= 29, `round trip ${JSON.stringify(result)} with 30 ms delay`);
        const stats = await link.restore();
        if (using === 'nfqueue') {
          // Everything the loss rule let through was delayed and released, none dropped by the tool.
          assert.ok(stats.lost >= 20 && stats.lost <= lost, `rule dropped ${stats.lost}, probes lost ${lost}`);
          assert.equal(stats.delayed, stats.queued, JSON.stringify(stats));
        }
        assert.deepEqual(await leftovers(a1), kNothingLeft);
        t.diagnostic(`${lost} of ${result.sent} lost (${(100 * lost / result.sent).toFixed(2)} %); ${JSON.stringify(stats)}`);
      });
  }

  labTest('nfqueue: the delay tool drops nothing of 60,000 datagrams of 1,200 bytes paced at 20,000/s', {
    skip: skipReason('nfqueue'), timeout: 90_000,
  }, async (lab, t) => {
    const { a1, a2 } = await twoHosts(lab);
    await startProbe(a2, 'sink', kSinkPort);
    const link = await a1.impair({ delayMs: 30, using: 'nfqueue' });
    const arrivedBefore = await udpArrived(a2);
    const argv = [process.execPath, kProbe, 'blast', '--to', `${a2.ip}:${kSinkPort}`,
      '--rate', '20000', '--seconds', '3', '--size', '1200'];
    const blast = JSON.parse(await a1.exec(argv, { timeout: 60_000 }));
    assert.equal(blast.sent, 60_000, JSON.stringify(blast));
    // Every datagram reaches a2's UDP stack (a full socket buffer at the sink is not the link's fault).
    await waitFor(async () => (await udpArrived(a2)) - arrivedBefore, {
      what: `all ${blast.sent} datagrams at ${a2.name}`, until: (n) => n >= blast.sent, timeout: 5000,
    });
    const stats = await link.restore();
    assert.ok(stats.delayed >= blast.sent, JSON.stringify(stats));
    assert.deepEqual(
      [stats.droppedFull, stats.kernelDroppedFull, stats.kernelDroppedEnobufs, stats.enobufsErrors], [0, 0, 0, 0],
      `nothing dropped by the delay line: ${JSON.stringify(stats)} (sender: ${JSON.stringify(blast)})`,
    );
    t.diagnostic(`sender ${JSON.stringify(blast)}; delay line ${JSON.stringify(stats)}`);
  });

  labTest('nfqueue: a dead delay tool darkens the link and restore() says so; teardown ends a running one', {
    skip: skipReason('nfqueue'),
  }, async (lab) => {
    const { a1, a2 } = await twoHosts(lab);
    await startProbe(a2, 'echo', kEchoPort);
    const link = await a1.impair({ delayMs: 30, using: 'nfqueue' });
    link.tool.kill('SIGKILL');
    await link.tool.exited;
    // No --queue-bypass: without its tool the queue drops, so a test cannot pass on an undelayed link.
    const dark = await roundTrips(a1, a2, { count: 5, lingerMs: 300 });
    assert.equal(dark.received, 0, JSON.stringify(dark));
    await assert.rejects(link.restore(), /exited during the impairment/);
    assert.deepEqual(await leftovers(a1), kNothingLeft);
    assert.equal((await roundTrips(a1, a2, { count: 5 })).received, 5);

    // A test that fails with an impairment in place: the lab's teardown still ends and reaps the tool.
    const other = await Lab.create({ subnets: [kSubnetA] });
    let tool;
    try {
      const host = await other.addHost('a1', { subnet: 'a' });
      tool = (await host.impair({ delayMs: 30, using: 'nfqueue' })).tool;
      assert.ok(tool.running);
      other.succeeded = true; // only so its run dir is removed
    } finally {
      await other.destroy();
    }
    assert.equal(tool.running, false);
    assert.deepEqual(tool.exitInfo, { code: 0, signal: null }, 'SIGTERM: released what it held and exited');
    assert.throws(() => process.kill(tool.pid, 0), { code: 'ESRCH' });
  });
});
