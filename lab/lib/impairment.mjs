// A lossy, slow link: delay and loss on what a host sends out of one of its
// interfaces, undone exactly by restore().
//
//   const link = await host.impair({ delayMs: 30, lossPercent: 3 });   // eth0
//   …
//   const stats = await link.restore();   // { lost, delayed, droppedFull, droppedEnobufs, … }
//
// With the netem qdisc (netemAvailable()) it is `tc qdisc add dev DEV root
// netem delay … loss … limit …`. Kernels built without netem (this machine's
// and CI's) get the substitute, in the host's own namespace:
//   - loss: iptables -t mangle -A POSTROUTING -o DEV -m statistic --mode random
//     --probability P -j DROP
//   - delay: iptables -t mangle -A POSTROUTING -o DEV -j NFQUEUE --queue-num Q,
//     with lab_nfq_delay (lab/tools/nfq_delay.cpp) bound to queue Q, giving
//     each packet NF_ACCEPT after the delay, in order.
// mangle POSTROUTING runs after the filter table's OUTPUT, so faults made
// there (lib/faults.mjs) still apply, and the delay is the last thing before
// the wire, as with a qdisc. Everything IPv4 leaving DEV is impaired (UDP,
// TCP, ICMP); loopback and other interfaces are not. NFQUEUE queues are per
// network namespace, so every host numbers its own from 0.
//
// No --queue-bypass: if the tool dies, DEV goes dark instead of silently
// losing its delay, and restore() reports the early exit. The tool is
// spawned with host.spawn, so a failed test's teardown still kills and reaps
// it (the namespace, with its rules, is deleted after).

import { existsSync } from 'node:fs';
import path from 'node:path';
import { kDaemonBinary } from './daemon.mjs';
import { netemAvailable } from './preflight.mjs';
import { waitFor } from './wait.mjs';

/** The delay tool: LAB_NFQ_DELAY, or lab_nfq_delay next to peerdropd (build/ by default). */
export const kNfqDelayBinary = process.env.LAB_NFQ_DELAY || path.join(path.dirname(kDaemonBinary), 'lab_nfq_delay');
/** Packets the delay line holds at most (netem's `limit`); beyond it they are dropped. */
export const kDefaultQueueLimit = 10_000;
const kToolReadyMs = 5000;
const kToolStopMs = 5000;

let impairmentSequence = 0;

/**
 * undefined if host.impair() can delay here (netem, or the built delay
 * tool), otherwise why not.
 */
export async function impairmentUnavailableReason() {
  if (await netemAvailable()) return undefined;
  if (existsSync(kNfqDelayBinary)) return undefined;
  return `this kernel has no netem and the delay tool is not built: ${kNfqDelayBinary} does not exist ` +
    '(make build, which needs libnetfilter-queue-dev; or set LAB_NFQ_DELAY)';
}

/**
 * Impairs what `host` sends out of `dev`: delayMs (constant), lossPercent
 * (random, per packet), limit (packets in the delay line). `using`: 'auto'
 * (netem where the kernel has it), 'netem' or 'nfqueue'. One impairment per
 * interface at a time. Resolves with an Impairment once it is in effect.
 */
export async function impair(host, { delayMs = 0, lossPercent = 0, dev = 'eth0', limit = kDefaultQueueLimit, using = 'auto' } = {}) {
  if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > 60_000) {
    throw new Error(`delayMs must be a whole number of ms from 0 to 60000, not ${delayMs}`);
  }
  if (typeof lossPercent !== 'number' || !(lossPercent >= 0 && lossPercent <= 100)) {
    throw new Error(`lossPercent must be from 0 to 100, not ${lossPercent}`);
  }
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`limit must be a whole number ≥ 1, not ${limit}`);
  if (!host.interfaces.some((i) => i.dev === dev)) {
    throw new Error(`host ${host.name} has no ${dev} (has: ${host.interfaces.map((i) => i.dev).join(', ')})`);
  }
  if (host.impairments.has(dev)) throw new Error(`${dev} of ${host.name} is already impaired: restore() that first`);
  if (using === 'auto') using = (await netemAvailable()) ? 'netem' : 'nfqueue';
  if (using !== 'netem' && using !== 'nfqueue') throw new Error(`using must be auto, netem or nfqueue, not ${using}`);

  const impairment = new Impairment(host, { delayMs, lossPercent, dev, limit, using });
  host.impairments.set(dev, impairment);
  try {
    await impairment.apply();
  } catch (error) {
    await impairment.restore().catch(() => {});
    throw error;
  }
  return impairment;
}

export class Impairment {
  constructor(host, { delayMs, lossPercent, dev, limit, using }) {
    Object.assign(this, { host, delayMs, lossPercent, dev, limit, using });
    this.comment = `lab-impair-${++impairmentSequence}`;
    this.rules = []; // iptables specs in the mangle table, as added
    this.tool = undefined; // NamespaceProcess of lab_nfq_delay
    this.queue = undefined;
    this.qdisc = false;
    this.active = false;
  }

  async apply() {
    this.active = true;
    if (this.using === 'netem') {
      // `add`, not `replace`: a qdisc someone else put there is refused, not clobbered.
      await this.host.tc(['qdisc', 'add', 'dev', this.dev, 'root', 'netem', 'limit', this.limit,
        'delay', `${this.delayMs}ms`, 'loss', `${this.lossPercent}%`]);
      this.qdisc = true;
      return;
    }
    if (this.lossPercent > 0) {
      await this.addRule(['-m', 'statistic', '--mode', 'random', '--probability', String(this.lossPercent / 100), '-j', 'DROP']);
    }
    if (this.delayMs > 0) {
      await this.startTool();
      await this.addRule(['-j', 'NFQUEUE', '--queue-num', String(this.queue)]);
    }
  }

