// Network faults between lab hosts, made with iptables and undone exactly:
// cut all traffic or only UDP between two hosts (in the hosts' namespaces,
// or in the router for hosts on different subnets), and the one-way network
// (A cannot open anything to B, B can to A, replies flow).
//
//   const cut = await cutBetween(a, b, { protocol: 'udp', exceptPorts: [3001] });
//   …                       // ICE between a and b fails, discovery still runs
//   await cut.restore();
//   await cut.dropped()     // packets the rules dropped so far
//
// Rules carry an iptables comment (`lab-cut-<n>`), are appended, and are
// deleted again by the same specification, so several cuts can overlap.

let cutSequence = 0;

class Rules {
  constructor(label) {
    this.label = label;
    this.comment = `lab-${label}-${++cutSequence}`;
    this.rules = []; // { node, chain, spec }
    this.active = false;
  }

  add(node, chain, spec) {
    this.rules.push({ node, chain, spec: [...spec, '-m', 'comment', '--comment', this.comment, '-j', 'DROP'] });
  }

  async apply() {
    if (this.active) return this;
    for (const { node, chain, spec } of this.rules) await node.iptables(['-A', chain, ...spec]);
    this.active = true;
    return this;
  }

  /** Deletes exactly the rules apply() added. */
  async restore() {
    if (!this.active) return this;
    for (const { node, chain, spec } of this.rules) await node.iptables(['-D', chain, ...spec]);
    this.active = false;
    return this;
  }

  /** Packets the rules have dropped (summed over every rule). */
  async dropped() {
    let total = 0;
    const seen = new Set();
    for (const { node, chain } of this.rules) {
      const key = `${node.namespace}/${chain}`;
      if (seen.has(key)) continue;
      seen.add(key);
      total += await node.iptablesPackets(chain, this.comment);
    }
    return total;
  }
}

function matchSpec({ protocol, exceptPorts }) {
  if (protocol === 'all') {
    if (exceptPorts.length > 0) throw new Error('exceptPorts needs protocol udp or tcp');
    return [];
  }
  if (protocol !== 'udp' && protocol !== 'tcp') throw new Error(`protocol must be all, udp or tcp, not ${protocol}`);
  const spec = ['-p', protocol];
  // multiport --ports matches a source or a destination port: the excepted
  // ports pass whichever side uses them.
  if (exceptPorts.length > 0) spec.push('-m', 'multiport', '!', '--ports', exceptPorts.join(','));
  return spec;
}

/**
 * Drops traffic between hosts x and y, both directions, until restore().
 * protocol: 'all' (default), 'udp' or 'tcp'; exceptPorts: ports that still
 * pass (udp/tcp only; e.g. [3001] keeps discovery and STUN while ICE between
 * the browsers fails); via: 'hosts' (rules in both hosts' namespaces, works
 * on one subnet) or 'router' (FORWARD in the router; hosts on different
 * subnets). Broadcasts from x and y are dropped at the other host too when
 * via 'hosts' (the rules match the source address).
 */
export async function cutBetween(x, y, { protocol = 'all', exceptPorts = [], via = 'hosts' } = {}) {
  const match = matchSpec({ protocol, exceptPorts });
  const rules = new Rules('cut');
  if (via === 'hosts') {
    for (const [self, other] of [[x, y], [y, x]]) {
      rules.add(self, 'OUTPUT', ['-d', other.ip, ...match]);
      rules.add(self, 'INPUT', ['-s', other.ip, ...match]);
    }
  } else if (via === 'router') {
    if (x.interfaces[0].subnet === y.interfaces[0].subnet) {
      throw new Error(`${x.name} and ${y.name} share a subnet: their traffic does not pass the router (use via: 'hosts')`);
    }
    const router = x.lab.router;
    rules.add(router, 'FORWARD', ['-s', x.ip, '-d', y.ip, ...match]);
    rules.add(router, 'FORWARD', ['-s', y.ip, '-d', x.ip, ...match]);
  } else {
    throw new Error(`via must be hosts or router, not ${via}`);
  }
  return rules.apply();
}

/**
 * A one-way network: `from` cannot open anything to `to` (every packet from
 * `from` to `to` that would start a new conntrack entry, TCP SYN or a new UDP
 * flow, is dropped in `from`'s OUTPUT), while `to` can reach `from` and the
 * replies flow. The same rule as in scenarios/signaling.test.mjs.
 */
export async function blockNewConnections(from, to) {
  const rules = new Rules('one-way');
  rules.add(from, 'OUTPUT', ['-d', to.ip, '-m', 'conntrack', '--ctstate', 'NEW']);
  return rules.apply();
}
