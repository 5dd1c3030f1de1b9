// The signaling envelope and daemon-channel frame codecs against
// docs/protocol.md (pure: needs no root). That the daemon agrees is shown by
// scenarios/signaling.test.mjs, where envelopes made here are delivered over
// a lab-made channel.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  EnvelopeOffset, ForgedSignaler, FrameType, Kind, ackFrame, decodeAnnouncement, decodeEnvelope, encodeEnvelope, encodeFrame,
  frameEnvelopes, generateIdentity, readU64, splitFrames, u64Payload,
} from '../lib/index.mjs';

const recipient = generateIdentity();

test('an envelope is 221 + T + P bytes, big-endian fields at the documented offsets', () => {
  const sender = new ForgedSignaler();
  const payload = { session: 's1', data: { i: 7 } };
  const envelope = sender.envelope({
    recipientKey: recipient.publicKey, sequence: 5, floor: 3, created: 1_764_000_000_000, ttl: 3000,
    type: 'ice_candidate', payload, flags: 1,
  });
  const payloadBytes = Buffer.byteLength(JSON.stringify(payload));
  assert.equal(envelope.length, 221 + 'ice_candidate'.length + payloadBytes);
  assert.equal(envelope.toString('latin1', 0, 4), 'PDSG');
  assert.equal(envelope[EnvelopeOffset.version], 1);
  assert.equal(envelope[EnvelopeOffset.flags], 1);
  assert.equal(envelope.readUInt16BE(EnvelopeOffset.reserved), 0);
  assert.deepEqual(envelope.subarray(EnvelopeOffset.senderKey, EnvelopeOffset.senderKey + 32), sender.identity.publicKey);
  assert.equal(envelope.toString('latin1', EnvelopeOffset.senderId, EnvelopeOffset.senderId + 52), sender.id);
  assert.deepEqual(envelope.subarray(EnvelopeOffset.recipientKey, EnvelopeOffset.recipientKey + 32), recipient.publicKey);
  assert.equal(envelope.readBigUInt64BE(EnvelopeOffset.sequence), 5n);
  assert.equal(envelope.readBigUInt64BE(EnvelopeOffset.floor), 3n);
  assert.equal(envelope.readBigUInt64BE(EnvelopeOffset.created), 1_764_000_000_000n);
  assert.equal(envelope.readUInt32BE(EnvelopeOffset.ttl), 3000);
  assert.equal(envelope[EnvelopeOffset.typeLength], 13);
  assert.equal(envelope.readUInt32BE(EnvelopeOffset.type + 13), payloadBytes);

  const decoded = decodeEnvelope(envelope);
  assert.equal(decoded.signatureValid, true);
  assert.equal(decoded.senderIdMatchesKey, true);
  assert.equal(decoded.type, 'ice_candidate');
  assert.deepEqual(decoded.payload, payload);
  assert.deepEqual([decoded.sequence, decoded.floor, decoded.ttl, decoded.flags], [5, 3, 3000, 1]);
});

test('a changed byte, another signer or a claimed id that is not the key is detectable', () => {
  const sender = new ForgedSignaler();
  const envelope = sender.envelope({ recipientKey: recipient.publicKey, sequence: 1 });
  for (const offset of [EnvelopeOffset.flags, EnvelopeOffset.sequence + 7, EnvelopeOffset.type, envelope.length - 1]) {
    const copy = Buffer.from(envelope);
    copy[offset] ^= 0x01;
    assert.equal(decodeEnvelope(copy).signatureValid, false, `byte ${offset}`);
  }
  const other = generateIdentity();
  const resigned = encodeEnvelope({ senderKey: sender.identity.publicKey, recipientKey: recipient.publicKey, sequence: 1 },
    other.privateKey);
  assert.equal(decodeEnvelope(resigned).signatureValid, false);
  const impersonating = sender.envelope({ recipientKey: recipient.publicKey, sequence: 1, senderId: other.id });
  assert.equal(decodeEnvelope(impersonating).signatureValid, true);
  assert.equal(decodeEnvelope(impersonating).senderIdMatchesKey, false);
  assert.throws(() => decodeEnvelope(envelope.subarray(0, -1)), /length/);
});

test('envelopes are framed as a 4-byte big-endian length and the envelope; hellos are probe packets with a rising counter', () => {
  const sender = new ForgedSignaler();
  const envelopes = [1, 2, 3].map((sequence) => sender.envelope({ recipientKey: recipient.publicKey, sequence }));
  const body = frameEnvelopes(envelopes);
  assert.equal(body.readUInt32BE(0), envelopes[0].length);
  assert.deepEqual(splitFrames(body), envelopes);
  assert.deepEqual(splitFrames(Buffer.alloc(0)), []);
  assert.throws(() => splitFrames(body.subarray(0, -1)), /frame length/);

  const [first, second] = [sender.hello(), sender.hello()].map((hello) => decodeAnnouncement(hello));
  assert.equal(first.kind, Kind.probe);
  assert.equal(first.signatureValid, true);
  assert.equal(first.id, sender.id);
  assert.ok(second.counter > first.counter);
});

test('channel frames are a u32 big-endian length of type + payload, the type, the payload', () => {
  const sender = new ForgedSignaler();
  const hello = sender.helloFrame();
  assert.equal(hello.type, FrameType.hello);
  assert.equal(decodeAnnouncement(hello.payload).id, sender.id);
  const envelope = sender.envelope({ recipientKey: recipient.publicKey, sequence: 1 });
  const frame = sender.envelopesFrame([envelope]);
  assert.equal(frame.type, FrameType.envelopes);
  assert.deepEqual(splitFrames(frame.payload), [envelope]);

  const bytes = encodeFrame(frame.type, frame.payload);
  assert.equal(bytes.readUInt32BE(0), 1 + 4 + envelope.length);
  assert.equal(bytes[4], 2);
  assert.deepEqual(bytes.subarray(5), frame.payload);

  const ack = ackFrame(2n ** 64n - 1n);
  assert.equal(ack.type, FrameType.ack);
  assert.deepEqual(encodeFrame(ack.type, ack.payload), Buffer.from(`00000009${'03'}${'ff'.repeat(8)}`, 'hex'));
  assert.equal(readU64(ack.payload), 2n ** 64n - 1n);
  assert.deepEqual(u64Payload(1), Buffer.from('0000000000000001', 'hex'));
});
