// Packets a lab host sends and receives on its lab interface, counted by
// iptables rules without a target (they only count; nothing is dropped or
// changed): everything IPv4 in and out of `dev`, and its UDP and TCP parts.
// ARP is not IPv4 and is not counted.
//
//   await addPacketCounters(host);
//   const before = await readPacketCounters(host);
//   …
//   const used = packetsBetween(before, await readPacketCounters(host));  // { in, out, inUdp, outUdp, inTcp, outTcp, … }

const kComment = 'bench-packets';

/** Appends the counting rules to INPUT and OUTPUT of `host`'s namespace. */
export async function addPacketCounters(host, { dev = 'eth0' } = {}) {
  for (const [chain, flag] of [['INPUT', '-i'], ['OUTPUT', '-o']]) {
    await host.iptables(['-A', chain, flag, dev, '-m', 'comment', '--comment', `${kComment}-${chain}-all`]);
    for (const protocol of ['udp', 'tcp']) {
      await host.iptables(['-A', chain, flag, dev, '-p', protocol, '-m', 'comment', '--comment', `${kComment}-${chain}-${protocol}`]);
    }
  }
}

/** The counters so far: packets { in, out, inUdp, outUdp, inTcp, outTcp } and bytes { inBytes, outBytes }. */
export async function readPacketCounters(host) {
  const listing = await host.exec(['iptables', '-w', '-L', '-v', '-n', '-x']);
  const counter = (name) => {
    const line = listing.split('\n').find((l) => l.includes(`/* ${kComment}-${name} */`));
    if (!line) throw new Error(`no counting rule ${kComment}-${name} in ${host.name}:\n${listing}`);
    const [packets, bytes] = line.trim().split(/\s+/).map(Number);
    return { packets, bytes };
  };
  const inAll = counter('INPUT-all');
  const outAll = counter('OUTPUT-all');
  return {
    in: inAll.packets, out: outAll.packets, inBytes: inAll.bytes, outBytes: outAll.bytes,
    inUdp: counter('INPUT-udp').packets, outUdp: counter('OUTPUT-udp').packets,
    inTcp: counter('INPUT-tcp').packets, outTcp: counter('OUTPUT-tcp').packets,
  };
}

/** What was counted between two readings (the same fields). */
export function packetsBetween(before, after) {
  return Object.fromEntries(Object.keys(after).map((key) => [key, after[key] - before[key]]));
}