  async startTool() {
    if (!existsSync(kNfqDelayBinary)) {
      throw new Error(`the delay tool is not built: ${kNfqDelayBinary} does not exist ` +
        '(make build, which needs libnetfilter-queue-dev; or set LAB_NFQ_DELAY)');
    }
    this.queue = this.host.nextQueueNumber++;
    this.tool = this.host.spawn(
      [kNfqDelayBinary, '--queue', this.queue, '--delay-ms', this.delayMs, '--limit', this.limit].map(String),
      { logName: `nfq_delay-${this.dev}-q${this.queue}` },
    );
    // The rule goes in only once the queue is bound: without bypass, packets queued before would be dropped.
    await waitFor(() => this.tool.log(), {
      what: `lab_nfq_delay on ${this.host.name} to bind queue ${this.queue} (log ${this.tool.logPath})`,
      timeout: kToolReadyMs,
      interval: 20,
      until: (log) => {
        if (/lab_nfq_delay: ready:/.test(log)) return true;
        if (!this.tool.running) throw new Error(`lab_nfq_delay on ${this.host.name} exited at start:\n${log}`);
        return false;
      },
    });
  }

  async addRule(target) {
    const spec = ['POSTROUTING', '-o', this.dev, '-m', 'comment', '--comment', this.comment, ...target];
    await this.host.iptables(['-t', 'mangle', '-A', ...spec]);
    this.rules.push(spec);
  }

  /**
   * Counters so far: { lost } (packets the loss rule dropped) and
   * { queued } (packets sent into the delay line). With netem: { sent, dropped } of the qdisc.
   */
  async stats() {
    if (this.using === 'netem') {
      const [qdisc] = JSON.parse(await this.host.exec(['tc', '-s', '-j', 'qdisc', 'show', 'dev', this.dev, 'root']));
      return { sent: qdisc?.packets, dropped: qdisc?.drops };
    }
    const listing = await this.host.iptables(['-t', 'mangle', '-L', 'POSTROUTING', '-v', '-n', '-x']);
    const stats = { lost: 0, queued: 0 };
    for (const line of listing.split('\n')) {
      if (!line.includes(`/* ${this.comment} */`)) continue;
      const packets = Number(line.trim().split(/\s+/)[0]);
      if (/\bNFQUEUE\b/.test(line)) stats.queued += packets;
      else if (/\bDROP\b/.test(line)) stats.lost += packets;
    }
    return stats;
  }

  /**
   * Undoes exactly what apply() did: the rules are deleted (by the same
   * specification), then the tool gets SIGTERM, releases what it still
   * holds and exits. Resolves with the final counters: { lost, queued } and
   * the tool's summary { delayed, releasedEarly, droppedFull,
   * kernelDroppedFull, kernelDroppedEnobufs, enobufsErrors }. Throws if the
   * tool had exited on its own, or reported an error.
   */
  async restore() {
    if (!this.active) return this.final;
    this.active = false;
    const errors = [];
    let stats = {};
    if (this.qdisc) {
      stats = await this.stats().catch((error) => { errors.push(error); return {}; });
      await this.host.tc(['qdisc', 'del', 'dev', this.dev, 'root']).catch((error) => errors.push(error));
    }
    if (this.rules.length > 0) stats = await this.stats().catch((error) => { errors.push(error); return {}; });
    for (const spec of this.rules.reverse()) {
      await this.host.iptables(['-t', 'mangle', '-D', ...spec]).catch((error) => errors.push(error));
    }
    this.rules = [];
    if (this.tool) {
      const diedEarly = !this.tool.running;
      const exit = await this.tool.stop('SIGTERM', { timeout: kToolStopMs, force: true });
      const log = this.tool.log();
      const summary = parseSummary(log);
      Object.assign(stats, summary);
      if (diedEarly || exit.code !== 0 || !summary) {
        errors.push(new Error(`lab_nfq_delay on ${this.host.name} ${diedEarly ? 'exited during the impairment' : 'failed'} ` +
          `(${JSON.stringify(exit)}); log ${this.tool.logPath}:\n${log.split('\n').slice(-10).join('\n')}`));
      }
    }
    this.host.impairments.delete(this.dev);
    this.final = stats;
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => e.message).join('; '));
    return stats;
  }
}

const kSummaryKeys = {
  delayed: 'delayed',
  released_early: 'releasedEarly',
  dropped_full: 'droppedFull',
  kernel_dropped_full: 'kernelDroppedFull',
  kernel_dropped_enobufs: 'kernelDroppedEnobufs',
  enobufs_errors: 'enobufsErrors',
};

/** The tool's last "lab_nfq_delay: summary: key value …" line, as numbers; undefined if none. */
export function parseSummary(log) {
  const lines = log.split('\n').filter((line) => line.startsWith('lab_nfq_delay: summary: '));
  if (lines.length === 0) return undefined;
  const words = lines.at(-1).slice('lab_nfq_delay: summary: '.length).trim().split(/\s+/);
  const summary = {};
  for (let i = 0; i + 1 < words.length; i += 2) {
    const key = kSummaryKeys[words[i]];
    if (key) summary[key] = Number(words[i + 1]);
  }
  return summary;
}
