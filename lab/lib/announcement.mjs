// The UDP discovery announcement, exactly as docs/protocol.md describes it,
// plus the peer-id derivation. Tests use it to forge valid and deliberately
// broken packets, and to check what a daemon sends. Packets are version 2 (a
// daemon that speaks the TLS daemon channel) unless a test says otherwise; a
// daemon still reads version 1 (listed as outdated) and drops any other.

import crypto from 'node:crypto';

export const Kind = Object.freeze({ announce: 1, reply: 2, goodbye: 3, probe: 4, nudge: 5 });

/** Byte offsets of the fixed fields; the name starts at `name`. */
export const Offset = Object.freeze({
  magic: 0, version: 4, kind: 5, flags: 6, instance: 8, timestamp: 16, counter: 24,
  httpPort: 28, discoveryPort: 30, publicKey: 32, nameLength: 64, name: 65,
});

/** The version a daemon sends (2) and the oldest one it still reads (1: listed as outdated). */
export const kAnnouncementVersion = 2;
export const kOldestAnnouncementVersion = 1;
export const kSignatureBytes = 64;
export const kMaxDatagramBytes = 512;
const kSpkiEd25519Prefix = Buffer.from('302a300506032b6570032100', 'hex');
const kBase32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32, upper case, without padding. */
export function base32(bytes) {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += kBase32Alphabet[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += kBase32Alphabet[(buffer << (5 - bits)) & 31];
  return out;
}

/** id = base32(SHA-256(raw 32-byte Ed25519 public key)): 52 characters. */
export function peerId(rawPublicKey) {
  return base32(crypto.createHash('sha256').update(rawPublicKey).digest());
}

/** A fresh Ed25519 identity: { privateKey (KeyObject), publicKey (32 raw bytes), id }. */
export function generateIdentity() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return { privateKey, publicKey: Buffer.from(raw), id: peerId(raw) };
}

export function publicKeyObject(rawPublicKey) {
  return crypto.createPublicKey({ key: Buffer.concat([kSpkiEd25519Prefix, rawPublicKey]), format: 'der', type: 'spki' });
}

/**
 * The signed part, bytes [0, 65+N). Every field can be overridden (magic,
 * version, flags…) so tests can build packets that are well signed but wrong.
 */
export function encodeBody({
  magic = 'PDRP', version = kAnnouncementVersion, kind = Kind.announce, flags = 0, instance, timestamp = Date.now(),
  counter, httpPort = 3001, discoveryPort = 3001, publicKey, name,
}) {
  const nameBytes = Buffer.from(name, 'utf8');
  const body = Buffer.alloc(Offset.name + nameBytes.length);
  Buffer.from(magic, 'latin1').copy(body, Offset.magic, 0, 4);
  body.writeUInt8(version, Offset.version);
  body.writeUInt8(kind, Offset.kind);
  body.writeUInt16BE(flags, Offset.flags);
  Buffer.from(instance).copy(body, Offset.instance, 0, 8);
  body.writeBigUInt64BE(BigInt(timestamp), Offset.timestamp);
  body.writeUInt32BE(counter, Offset.counter);
  body.writeUInt16BE(httpPort, Offset.httpPort);
  body.writeUInt16BE(discoveryPort, Offset.discoveryPort);
  Buffer.from(publicKey).copy(body, Offset.publicKey, 0, 32);
  body.writeUInt8(nameBytes.length & 0xff, Offset.nameLength);
  nameBytes.copy(body, Offset.name);
  return body;
}

/** body ‖ Ed25519(body). */
export function sign(body, privateKey) {
  return Buffer.concat([body, crypto.sign(null, body, privateKey)]);
}

export function encodeAnnouncement(fields, privateKey) {
  return sign(encodeBody(fields), privateKey);
}

/**
 * Parses a packet (version 1 or 2). Returns the fields plus `id` and `signatureValid`; throws
 * on a structural error (wrong magic, version, length…).
 */
export function decodeAnnouncement(packet) {
  const buf = Buffer.from(packet);
  const fail = (why) => { throw new Error(`malformed announcement (${buf.length} bytes): ${why}`); };
  if (buf.length > kMaxDatagramBytes) fail('over 512 bytes');
  if (buf.length < Offset.name + 1 + kSignatureBytes) fail('too short');
  if (buf.toString('latin1', 0, 4) !== 'PDRP') fail('wrong magic');
  const version = buf[Offset.version];
  if (version < kOldestAnnouncementVersion || version > kAnnouncementVersion) fail(`unknown version ${version}`);
  const nameLength = buf[Offset.nameLength];
  if (buf.length !== Offset.name + nameLength + kSignatureBytes) fail(`length does not match name length ${nameLength}`);
  const signed = buf.subarray(0, Offset.name + nameLength);
  const publicKey = buf.subarray(Offset.publicKey, Offset.publicKey + 32);
  const signature = buf.subarray(Offset.name + nameLength);
  return {
    version,
    kind: buf[Offset.kind],
    flags: buf.readUInt16BE(Offset.flags),
    instance: buf.subarray(Offset.instance, Offset.instance + 8),
    timestamp: Number(buf.readBigUInt64BE(Offset.timestamp)),
    counter: buf.readUInt32BE(Offset.counter),
    httpPort: buf.readUInt16BE(Offset.httpPort),
    discoveryPort: buf.readUInt16BE(Offset.discoveryPort),
    publicKey,
    name: buf.toString('utf8', Offset.name, Offset.name + nameLength),
    id: peerId(publicKey),
    signatureValid: crypto.verify(null, signed, publicKeyObject(publicKey), signature),
  };
}

/**
 * A made-up peer with its own key, instance and counter, as a real daemon
 * would have: each packet() gets the next counter and the current time.
 */
export class ForgedPeer {
  constructor({ name = 'forged', httpPort = 3001, discoveryPort = 3001, identity = generateIdentity() } = {}) {
    Object.assign(this, { name, httpPort, discoveryPort, identity });
    this.instance = crypto.randomBytes(8);
    this.counter = 0;
  }

  get id() { return this.identity.id; }

  /** The fields of the next packet, for tests that break them before signing. */
  nextFields(kind = Kind.announce, overrides = {}) {
    this.counter += 1;
    return {
      kind, instance: this.instance, timestamp: Date.now(), counter: this.counter,
      httpPort: this.httpPort, discoveryPort: this.discoveryPort,
      publicKey: this.identity.publicKey, name: this.name, ...overrides,
    };
  }

  /** The next correctly signed packet of `kind`. */
  packet(kind = Kind.announce, overrides = {}) {
    return encodeAnnouncement(this.nextFields(kind, overrides), this.identity.privateKey);
  }
}
