// Signaling benchmarks: round trips UI → daemon → daemon → UI and back over
// the daemon channel (same subnet, and a one-way network from each side),
// cold (the first message after both daemons started) and warm; the rate at
// which one daemon takes signals from several peers; and the outbox with
// 100,000 queued messages (build/bench/outbox_bench, no network).
//
// One lab, two subnets (198.51.100.0/24 = a, 203.0.113.0/24 = b, the lab
// router between them):
//   a .10, b .11, c .12, d .13 on subnet a; o 203.0.113.10 on subnet b.
//   direct:   a ↔ b (same subnet: each hears the other's announcements).
//   one-way:  a ↔ o; in a, `iptables -A OUTPUT -d <o> -m conntrack --ctstate NEW -j DROP`;
//             o knows a via --peer and opens the channel, a knows o from that
//             channel (inbound) and cannot open one itself; both directions
//             travel over o's channel.
//   flood:    a, c and d each send `perSender` signals to b.
// Every daemon runs with the lab's defaults but the daemon's own announce
// interval (`--announce-interval 20`, the default a user has) and
// `--log-level info`.
//
// Cold: `coldRuns` times per variant, only the pair runs, each daemon with a
// fresh data dir (two identities that never met): both start (on the one-way
// network the side that cannot connect first), each UI opens and waits until
// the other peer is listed online and verified (what a user waits for before
// clicking Connect), then the first signal goes. Once more on the one-way
// network with the side that connects started first.
//
// Times are the agents' Date.now() stamps (one clock: every agent runs on
// this machine): the sending agent stamps just before it hands the frame to
// its WebSocket, the receiving agent when the message arrives.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Lab, kSubnetA, kSubnetB, waitForPeer } from '../lab/lib/index.mjs';
import { kRepoDir } from '../lab/lib/paths.mjs';

const kDaemonArgs = ['--announce-interval', '20', '--log-level', 'info'];
export const kOutboxBench = path.join(kRepoDir, 'build', 'bench', 'outbox_bench');

/**
 * A cursor over ui.messages: count(pred) returns how many messages seen so far
 * match (scanning only the new ones each call), so waits stay linear.
 */
function counter(ui, pred) {
  let at = 0;
  let count = 0;
  const items = [];
  return {
    items,
    update() {
      for (; at < ui.messages.length; at++) {
        if (pred(ui.messages[at])) {
          count++;
          items.push(ui.messages[at]);
        }
      }
      return count;
    },
  };
}

/**
 * `warmup` + `count` sequential round trips: x's UI sends a signal to y; once
 * y's UI has it, the benchmark process has y's UI send one back; x's UI
 * receives it. Per trip (agent clocks): rtt = x receives − x sent; there =
 * y receives − x sent; back = x receives − y sent; turnaround = y sent − y
 * received (the benchmark process's own part: the event's way to this process
 * over the agent's pipe and the send request back).
 */
async function roundTrips(ux, uy, { xId, yId, count, warmup, tag, log }) {
  const samples = [];
  const atY = counter(uy, (m) => m.type === 'signal' && m.from === xId && m.session === tag);
  const atX = counter(ux, (m) => m.type === 'signal' && m.from === yId && m.session === tag);
  for (let i = 0; i < warmup + count; i++) {
    const sentX = await ux.send({ type: 'signal', ref: `${tag}:${i}`, to: yId, kind: 'ice_candidate', session: tag, payload: { i } });
    await uy.waitFor(() => atY.update() > i, { timeout: 10_000, what: `${tag} signal #${i} at the far UI` });
    const there = atY.items[i];
    if (there.payload?.i !== i) throw new Error(`${tag}: signal #${i} arrived as ${JSON.stringify(there)}`);
    const sentY = await uy.send({ type: 'signal', ref: `${tag}-back:${i}`, to: xId, kind: 'ice_candidate', session: tag, payload: { i } });
    await ux.waitFor(() => atX.update() > i, { timeout: 10_000, what: `${tag} answer #${i} at the first UI` });
    const back = atX.items[i];
    if (back.payload?.i !== i) throw new Error(`${tag}: answer #${i} arrived as ${JSON.stringify(back)}`);
    if (i < warmup) continue;
    const receivedY = uy.receivedAt(there);
    const receivedX = ux.receivedAt(back);
    samples.push({
      rttMs: receivedX - sentX, thereMs: receivedY - sentX, backMs: receivedX - sentY, turnaroundMs: sentY - receivedY,
    });
    if (samples.length % 50 === 0) log(`  ${tag}: ${samples.length}/${count} round trips`);
  }
  const errors = [...ux.ofType('error'), ...uy.ofType('error')].filter((m) => String(m.ref).startsWith(tag));
  if (errors.length > 0) throw new Error(`${tag}: errors from the daemons: ${JSON.stringify(errors.slice(0, 3))}`);
  return samples;
}

