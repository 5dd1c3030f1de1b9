// The signaling envelope, version 1, and how envelopes are framed inside a
// daemon channel's envelopes frame, exactly as docs/protocol.md describes
// them ("Signaling envelope", "Daemon channel"). Tests use it to forge
// envelopes, valid or broken in one chosen way, and to read what a daemon sends.

import crypto from 'node:crypto';
import { ForgedPeer, Kind, peerId, publicKeyObject, sign } from './announcement.mjs';
import { FrameType } from './daemon_channel.mjs';

/** Byte offsets of the fixed fields; the type starts at `type`. */
export const EnvelopeOffset = Object.freeze({
  magic: 0, version: 4, flags: 5, reserved: 6, senderKey: 8, senderId: 40, recipientKey: 92,
  sequence: 124, floor: 132, created: 140, ttl: 148, typeLength: 152, type: 153,
});

export const kEnvelopeFlagCannotReachYou = 0x01;
export const kMaxEnvelopeBytes = 70_000;
const kSenderIdBytes = 52;
const kSignatureBytes = 64;

/**
 * The signed part of an envelope, bytes [0, 157+T+P). Every field can be
 * overridden, so tests can build envelopes that are well signed but wrong.
 * `payload` is an object (JSON-encoded) or a string/Buffer taken as it is.
 */
export function encodeEnvelopeBody({
  magic = 'PDSG', version = 1, flags = 0, reserved = 0, senderKey, senderId = peerId(senderKey), recipientKey,
  sequence, floor = sequence, created = Date.now(), ttl = 120_000, type = 'ice_candidate', payload = {},
}) {
  const typeBytes = Buffer.from(type, 'latin1');
  const payloadBytes = Buffer.isBuffer(payload) || typeof payload === 'string'
    ? Buffer.from(payload) : Buffer.from(JSON.stringify(payload));
  const payloadLengthAt = EnvelopeOffset.type + typeBytes.length;
  const body = Buffer.alloc(payloadLengthAt + 4 + payloadBytes.length);
  Buffer.from(magic, 'latin1').copy(body, EnvelopeOffset.magic, 0, 4);
  body.writeUInt8(version, EnvelopeOffset.version);
  body.writeUInt8(flags, EnvelopeOffset.flags);
  body.writeUInt16BE(reserved, EnvelopeOffset.reserved);
  Buffer.from(senderKey).copy(body, EnvelopeOffset.senderKey, 0, 32);
  Buffer.from(senderId, 'latin1').copy(body, EnvelopeOffset.senderId, 0, kSenderIdBytes);
  Buffer.from(recipientKey).copy(body, EnvelopeOffset.recipientKey, 0, 32);
  body.writeBigUInt64BE(BigInt(sequence), EnvelopeOffset.sequence);
  body.writeBigUInt64BE(BigInt(floor), EnvelopeOffset.floor);
  body.writeBigUInt64BE(BigInt(created), EnvelopeOffset.created);
  body.writeUInt32BE(ttl, EnvelopeOffset.ttl);
  body.writeUInt8(typeBytes.length & 0xff, EnvelopeOffset.typeLength);
  typeBytes.copy(body, EnvelopeOffset.type);
  body.writeUInt32BE(payloadBytes.length, payloadLengthAt);
  payloadBytes.copy(body, payloadLengthAt + 4);
  return body;
}

/** body ‖ Ed25519(body) with `privateKey` (a KeyObject). */
export function encodeEnvelope(fields, privateKey) {
  return sign(encodeEnvelopeBody(fields), privateKey);
}

/**
 * Parses an envelope. Returns its fields plus `signatureValid` and
 * `senderIdMatchesKey`; throws on a structural error (magic, version, lengths).
 */
