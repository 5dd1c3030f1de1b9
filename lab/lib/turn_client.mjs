// A minimal TURN client for the lab: an Allocate (RFC 8656) with long-term
// credentials (RFC 8489: MESSAGE-INTEGRITY = HMAC-SHA1 keyed with
// MD5(username:realm:password)), then CreatePermission and Send indications
// on that allocation, all sent from a host's agent, so a test can tell an
// accepted credential from a refused one (401) and a peer the relay may
// reach from one it may not (403). Also the TURN REST API credentials
// coturn's use-auth-secret expects, derived here with node:crypto
// independently of the daemon.

import crypto from 'node:crypto';

const kMagicCookie = 0x2112a442;
const kHeaderBytes = 20;
export const TurnType = Object.freeze({
  bindingRequest: 0x0001, bindingSuccess: 0x0101, allocateRequest: 0x0003, allocateSuccess: 0x0103, allocateError: 0x0113,
  createPermissionRequest: 0x0008, createPermissionSuccess: 0x0108, createPermissionError: 0x0118, sendIndication: 0x0016,
});
const Attr = Object.freeze({
  xorMappedAddress: 0x0020, username: 0x0006, messageIntegrity: 0x0008, errorCode: 0x0009, xorPeerAddress: 0x0012,
  data: 0x0013, realm: 0x0014, nonce: 0x0015, xorRelayedAddress: 0x0016, requestedTransport: 0x0019,
});

/** { username: '<expiry>:<user>', password: base64(HMAC-SHA1(secret, username)) } */
export function turnRestCredential(secret, expiresUnixS, user) {
  const username = user ? `${expiresUnixS}:${user}` : String(expiresUnixS);
  return { username, password: crypto.createHmac('sha1', secret).update(username).digest('base64') };
}

function attribute(type, value) {
  const padded = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  padded.writeUInt16BE(type, 0);
  padded.writeUInt16BE(value.length, 2);
  value.copy(padded, 4);
  return padded;
}

/** A STUN message of `type` with `attributes`; with `auth` ({ username, realm, nonce, key }) it carries MESSAGE-INTEGRITY. */
function encodeMessage(type, transactionId, attributes, auth) {
  const all = [...attributes];
  if (auth) {
    all.push(attribute(Attr.username, Buffer.from(auth.username)));
    all.push(attribute(Attr.realm, Buffer.from(auth.realm)));
    all.push(attribute(Attr.nonce, Buffer.from(auth.nonce)));
  }
  const body = Buffer.concat(all);
  const header = Buffer.alloc(kHeaderBytes);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(body.length + (auth ? 24 : 0), 2); // the length covers MESSAGE-INTEGRITY itself
  header.writeUInt32BE(kMagicCookie, 4);
  transactionId.copy(header, 8);
  const message = Buffer.concat([header, body]);
  if (!auth) return message;
  const hmac = crypto.createHmac('sha1', auth.key).update(message).digest();
  return Buffer.concat([message, attribute(Attr.messageIntegrity, hmac)]);
}

/** An Allocate request for a UDP relay; with `auth` ({ username, realm, nonce, key }) it carries MESSAGE-INTEGRITY. */
export function encodeAllocate(transactionId, auth) {
  return encodeMessage(TurnType.allocateRequest, transactionId, [attribute(Attr.requestedTransport, Buffer.from([17, 0, 0, 0]))], auth);
}

/** XOR-PEER-ADDRESS of an IPv4 'a.b.c.d' and port. */
function xorPeerAddress(ip, port) {
  const value = Buffer.alloc(8);
  value[1] = 0x01; // IPv4
  value.writeUInt16BE(port ^ (kMagicCookie >>> 16), 2);
  ip.split('.').forEach((octet, i) => { value[4 + i] = Number(octet) ^ ((kMagicCookie >>> (24 - 8 * i)) & 0xff); });
  return attribute(Attr.xorPeerAddress, value);
}

/** { type, transactionId, attributes: Map(type -> Buffer) }, or undefined for anything that is not STUN. */
export function decodeMessage(buf) {
  if (buf.length < kHeaderBytes || buf.readUInt32BE(4) !== kMagicCookie) return undefined;
  const length = buf.readUInt16BE(2);
  if (kHeaderBytes + length > buf.length) return undefined;
  const attributes = new Map();
  for (let at = kHeaderBytes; at + 4 <= kHeaderBytes + length;) {
    const type = buf.readUInt16BE(at);
    const size = buf.readUInt16BE(at + 2);
    if (!attributes.has(type)) attributes.set(type, buf.subarray(at + 4, at + 4 + size));
    at += 4 + Math.ceil(size / 4) * 4;
  }
  return { type: buf.readUInt16BE(0), transactionId: buf.subarray(8, 20), attributes };
}

function errorOf(message) {
  const value = message.attributes.get(Attr.errorCode);
  if (!value || value.length < 4) return { code: undefined, reason: '' };
  return { code: (value[2] & 0x7) * 100 + value[3], reason: value.subarray(4).toString('utf8') };
}