/**
 * Each sender's UI sends `perSender` signals to `target` in chunks of `chunk`,
 * sending the next chunk only while both sent − delivered and sent − (arrived
 * at the target's UI) are ≤ maxOutstanding − chunk: its outbox for the target
 * never holds more than maxOutstanding (the per-peer cap is 1,000), and the
 * target's queue for its UI tab never more than senders × maxOutstanding (a
 * tab with over 1,024 unsent messages is disconnected). The target UI's
 * arrival times give the rate.
 */
async function flood(senders, targetUi, targetId, { perSender, chunk, maxOutstanding, log }) {
  const tag = 'flood';
  const ids = new Set(senders.map((s) => s.id));
  const total = perSender * senders.length;
  const arrivals = counter(targetUi, (m) => m.type === 'signal' && ids.has(m.from) && m.session === tag);
  const started = Date.now();
  const senderStats = await Promise.all(senders.map(async ({ ui, id }) => {
    const arrived = counter(targetUi, (m) => m.type === 'signal' && m.from === id && m.session === tag);
    const delivered = counter(ui, (m) => m.type === 'delivered' && String(m.ref).startsWith(`${tag}:`));
    const refused = counter(ui, (m) => m.type === 'error' && String(m.ref).startsWith(`${tag}:`));
    let sent = 0;
    let firstSentAt;
    let peakOutstanding = 0;
    while (sent < perSender) {
      const n = Math.min(chunk, perSender - sent);
      await ui.waitFor(() => {
        if (refused.update() > 0) throw new Error(`${ui.key}: ${JSON.stringify(refused.items[0])}`);
        return sent - delivered.update() <= maxOutstanding - n;
      }, { timeout: 30_000, what: `deliveries of ${ui.key}'s flood (sent ${sent})` });
      await targetUi.waitFor(() => sent - arrived.update() <= maxOutstanding - n, {
        timeout: 30_000, what: `arrivals of ${ui.key}'s flood (sent ${sent})`,
      });
      const frames = Array.from({ length: n }, (_, k) => ({
        type: 'signal', ref: `${tag}:${sent + k}`, to: targetId, kind: 'ice_candidate', session: tag,
        payload: { i: sent + k, candidate: 'candidate:842163049 1 udp 1677729535 203.0.113.77 54321 typ srflx' },
      }));
      const times = await ui.sendAll(frames);
      firstSentAt ??= times[0];
      sent += n;
      peakOutstanding = Math.max(peakOutstanding, sent - delivered.update());
    }
    await ui.waitFor(() => delivered.update() >= perSender || refused.update() > 0, {
      timeout: 60_000, what: `all ${perSender} of ${ui.key}'s flood delivered`,
    });
    if (refused.update() > 0) throw new Error(`${ui.key}: ${JSON.stringify(refused.items[0])}`);
    return { firstSentAt, peakOutstanding };
  }));
  await targetUi.waitFor(() => arrivals.update() >= total, { timeout: 60_000, what: `${total} flood signals at the target` });
  const got = arrivals.items;
  // Each sender's signals exactly once and in order.
  for (const { id, name } of senders) {
    const is = got.filter((m) => m.from === id).map((m) => m.payload.i);
    if (is.length !== perSender || is.some((i, at) => i !== at)) {
      throw new Error(`flood: ${name}'s ${is.length} signals arrived out of order or not once each`);
    }
  }
  const times = got.map((m) => targetUi.receivedAt(m));
  const first = Math.min(...times);
  const last = Math.max(...times);
  const perSenderRate = senders.map(({ id, name }) => {
    const t = got.filter((m) => m.from === id).map((m) => targetUi.receivedAt(m));
    const span = Math.max(...t) - Math.min(...t);
    return { name, rate: (t.length - 1) / (span / 1000), spanMs: span };
  });
  log(`  flood: ${total} signals in ${last - first} ms at the target (${(Date.now() - started)} ms in all)`);
  return {
    total, perSender, chunk, maxOutstanding, spanMs: last - first,
    rate: (total - 1) / ((last - first) / 1000),
    firstSendToLastArrivalMs: last - Math.min(...senderStats.map((s) => s.firstSentAt)),
    peakOutstanding: Math.max(...senderStats.map((s) => s.peakOutstanding)),
    perSenderRate, senders: senders.map((s) => s.name),
  };
}

