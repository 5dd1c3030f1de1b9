// Permanent ARP entries between lab hosts on one subnet.
//
// The kernel keeps one ARP table for all network namespaces, and refuses new
// entries once all of them together hold net.ipv4.neigh.default.gc_thresh3
// (1,024 by default; dmesg says "neighbour: arp_cache: neighbor table
// overflow!"). N lab hosts that all talk to each other need N × (N − 1)
// entries, 2,450 for 50, so the last hosts to start could not resolve anyone
// and their connections timed out: a limit of the lab, where a LAN of N
// machines has N tables. Permanent entries do not count against it (the
// kernel's neighbour garbage collector only counts the entries it may
// remove), so every host gets one for each other host, and ARP is never
// asked. ARP is not IPv4 and not part of the packet counts (lib/traffic.mjs).

import { run } from '../../lab/lib/exec.mjs';

/** Gives each of `hosts` (all on one subnet, each on it as its first interface) a permanent entry for every other. */
export async function addStaticNeighbours(hosts) {
  const links = await Promise.all(hosts.map(async (host) => {
    const { dev, ip } = host.interfaces[0];
    const [link] = JSON.parse(await run(['ip', '-n', host.namespace, '-j', 'link', 'show', 'dev', dev]));
    return { host, dev, ip, mac: link.address };
  }));
  for (const self of links) {
    const lines = links.filter((other) => other !== self)
      .map((other) => `neigh replace ${other.ip} lladdr ${other.mac} dev ${self.dev} nud permanent`);
    await run(['ip', '-n', self.host.namespace, '-batch', '-'], { input: `${lines.join('\n')}\n` });
  }
}