function xorAddress(value) {
  const port = value.readUInt16BE(2) ^ (kMagicCookie >>> 16);
  const ip = [0, 1, 2, 3].map((i) => value[4 + i] ^ ((kMagicCookie >>> (24 - 8 * i)) & 0xff)).join('.');
  return `${ip}:${port}`;
}

async function exchange(host, request, { server, port, bindPort, timeoutMs }) {
  const { replies } = await host.sendUdp(request, server, port, { bindPort, replyTimeoutMs: timeoutMs, maxReplies: 1 });
  if (replies.length === 0) return undefined;
  return decodeMessage(replies[0].data);
}

/**
 * A STUN Binding request to `server:port` from `host` (browsers send one to
 * every TURN server they are given): the XOR-MAPPED-ADDRESS 'ip:port' of the
 * answer, or undefined when nothing answered within timeoutMs.
 */
export async function stunBinding(host, { server, port = 3478, timeoutMs = 2000 }) {
  const header = Buffer.alloc(kHeaderBytes);
  header.writeUInt16BE(TurnType.bindingRequest, 0);
  header.writeUInt32BE(kMagicCookie, 4);
  crypto.randomBytes(12).copy(header, 8);
  const answer = await exchange(host, header, { server, port, bindPort: 20000 + crypto.randomInt(20000), timeoutMs });
  const mapped = answer?.type === TurnType.bindingSuccess ? answer.attributes.get(Attr.xorMappedAddress) : undefined;
  return mapped ? xorAddress(mapped) : undefined;
}

/**
 * One TURN allocation on `server:port` from one local port of `host` (coturn
 * ties an allocation to the 5-tuple, so every request of the session comes
 * from that port):
 *   allocate()            { ok: true, relayed: 'ip:port' } or { ok: false, code, reason }
 *   createPermission(ip)  { ok: true } or { ok: false, code, reason }: 403 for a
 *                         peer the relay may not reach (coturn's "Forbidden IP")
 *   send(ip, port, data)  a Send indication: the relay forwards `data` from its
 *                         relayed address to ip:port only with a permission for ip
 * `code` is undefined when nothing answered within timeoutMs.
 */
export class TurnSession {
  constructor(host, { server, port = 3478, username, password, timeoutMs = 2000 }) {
    this.host = host;
    this.username = username;
    this.password = password;
    this.options = { server, port, bindPort: 20000 + crypto.randomInt(20000), timeoutMs };
    this.auth = undefined;
  }

  async allocate() {
    const challenge = await exchange(this.host, encodeAllocate(crypto.randomBytes(12)), this.options);
    if (!challenge) return { ok: false, code: undefined, reason: 'no answer' };
    if (challenge.type !== TurnType.allocateError || errorOf(challenge).code !== 401) {
      return { ok: false, ...errorOf(challenge), reason: `unexpected answer 0x${challenge.type.toString(16)} to an unauthenticated Allocate` };
    }
    const realm = challenge.attributes.get(Attr.realm)?.toString('utf8') ?? '';
    const nonce = challenge.attributes.get(Attr.nonce)?.toString('utf8') ?? '';
    const key = crypto.createHash('md5').update(`${this.username}:${realm}:${this.password}`).digest();
    const auth = { username: this.username, realm, nonce, key };
    const answer = await exchange(this.host, encodeAllocate(crypto.randomBytes(12), auth), this.options);
    if (!answer) return { ok: false, code: undefined, reason: 'no answer' };
    if (answer.type === TurnType.allocateSuccess) {
      this.auth = auth;
      const relayed = answer.attributes.get(Attr.xorRelayedAddress);
      return { ok: true, relayed: relayed ? xorAddress(relayed) : undefined };
    }
    return { ok: false, ...errorOf(answer) };
  }

  async createPermission(ip) {
    if (!this.auth) throw new Error('createPermission before a successful allocate()');
    const request = encodeMessage(TurnType.createPermissionRequest, crypto.randomBytes(12), [xorPeerAddress(ip, 0)], this.auth);
    const answer = await exchange(this.host, request, this.options);
    if (!answer) return { ok: false, code: undefined, reason: 'no answer' };
    if (answer.type === TurnType.createPermissionSuccess) return { ok: true };
    return { ok: false, ...errorOf(answer) };
  }

  async send(ip, port, data) {
    const indication = encodeMessage(TurnType.sendIndication, crypto.randomBytes(12),
      [xorPeerAddress(ip, port), attribute(Attr.data, Buffer.from(data))]);
    await this.host.sendUdp(indication, this.options.server, this.options.port, { bindPort: this.options.bindPort });
  }
}

/**
 * Allocates a UDP relay on `server:port` from `host` with `username` and
 * `password`: { ok: true, relayed: 'ip:port' } or { ok: false, code, reason }
 * (code undefined when nothing answered within timeoutMs).
 */
export async function turnAllocate(host, { server, port = 3478, username, password, timeoutMs = 2000 }) {
  return new TurnSession(host, { server, port, username, password, timeoutMs }).allocate();
}
