// The daemon channel as another daemon speaks it (docs/protocol.md, "Daemon
// channel"): TLS 1.3 on the daemon's HTTP port with a self-signed client
// certificate whose key is the client's Ed25519 identity, ALPN peerdrop/2,
// then frames both ways:
//
//   u32 length (big-endian, of type + payload) | u8 type | payload
//
// The connection is made by the host's agent, inside its namespace; frames
// the daemon sends are streamed back and kept here, with the agent's clock.
//
//   const ch = await x.openChannel(b, { identity: forger.identity });
//   ch.handshake                         // 'ok' | 'error' (ch.error says why)
//   peerId(ch.serverKey) === b.id        // the daemon's certificate key
//   await ch.send([forger.helloFrame(), forger.envelopesFrame([envelope])]);
//   const { acks } = await ch.roundTrip([forger.envelopesFrame([envelope])]);  // ping → pong barrier
//   await ch.close();

import path from 'node:path';
import { generateIdentity, peerId } from './announcement.mjs';
import { makeCertificate } from './certificate.mjs';
import { StreamedClient } from './streamed_client.mjs';

export const FrameType = Object.freeze({ hello: 1, envelopes: 2, ack: 3, ping: 4, pong: 5 });
export const kFrameHeaderBytes = 5;
export const kMaxFramePayloadBytes = 1024 * 1024 + 64;
const kTypeNames = Object.fromEntries(Object.entries(FrameType).map(([name, type]) => [type, name]));
const kSendMarginMs = 10_000;
let channelSequence = 0;
let nonceSequence = 0;

/** One frame's bytes: u32 length of type + payload | u8 type | payload. */
export function encodeFrame(type, payload = Buffer.alloc(0)) {
  const header = Buffer.alloc(kFrameHeaderBytes);
  header.writeUInt32BE(payload.length + 1);
  header[4] = type;
  return Buffer.concat([header, Buffer.from(payload)]);
}

/** The u64 payload of ack, ping and pong (a number or a BigInt, e.g. 2n ** 64n - 1n). */
export function u64Payload(value) {
  const payload = Buffer.alloc(8);
  payload.writeBigUInt64BE(BigInt(value));
  return payload;
}

export function readU64(payload) {
  if (payload.length !== 8) throw new Error(`a u64 payload has 8 bytes, not ${payload.length}`);
  return payload.readBigUInt64BE(0);
}

export const ackFrame = (upTo) => ({ type: FrameType.ack, payload: u64Payload(upTo) });

/** The daemon address a target stands for: a Host (its daemon's address and port) or { ip, port }. */
function endpointOf(target) {
  return { ip: target.daemon?.address ?? target.ip, port: target.daemon?.port ?? target.port ?? 3001 };
}

export class DaemonChannelClient extends StreamedClient {
  /**
   * Opens a channel from `host` to `target` with a client certificate made
   * from `identity` (default: a fresh one), or `certificate` ({ keyPem,
   * certPem } from makeCertificate; null: none at all), and ALPN `alpn`
   * (default ['peerdrop/2']; [] sends none). Never throws for a refused
   * handshake: `handshake` is 'ok' once the daemon's first frame arrived
   * (TLS 1.3 servers judge the client's certificate after the client is
   * done), else 'error' with `error`. `serverKey` is the raw Ed25519 key of
   * the daemon's certificate (null for another key type) and `serverId` its id.
   */
  static async open(host, target, { identity, certificate, alpn, timeoutMs = 5000, maxFrames } = {}) {
    const { ip, port } = endpointOf(target);
    const client = new DaemonChannelClient(host, `${ip}:${port}`, { maxFrames });
    let cert = certificate;
    if (cert === undefined) {
      client.identity = identity ?? generateIdentity();
      cert = await makeCertificate(path.join(host.dir, 'certs'), { privateKey: client.identity.privateKey });
    }
    const res = await host.agent.request('channel_open', {
      channel: client.key, host: ip, port, timeoutMs, ...(alpn && { alpn }),
      ...(cert && { keyPem: cert.keyPem, certPem: cert.certPem }),
    });
    client.handshake = res.handshake;
    client.error = res.error;
    client.tlsDone = res.tlsDone;
    client.alpn = res.alpn;
    client.protocol = res.protocol;
    client.serverKeyType = res.serverKeyType;
    client.serverKey = res.serverKey ? Buffer.from(res.serverKey, 'base64') : null;
    client.serverId = client.serverKey ? peerId(client.serverKey) : undefined;
    if (res.handshake !== 'ok') {
      client.closed ??= { closedBy: 'handshake', error: res.error };
      client.unlisten();
    }
    return client;
  }

