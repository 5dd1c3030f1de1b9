// What every lab namespace offers, router and hosts alike: commands inside
// it, and the fault helpers (iptables, tc/netem).

import { run, toArgs } from './exec.mjs';

export class NetNode {
  constructor(lab, name, namespace) {
    Object.assign(this, { lab, name, namespace });
  }

  /** Runs a command inside the namespace; resolves with stdout. */
  exec(argv, options) {
    return run(['ip', 'netns', 'exec', this.namespace, ...toArgs(argv)], options);
  }

  /** `iptables ARGS` in this namespace, e.g. iptables('-A INPUT -p udp --dport 3001 -j DROP'). */
  iptables(args) {
    return this.exec(['iptables', '-w', ...toArgs(args)]);
  }

  /**
   * Packets matched so far by the iptables rules of `chain` (filter table)
   * that carry the comment `comment` (`-m comment --comment …`), summed.
   * Throws if there is no such rule.
   */
  async iptablesPackets(chain, comment) {
    const listing = await this.exec(['iptables', '-w', '-L', chain, '-v', '-n', '-x']);
    const lines = listing.split('\n').filter((line) => line.includes(`/* ${comment} */`));
    if (lines.length === 0) throw new Error(`no iptables rule "${comment}" in ${chain} of ${this.name}:\n${listing}`);
    return lines.reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[0]), 0);
  }

  /** `tc ARGS` in this namespace. */
  tc(args) {
    return this.exec(['tc', ...toArgs(args)]);
  }

  /**
   * Puts a netem qdisc on `dev` (replacing any): netem('delay 100ms loss 5%')
   * or netem(['delay', '100ms'], { dev: 'eth1' }). Some kernels are built
   * without netem (see netemAvailable() in preflight.mjs); then this throws.
   * For delay and loss on any kernel use host.impair() (lib/impairment.mjs).
   */
  async netem(spec, { dev = 'eth0' } = {}) {
    try {
      return await this.tc(['qdisc', 'replace', 'dev', dev, 'root', 'netem', ...toArgs(spec)]);
    } catch (error) {
      if (/qdisc kind is unknown/.test(error.message)) {
        error.message += '\n  this kernel has no netem (CONFIG_NET_SCH_NETEM): for delay and loss use ' +
          "host.impair({ delayMs, lossPercent }) (netem or its substitute), for rate limits tc 'tbf'";
      }
      throw error;
    }
  }

  /** Removes the root qdisc from `dev` (back to the default). */
  clearNetem({ dev = 'eth0' } = {}) {
    return this.tc(['qdisc', 'del', 'dev', dev, 'root']);
  }

  /** `ip -j addr` of the namespace, parsed. */
  async addresses() {
    return JSON.parse(await run(['ip', '-n', this.namespace, '-j', 'addr']));
  }
}
