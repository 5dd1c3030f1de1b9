// The lab: a switch namespace with one bridge per subnet, a router namespace
// with a leg at .1 on each subnet, and hosts in namespaces of their own.
// Nothing is connected to the root namespace, so no lab packet can leave the
// machine. See lab/README.md for the drawing.

import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Cidr, assertAllowedCidr } from './cidr.mjs';
import { run } from './exec.mjs';
import { Host } from './host.mjs';
import { cleanupStaleNamespaces, createNamespace, deleteNamespace, newPrefix, sysctl } from './netns.mjs';
import { NetNode } from './node.mjs';
import { kRunsDir } from './paths.mjs';

const kFirstHostNumber = 10;
const kHostName = /^[a-z][a-z0-9-]{0,19}$/;

export class Lab {
  /**
   * Builds the switch, the router and one bridge per subnet:
   * Lab.create({ subnets: [{ name: 'a', cidr: '198.51.100.0/24' }] }).
   * Stale namespaces of dead runs are removed first.
   */
  static async create({ subnets }) {
    await Lab.cleanupStale();
    const lab = new Lab(subnets);
    try {
      await lab.build();
    } catch (error) {
      await lab.destroy().catch(() => {});
      throw error;
    }
    return lab;
  }

  /** Deletes lab namespaces whose owning process is dead; returns their names. */
  static cleanupStale() {
    return cleanupStaleNamespaces();
  }

  constructor(subnets) {
    if (!Array.isArray(subnets) || subnets.length === 0) throw new Error('Lab.create needs at least one subnet');
    this.prefix = newPrefix();
    this.runDir = path.join(kRunsDir, this.prefix);
    this.subnets = new Map(subnets.map(({ name, cidr }, index) => {
      const parsed = new Cidr(cidr);
      assertAllowedCidr(parsed);
      return [name, { name, cidr: parsed, index, bridge: `br${index}`, routerIp: parsed.host(1), used: new Set() }];
    }));
    const cidrs = new Set([...this.subnets.values()].map((s) => s.cidr.text));
    if (this.subnets.size !== subnets.length || cidrs.size !== subnets.length) {
      throw new Error(`subnet names and CIDRs must be unique: ${JSON.stringify(subnets)}`);
    }
    this.switchNamespace = `${this.prefix}-sw`;
    this.router = new NetNode(this, 'router', `${this.prefix}-rt`);
    this.hosts = new Map();
    this.namespaces = []; // created, in order
    this.processes = new Set(); // daemons, agents, spawned commands: each has pid and teardown()
    this.succeeded = false;
    this.destroyed = false;
    mkdirSync(this.runDir, { recursive: true });
  }

  async build() {
    const sw = this.switchNamespace;
    const rt = this.router.namespace;
    await this.addNamespace(sw);
    await run(['ip', '-n', sw, 'route', 'add', 'blackhole', 'default']);
    await this.addNamespace(rt);
    await sysctl(rt, 'net.ipv4.ip_forward', 1);
    // The router has no way out: anything not for a lab subnet is refused.
    await run(['ip', '-n', rt, 'route', 'add', 'unreachable', 'default']);
    for (const subnet of this.subnets.values()) {
      const { bridge, index, cidr, routerIp } = subnet;
      await run(['ip', '-n', sw, 'link', 'add', bridge, 'type', 'bridge', 'stp_state', '0', 'mcast_snooping', '0']);
      await run(['ip', '-n', sw, 'link', 'set', bridge, 'up']);
      await run(['ip', '-n', sw, 'link', 'add', `rt${index}`, 'type', 'veth', 'peer', 'name', `eth${index}`, 'netns', rt]);
      await run(['ip', '-n', sw, 'link', 'set', `rt${index}`, 'master', bridge, 'up']);
      await run(['ip', '-n', rt, 'addr', 'add', `${routerIp}/${cidr.prefix}`, 'brd', '+', 'dev', `eth${index}`]);
      await run(['ip', '-n', rt, 'link', 'set', `eth${index}`, 'up']);
      subnet.used.add(routerIp);
    }
  }

  async addNamespace(name) {
    this.namespaces.push(name); // first, so a signal during creation still cleans it up
    await createNamespace(name);
  }