/** Until `ui`'s latest peer list has `peer` online and verified; resolves with the agent time of that list. */
async function waitListed(ui, peer, owner, timeout) {
  const listing = await ui.waitFor(() => ui.messages.findLast((m) => m.type === 'peers' &&
    m.peers.some((p) => p.id === peer.id && p.online && p.verified)), {
    timeout, what: `${peer.name} listed online and verified in ${owner}'s UI`,
  });
  return ui.receivedAt(listing);
}

/**
 * One cold round trip x → y → x between two daemons with fresh data dirs
 * (identities that never met). On the one-way network `opener` ({ host,
 * target }) is the side that can connect, started with `--peer <target>`.
 * The daemons start one after the other, each once the one before answers
 * GET /api/health: the target first (the opener's first probe finds it up),
 * or with `openerFirst` the opener first. Then the UIs open and wait until
 * each lists the other online and verified, and x's UI sends the first
 * signal. Resolves with the legs of that round trip and listedMs: from the
 * second daemon's health answer until both UIs listed the other.
 */
async function coldRoundTrip(x, y, { opener, openerFirst = false, tag, run, listTimeoutMs = 10_000 }) {
  const argsFor = (host) => [
    ...kDaemonArgs, '--data-dir', path.join(host.dir, `data-${tag}-${run}`),
    ...(opener && host === opener.host ? ['--peer', `${opener.target.ip}:3001`] : []),
  ];
  let order = [x, y];
  if (opener) order = openerFirst ? [opener.host, opener.target] : [opener.target, opener.host];
  for (const host of order) await host.startDaemon(argsFor(host));
  const started = Date.now();
  const [ux, uy] = await Promise.all([x.openUi(), y.openUi()]);
  try {
    const listedAt = Math.max(...await Promise.all([
      waitListed(ux, y, x.name, listTimeoutMs), waitListed(uy, x, y.name, listTimeoutMs),
    ]));
    const [sample] = await roundTrips(ux, uy, { xId: x.id, yId: y.id, count: 1, warmup: 0, tag: `${tag}-${run}`, log: () => {} });
    return { ...sample, listedMs: listedAt - started };
  } finally {
    await Promise.all([ux.close(), uy.close()]);
    await Promise.all([x.stopDaemon(), y.stopDaemon()]);
  }
}