export function decodeEnvelope(bytes) {
  const buf = Buffer.from(bytes);
  const fail = (why) => { throw new Error(`malformed envelope (${buf.length} bytes): ${why}`); };
  if (buf.length > kMaxEnvelopeBytes) fail(`over ${kMaxEnvelopeBytes} bytes`);
  if (buf.length < EnvelopeOffset.type + 4 + kSignatureBytes) fail('too short');
  if (buf.toString('latin1', 0, 4) !== 'PDSG') fail('wrong magic');
  if (buf[EnvelopeOffset.version] !== 1) fail(`unknown version ${buf[EnvelopeOffset.version]}`);
  const typeLength = buf[EnvelopeOffset.typeLength];
  const payloadLengthAt = EnvelopeOffset.type + typeLength;
  if (buf.length < payloadLengthAt + 4 + kSignatureBytes) fail('too short for its type');
  const payloadLength = buf.readUInt32BE(payloadLengthAt);
  const signedLength = payloadLengthAt + 4 + payloadLength;
  if (buf.length !== signedLength + kSignatureBytes) fail(`length does not match type ${typeLength} + payload ${payloadLength}`);
  const senderKey = buf.subarray(EnvelopeOffset.senderKey, EnvelopeOffset.senderKey + 32);
  const senderId = buf.toString('latin1', EnvelopeOffset.senderId, EnvelopeOffset.senderId + kSenderIdBytes);
  const payloadText = buf.toString('utf8', payloadLengthAt + 4, signedLength);
  let payload;
  try {
    payload = JSON.parse(payloadText);
  } catch {
    payload = undefined;
  }
  return {
    flags: buf[EnvelopeOffset.flags],
    senderKey,
    senderId,
    recipientKey: buf.subarray(EnvelopeOffset.recipientKey, EnvelopeOffset.recipientKey + 32),
    sequence: Number(buf.readBigUInt64BE(EnvelopeOffset.sequence)),
    floor: Number(buf.readBigUInt64BE(EnvelopeOffset.floor)),
    created: Number(buf.readBigUInt64BE(EnvelopeOffset.created)),
    ttl: buf.readUInt32BE(EnvelopeOffset.ttl),
    type: buf.toString('latin1', EnvelopeOffset.type, payloadLengthAt),
    payloadText,
    payload,
    senderIdMatchesKey: peerId(senderKey) === senderId,
    signatureValid: crypto.verify(null, buf.subarray(0, signedLength), publicKeyObject(senderKey), buf.subarray(signedLength)),
  };
}

/** An envelopes frame's payload: each envelope as a 4-byte big-endian length and its bytes. */
export function frameEnvelopes(envelopes) {
  return Buffer.concat(envelopes.flatMap((envelope) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(envelope.length);
    return [length, Buffer.from(envelope)];
  }));
}

/** The envelopes of a framed body (throws if the framing is broken). */
export function splitFrames(body) {
  const buf = Buffer.from(body);
  const frames = [];
  for (let at = 0; at < buf.length;) {
    if (buf.length - at < 4) throw new Error(`frame header cut short at byte ${at}`);
    const length = buf.readUInt32BE(at);
    at += 4;
    if (length === 0 || buf.length - at < length) throw new Error(`bad frame length ${length} at byte ${at - 4}`);
    frames.push(buf.subarray(at, at + length));
    at += length;
  }
  return frames;
}

/**
 * A made-up daemon that signals: its own key (a ForgedPeer, whose kind-4
 * probe packets are its hellos, counter rising) for its channel's client
 * certificate and its envelopes.
 *
 *   const ch = await forger.openChannel(x, b);
 *   await ch.roundTrip([forger.helloFrame(), forger.envelopesFrame([forger.envelope({ recipientKey, sequence: 1 })])]);
 */
export class ForgedSignaler {
  constructor({ name = 'forger', peer = new ForgedPeer({ name }) } = {}) {
    this.peer = peer;
  }

  get id() { return this.peer.id; }
  get identity() { return this.peer.identity; }

  /** The next hello packet: a fresh signed probe packet. */
  hello() {
    return this.peer.packet(Kind.probe);
  }

  /** A hello frame with the next hello packet (or `packet`, e.g. someone else's). */
  helloFrame(packet = this.hello()) {
    return { type: FrameType.hello, payload: packet };
  }

  /** An envelopes frame carrying `envelopes` (Buffers). */
  envelopesFrame(envelopes) {
    return { type: FrameType.envelopes, payload: frameEnvelopes(envelopes) };
  }

  /** A daemon channel from `host` to `target` with this identity's certificate (see Host.openChannel). */
  openChannel(host, target, options = {}) {
    return host.openChannel(target, { identity: this.identity, ...options });
  }

  /**
   * An envelope from this identity to `recipientKey`, signed with its key
   * (or `signWith`); any field can be overridden (see encodeEnvelopeBody).
   */
  envelope(fields, { signWith = this.identity.privateKey } = {}) {
    return encodeEnvelope({ senderKey: this.identity.publicKey, ...fields }, signWith);
  }
}
