// IPv4 CIDR arithmetic for the lab's address plan, and the guard that keeps
// every lab address inside the two documentation ranges we may use.

export const kAllowedRanges = ['198.51.100.0/24', '203.0.113.0/24'];

export function ipToInt(ip) {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new Error(`not an IPv4 address: ${JSON.stringify(ip)}`);
  }
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function intToIp(n) {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

export class Cidr {
  constructor(text) {
    const match = /^([\d.]+)\/(\d{1,2})$/.exec(text);
    if (!match || Number(match[2]) > 30 || Number(match[2]) < 8) {
      throw new Error(`not an IPv4 CIDR with a prefix of 8..30: ${JSON.stringify(text)}`);
    }
    this.prefix = Number(match[2]);
    this.size = 2 ** (32 - this.prefix);
    this.network = ipToInt(match[1]) - (ipToInt(match[1]) % this.size);
    this.text = `${intToIp(this.network)}/${this.prefix}`;
  }

  get broadcast() { return intToIp(this.network + this.size - 1); }

  /** The n-th address of the subnet: host(1) is the router. */
  host(n) {
    if (n < 1 || n >= this.size - 1) throw new Error(`host ${n} is outside ${this.text}`);
    return intToIp(this.network + n);
  }

  contains(ip) {
    const n = ipToInt(ip);
    return n >= this.network && n < this.network + this.size;
  }

  /** Offset of ip inside the subnet (0 = network address). */
  offsetOf(ip) { return ipToInt(ip) - this.network; }
}

/** Throws unless the whole CIDR lies inside one of kAllowedRanges. */
export function assertAllowedCidr(cidr) {
  const inside = kAllowedRanges.map((r) => new Cidr(r)).some(
    (range) => cidr.prefix >= range.prefix && range.contains(intToIp(cidr.network)),
  );
  if (!inside) {
    throw new Error(`lab subnets must lie in ${kAllowedRanges.join(' or ')}; got ${cidr.text}`);
  }
}