  constructor(host, remote, { maxFrames } = {}) {
    super(host, `${host.name}-ch${++channelSequence}`, { maxItems: maxFrames });
    this.remote = remote;
  }

  get label() { return `daemon channel ${this.key} (${this.host.name} to ${this.remote})`; }

  /** The frames the daemon sent, in arrival order: { type, payload (Buffer) }. */
  get frames() { return this.items; }

  ofType(type) { return this.frames.filter((f) => f.type === type); }

  /** The values of the daemon's ack frames so far (BigInt), in order. */
  acks() { return this.ofType(FrameType.ack).map((f) => readU64(f.payload)); }

  onEvent(event) {
    if (event.event === 'channel') {
      this.push({ type: event.type, payload: Buffer.from(event.payload, 'base64') }, event.at);
    } else if (event.event === 'channel_close') {
      this.closed = { closedBy: event.closedBy, ...(event.error && { error: event.error }) };
      this.unlisten();
    }
  }

  describe(frame) {
    const name = kTypeNames[frame.type] ?? `type ${frame.type}`;
    return frame.payload.length === 8 ? `${name} ${readU64(frame.payload)}` : `${name} (${frame.payload.length} bytes)`;
  }

  /** Waits until at least `count` frames of `type` (matching `filter`) arrived; resolves with them. */
  waitForFrame(type, { count = 1, filter = () => true, timeout, what } = {}) {
    return this.waitForCount((f) => f.type === type && filter(f), {
      count, timeout, what: what ?? `${count} ${kTypeNames[type] ?? type} frame(s)`,
    });
  }

  /** Writes `frames` ([{ type, payload }]) and then `raw` bytes as they are. */
  async send(frames = [], { raw } = {}) {
    const res = await this.host.agent.request('channel_send', {
      channel: this.key,
      frames: frames.map(({ type, payload = Buffer.alloc(0) }) => ({ type, payload: Buffer.from(payload).toString('base64') })),
      ...(raw !== undefined && { raw: Buffer.from(raw).toString('base64') }),
    }, { timeoutMs: kSendMarginMs });
    if (res.error) throw new Error(`${this.label}: could not send: ${res.error} (${JSON.stringify(this.closed)})`);
    return res;
  }

  /**
   * A barrier: sends `frames` and a ping, and waits for the pong. The daemon
   * handles a channel's frames in order and queues its answers in order, so
   * once the pong is here everything sent before was handled and what the
   * daemon answered to it has arrived. Resolves with the frames that came
   * after the previous barrier's pong and before this one, and their acks
   * (BigInt values): `const { acks } = await ch.roundTrip([frame])`.
   */
  async roundTrip(frames = [], { timeout = 5000 } = {}) {
    const start = this.barrierAt ?? 0;
    const nonce = u64Payload((BigInt(process.pid) << 32n) + BigInt(++nonceSequence));
    await this.send([...frames, { type: FrameType.ping, payload: nonce }]);
    const isPong = (f) => f.type === FrameType.pong && f.payload.equals(nonce);
    await this.waitFor((items) => items.some(isPong), { timeout, what: 'the pong to our ping' });
    const end = this.frames.findIndex(isPong);
    this.barrierAt = end + 1;
    const answers = this.frames.slice(start, end).filter((f) => f.type !== FrameType.pong);
    return { frames: answers, acks: answers.filter((f) => f.type === FrameType.ack).map((f) => readU64(f.payload)) };
  }

  /** Closes the channel (TLS close_notify, FIN) and stops listening. */
  async close() {
    if (!this.closed) await this.host.agent.request('channel_close', { channel: this.key });
    this.unlisten();
  }
}