export async function signalingBenchmarks({ roundTrips: count, warmup, perSender, coldRuns, log }) {
  const results = {};
  const lab = await Lab.create({ subnets: [kSubnetA, kSubnetB] });
  try {
    const a = await lab.addHost('a', { subnet: 'a', ip: '198.51.100.10' });
    const b = await lab.addHost('b', { subnet: 'a', ip: '198.51.100.11' });
    const c = await lab.addHost('c', { subnet: 'a', ip: '198.51.100.12' });
    const d = await lab.addHost('d', { subnet: 'a', ip: '198.51.100.13' });
    const o = await lab.addHost('o', { subnet: 'b', ip: '203.0.113.10' });
    await a.iptables(`-A OUTPUT -d ${o.ip} -m conntrack --ctstate NEW -m comment --comment one-way -j DROP`);

    log(`\n[signaling 1/5] cold round trips (the first signal after both daemons started), ${coldRuns} runs per variant`);
    const oneWay = { host: o, target: a }; // o opens the channel to a; a cannot open one to o
    const variants = [
      ['direct', 'a → b, same subnet', a, b, undefined],
      ['fromBlocked', 'a → o, one-way network, from the side that cannot connect', a, o, oneWay],
      ['fromOpen', 'o → a, one-way network, from the side that connects', o, a, oneWay],
    ];
    results.cold = Object.fromEntries(variants.map(([key]) => [key, []]));
    for (let run = 1; run <= coldRuns; run++) {
      for (const [key, label, x, y, opener] of variants) {
        const sample = await coldRoundTrip(x, y, { opener, tag: `cold-${key}`, run });
        results.cold[key].push(sample);
        log(`  run ${run}/${coldRuns}, ${label}: listed after ${sample.listedMs} ms; first signal there ${sample.thereMs} ms, ` +
          `round trip ${sample.rttMs} ms`);
      }
    }
    // Once: the side that connects starts first, so its first probe of the
    // other finds nothing, and the other cannot connect to it.
    results.coldOpenerFirst = await coldRoundTrip(a, o, {
      opener: oneWay, openerFirst: true, tag: 'cold-opener-first', run: 1, listTimeoutMs: 60_000,
    });
    log(`  once, a → o with o started first: listed after ${results.coldOpenerFirst.listedMs} ms; ` +
      `first signal there ${results.coldOpenerFirst.thereMs} ms, round trip ${results.coldOpenerFirst.rttMs} ms`);

    const dropped0 = await a.iptablesPackets('OUTPUT', 'one-way');
    for (const host of [a, b, c, d]) await host.startDaemon(kDaemonArgs);
    await o.startDaemon([...kDaemonArgs, '--peer', `${a.ip}:3001`]);
    await Promise.all([
      ...[b, c, d].map((x) => waitForPeer(x, a, { verified: true, timeout: 5000 })),
      ...[a, c, d].map((x) => waitForPeer(b, x, { verified: true, timeout: 5000 })),
      waitForPeer(a, b, { verified: true, timeout: 5000 }),
      waitForPeer(o, a, { verified: true, timeout: 5000 }),
      waitForPeer(a, o, { verified: true, source: 'inbound', timeout: 5000 }),
    ]);
    const ui = {};
    for (const host of [a, b, c, d, o]) ui[host.name] = await host.openUi();

    log(`\n[signaling 2/5] warm round trips a ↔ b, same subnet: ${warmup} warm-up + ${count}`);
    results.direct = await roundTrips(ui.a, ui.b, { xId: a.id, yId: b.id, count, warmup, tag: 'direct', log });

    log(`\n[signaling 3/5] warm round trips on the one-way network (a cannot open connections to o), from a and from o: ${warmup} warm-up + ${count} each`);
    results.oneWay = await roundTrips(ui.a, ui.o, { xId: a.id, yId: o.id, count, warmup, tag: 'oneway', log });
    results.oneWayFromOpen = await roundTrips(ui.o, ui.a, { xId: o.id, yId: a.id, count, warmup, tag: 'oneway-open', log });
    results.oneWayDropped = (await a.iptablesPackets('OUTPUT', 'one-way')) - dropped0;
    results.oneWayPeerAtA = (await a.peers()).find((p) => p.id === o.id);

    log(`\n[signaling 4/5] flood: a, c and d send ${perSender} signals each to b`);
    const before = b.daemon.memory();
    results.flood = await flood(
      [a, c, d].map((host) => ({ ui: ui[host.name], id: host.id, name: host.name })), ui.b, b.id,
      { perSender, chunk: 100, maxOutstanding: 300, log },
    );
    const after = b.daemon.memory();
    results.flood.targetMemory = { beforeKiB: before.rssKiB, afterKiB: after.rssKiB, peakKiB: after.peakKiB };
    lab.succeeded = true;
  } finally {
    await lab.destroy();
  }

  log(`\n[signaling 5/5] outbox with 100,000 queued messages: ${path.relative(kRepoDir, kOutboxBench)}`);
  results.outbox = await outboxBench(log);
  return results;
}

/** Runs build/bench/outbox_bench (no arguments: 100,000 messages to 50 recipients) and parses its figures. */
function outboxBench(log) {
  if (!existsSync(kOutboxBench)) {
    throw new Error(`${kOutboxBench} does not exist: ninja -C ${path.join(kRepoDir, 'build')} outbox_bench`);
  }
  return new Promise((resolve, reject) => {
    execFile(kOutboxBench, [], { timeout: 120_000 }, (error, stdout) => {
      if (error) {
        reject(new Error(`outbox_bench failed: ${error.message}\n${stdout}`));
        return;
      }
      log(stdout.trimEnd().split('\n').map((l) => `  ${l}`).join('\n'));
      const num = (re) => Number(re.exec(stdout)?.[1]);
      resolve({
        output: stdout.trimEnd(),
        enqueueRate: num(/enqueue:\s+(\d+) messages\/s/),
        enqueueCpuRate: num(/: (\d+) messages per CPU second/),
        rssMiB: num(/VmRSS \+([\d.]+) MiB/),
        bytesPerMessage: num(/MiB \((\d+) bytes per message\)/),
        ackRate: num(/acknowledge:\s+(\d+) messages\/s/),
        reloadS: num(/entries in ([\d.]+) s \(restart\)/),
      });
    });
  });
}
