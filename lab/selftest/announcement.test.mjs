// The packet codec against docs/protocol.md (pure: needs no root).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ForgedPeer, Kind, Offset, base32, decodeAnnouncement, encodeAnnouncement, generateIdentity, peerId,
} from '../lib/index.mjs';

test('base32 is RFC 4648 upper case without padding', () => {
  const vectors = { '': '', f: 'MY', fo: 'MZXQ', foo: 'MZXW6', foob: 'MZXW6YQ', fooba: 'MZXW6YTB', foobar: 'MZXW6YTBOI' };
  for (const [input, output] of Object.entries(vectors)) assert.equal(base32(Buffer.from(input)), output);
});

test('a peer id is 52 characters of base32(SHA-256(public key))', () => {
  const { publicKey, id } = generateIdentity();
  assert.equal(publicKey.length, 32);
  assert.match(id, /^[A-Z2-7]{52}$/);
  assert.equal(peerId(publicKey), id);
  assert.match(id, /[AQ]$/, '256 bits leave one bit in the last character, so it is A or Q');
});

test('a packet is 129 + N bytes, big-endian fields at the documented offsets', () => {
  const peer = new ForgedPeer({ name: 'héllo', httpPort: 3002, discoveryPort: 3003 });
  const packet = peer.packet(Kind.goodbye, { timestamp: 1_764_000_000_000 });
  assert.equal(packet.length, 129 + Buffer.byteLength('héllo'));
  assert.equal(packet.toString('latin1', 0, 4), 'PDRP');
  assert.equal(packet[Offset.version], 2, 'packets are version 2 unless a test says otherwise');
  assert.equal(packet[Offset.kind], Kind.goodbye);
  assert.equal(packet.readUInt16BE(Offset.flags), 0);
  assert.equal(packet.readBigUInt64BE(Offset.timestamp), 1_764_000_000_000n);
  assert.equal(packet.readUInt32BE(Offset.counter), 1);
  assert.equal(packet.readUInt16BE(Offset.httpPort), 3002);
  assert.equal(packet.readUInt16BE(Offset.discoveryPort), 3003);
  assert.equal(packet[Offset.nameLength], 6);

  const decoded = decodeAnnouncement(packet);
  assert.equal(decoded.signatureValid, true);
  assert.equal(decoded.id, peer.id);
  assert.equal(decoded.name, 'héllo');
  assert.equal(decoded.version, 2);
  assert.equal(peer.packet().readUInt32BE(Offset.counter), 2, 'the counter increases per packet');
});

test('version 1 packets are still read (a daemon lists their peer as outdated); 0 and 3 are not', () => {
  const peer = new ForgedPeer();
  const old = encodeAnnouncement(peer.nextFields(Kind.announce, { version: 1 }), peer.identity.privateKey);
  assert.equal(old[Offset.version], 1);
  assert.equal(decodeAnnouncement(old).version, 1);
  assert.equal(decodeAnnouncement(old).signatureValid, true);
  for (const version of [0, 3]) {
    const packet = encodeAnnouncement(peer.nextFields(Kind.announce, { version }), peer.identity.privateKey);
    assert.throws(() => decodeAnnouncement(packet), /unknown version/);
  }
});

test('a changed byte or a swapped key breaks the signature', () => {
  const peer = new ForgedPeer();
  const packet = peer.packet();
  for (const offset of [Offset.kind, Offset.counter + 3, Offset.name, packet.length - 1]) {
    const copy = Buffer.from(packet);
    copy[offset] ^= 0x01;
    assert.equal(decodeAnnouncement(copy).signatureValid, false, `byte ${offset}`);
  }
  const fields = { ...peer.nextFields(), publicKey: generateIdentity().publicKey };
  const swapped = encodeAnnouncement(fields, peer.identity.privateKey);
  assert.equal(decodeAnnouncement(swapped).signatureValid, false);
  assert.throws(() => decodeAnnouncement(packet.subarray(0, -1)), /length/);
  assert.throws(() => decodeAnnouncement(Buffer.alloc(600)), /512/);
});