  subnet(name) {
    const subnet = this.subnets.get(name);
    if (!subnet) {
      throw new Error(`no subnet ${JSON.stringify(name)} in this lab (have: ${[...this.subnets.keys()].join(', ')})`);
    }
    return subnet;
  }

  /**
   * Adds a host: addHost('a', { subnet: 'a', ip: '198.51.100.10' }), or on
   * several subnets: addHost('t', { subnets: [{ subnet: 'a' }, { subnet: 'b', ip }] }).
   * The first subnet carries the default route (via its router address).
   */
  async addHost(name, { subnet, ip, subnets = [{ subnet, ip }] } = {}) {
    if (!kHostName.test(name)) throw new Error(`host name must match ${kHostName}: ${JSON.stringify(name)}`);
    if (this.hosts.has(name)) throw new Error(`host ${name} already exists`);
    const host = new Host(this, name, `${this.prefix}-h-${name}`, this.hosts.size);
    this.hosts.set(name, host);
    await this.addNamespace(host.namespace);
    for (const attachment of subnets) await this.attach(host, attachment.subnet, { ip: attachment.ip });
    await host.startAgent();
    return host;
  }

  /** Connects `host` to one more subnet as eth<k>; the first attachment gets the default route. */
  async attach(host, subnetName, { ip } = {}) {
    const subnet = this.subnet(subnetName);
    const address = this.allocate(subnet, ip);
    const dev = `eth${host.interfaces.length}`;
    const port = `h${host.index}e${host.interfaces.length}`;
    const sw = this.switchNamespace;
    await run(['ip', '-n', sw, 'link', 'add', port, 'type', 'veth', 'peer', 'name', dev, 'netns', host.namespace]);
    await run(['ip', '-n', sw, 'link', 'set', port, 'master', subnet.bridge, 'up']);
    await run(['ip', '-n', host.namespace, 'addr', 'add', `${address}/${subnet.cidr.prefix}`, 'brd', '+', 'dev', dev]);
    await run(['ip', '-n', host.namespace, 'link', 'set', dev, 'up']);
    if (host.interfaces.length === 0) {
      await run(['ip', '-n', host.namespace, 'route', 'add', 'default', 'via', subnet.routerIp, 'dev', dev]);
    }
    host.interfaces.push({ dev, subnet, ip: address });
    return address;
  }

  allocate(subnet, ip) {
    if (ip === undefined) {
      for (let n = kFirstHostNumber; n < subnet.cidr.size - 1; n++) {
        const candidate = subnet.cidr.host(n);
        if (!subnet.used.has(candidate)) return this.reserve(subnet, candidate);
      }
      throw new Error(`subnet ${subnet.name} is full`);
    }
    const offset = subnet.cidr.contains(ip) ? subnet.cidr.offsetOf(ip) : -1;
    if (offset < 2 || offset >= subnet.cidr.size - 1) {
      throw new Error(`${ip} is not a usable host address in ${subnet.cidr.text} (.1 is the router)`);
    }
    if (subnet.used.has(ip)) throw new Error(`${ip} is already used in subnet ${subnet.name}`);
    return this.reserve(subnet, ip);
  }

  reserve(subnet, ip) {
    subnet.used.add(ip);
    return ip;
  }

  host(name) {
    const host = this.hosts.get(name);
    if (!host) throw new Error(`no host ${name} in this lab`);
    return host;
  }

  /** Registers a process for teardown: anything with `pid` and `teardown()`. */
  track(proc) {
    this.processes.add(proc);
  }

  /**
   * Tears everything down: daemons get SIGTERM (then SIGKILL), agents and
   * other processes are ended, namespaces deleted (which removes every veth
   * and bridge). The run dir (logs, data dirs) is removed only if the test
   * marked the lab as succeeded and LAB_KEEP_RUNS is not set. Safe to call twice.
   */
  async destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    const errors = [];
    await Promise.all([...this.processes].map((proc) => proc.teardown().catch((error) => errors.push(error))));
    for (const name of [...this.namespaces].reverse()) {
      await deleteNamespace(name).catch((error) => errors.push(error));
    }
    if (this.succeeded && !process.env.LAB_KEEP_RUNS) rmSync(this.runDir, { recursive: true, force: true });
    if (errors.length > 0) {
      throw new AggregateError(errors, `lab teardown of ${this.prefix}: ${errors.map((e) => e.message).join('; ')}`);
    }
  }
}
