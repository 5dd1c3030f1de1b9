// A minimal TURN client for the lab: one Allocate (RFC 8656) with long-term
// credentials (RFC 8489: MESSAGE-INTEGRITY = HMAC-SHA1 keyed with
// MD5(username:realm:password)), sent from a host's agent, so a test can tell
// an accepted credential from a refused one by its error code (401). Also the
// TURN REST API credentials coturn's use-auth-secret expects, derived here
// with node:crypto independently of the daemon.

import crypto from 'node:crypto';

const kMagicCookie = 0x2112a442;
const kHeaderBytes = 20;
export const TurnType = Object.freeze({
  bindingRequest: 0x0001, bindingSuccess: 0x0101, allocateRequest: 0x0003, allocateSuccess: 0x0103, allocateError: 0x0113,
});
const Attr = Object.freeze({
  xorMappedAddress: 0x0020, username: 0x0006, messageIntegrity: 0x0008, errorCode: 0x0009, realm: 0x0014, nonce: 0x0015,
  xorRelayedAddress: 0x0016, requestedTransport: 0x0019,
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

/** An Allocate request for a UDP relay; with `auth` ({ username, realm, nonce, key }) it carries MESSAGE-INTEGRITY. */
export function encodeAllocate(transactionId, auth) {
  const attributes = [attribute(Attr.requestedTransport, Buffer.from([17, 0, 0, 0]))];
  if (auth) {
    attributes.push(attribute(Attr.username, Buffer.from(auth.username)));
    attributes.push(attribute(Attr.realm, Buffer.from(auth.realm)));
    attributes.push(attribute(Attr.nonce, Buffer.from(auth.nonce)));
  }
  const body = Buffer.concat(attributes);
  const header = Buffer.alloc(kHeaderBytes);
  header.writeUInt16BE(TurnType.allocateRequest, 0);
  header.writeUInt16BE(body.length + (auth ? 24 : 0), 2); // the length covers MESSAGE-INTEGRITY itself
  header.writeUInt32BE(kMagicCookie, 4);
  transactionId.copy(header, 8);
  const message = Buffer.concat([header, body]);
  if (!auth) return message;
  const hmac = crypto.createHmac('sha1', auth.key).update(message).digest();
  return Buffer.concat([message, attribute(Attr.messageIntegrity, hmac)]);
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
 * Allocates a UDP relay on `server:port` from `host` with `username` and
 * `password`: { ok: true, relayed: 'ip:port' } or { ok: false, code, reason }
 * (code undefined when nothing answered within timeoutMs).
 */
export async function turnAllocate(host, { server, port = 3478, username, password, timeoutMs = 2000 }) {
  // Both requests from one local port: coturn ties the nonce to the 5-tuple.
  const bindPort = 20000 + crypto.randomInt(20000);
  const options = { server, port, bindPort, timeoutMs };
  const challenge = await exchange(host, encodeAllocate(crypto.randomBytes(12)), options);
  if (!challenge) return { ok: false, code: undefined, reason: 'no answer' };
  if (challenge.type !== TurnType.allocateError || errorOf(challenge).code !== 401) {
    return { ok: false, ...errorOf(challenge), reason: `unexpected answer 0x${challenge.type.toString(16)} to an unauthenticated Allocate` };
  }
  const realm = challenge.attributes.get(Attr.realm)?.toString('utf8') ?? '';
  const nonce = challenge.attributes.get(Attr.nonce)?.toString('utf8') ?? '';
  const key = crypto.createHash('md5').update(`${username}:${realm}:${password}`).digest();
  const answer = await exchange(host, encodeAllocate(crypto.randomBytes(12), { username, realm, nonce, key }), options);
  if (!answer) return { ok: false, code: undefined, reason: 'no answer' };
  if (answer.type === TurnType.allocateSuccess) {
    const relayed = answer.attributes.get(Attr.xorRelayedAddress);
    return { ok: true, relayed: relayed ? xorAddress(relayed) : undefined };
  }
  return { ok: false, ...errorOf(answer) };
}
