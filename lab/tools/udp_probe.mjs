#!/usr/bin/env node
// UDP measurements between lab hosts, run inside a namespace (host.exec for
// the measuring side, host.spawn for the echo server and the sink). Each mode
// that ends prints one JSON line on stdout.
//
//   udp_probe.mjs echo --port P
//       answers every datagram to its sender (until killed)
//   udp_probe.mjs rtt --to IP:PORT [--count 20] [--interval-ms 20] [--linger-ms 1000]
//       sends `count` numbered probes, `interval-ms` apart, to an echo server;
//       waits for the last replies at most `linger-ms` after the last send:
//       {"sent", "received", "minMs", "avgMs", "maxMs"} (round trips of the answered ones)
//   udp_probe.mjs blast --to IP:PORT [--rate 20000] [--seconds 3] [--size 1200]
//       sends `rate` datagrams per second of `size` bytes for `seconds`, paced
//       every millisecond: {"sent", "sendErrors", "elapsedMs", "packetsPerSecond"}
//   udp_probe.mjs sink --port P
//       receives and counts; on SIGTERM prints {"received", "bytes"} and exits

import dgram from 'node:dgram';
import { parseArgs } from 'node:util';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: 'string' },
    to: { type: 'string' },
    count: { type: 'string', default: '20' },
    'interval-ms': { type: 'string', default: '20' },
    'linger-ms': { type: 'string', default: '1000' },
    rate: { type: 'string', default: '20000' },
    seconds: { type: 'string', default: '3' },
    size: { type: 'string', default: '1200' },
  },
});

const modes = { echo, rtt, blast, sink };
const mode = modes[positionals[0]];
if (!mode) {
  console.error(`udp_probe: mode must be one of ${Object.keys(modes).join(', ')}`);
  process.exit(2);
}
await mode();

function target() {
  const [ip, port] = (values.to ?? '').split(':');
  if (!ip || !port) throw new Error('--to IP:PORT is required');
  return { ip, port: Number(port) };
}

function bound(socket, port = 0) {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, () => {
      socket.off('error', reject);
      // Big buffers: the measurement should not be limited by this process's sockets.
      socket.setRecvBufferSize(8 << 20);
      socket.setSendBufferSize(8 << 20);
      resolve(socket);
    });
  });
}

async function echo() {
  const socket = await bound(dgram.createSocket('udp4'), Number(values.port));
  socket.on('message', (msg, rinfo) => socket.send(msg, rinfo.port, rinfo.address));
  console.log(JSON.stringify({ listening: socket.address().port }));
}

async function sink() {
  const socket = await bound(dgram.createSocket('udp4'), Number(values.port));
  let received = 0;
  let bytes = 0;
  socket.on('message', (msg) => {
    received++;
    bytes += msg.length;
  });
  process.on('SIGTERM', () => {
    console.log(JSON.stringify({ received, bytes }));
    process.exit(0);
  });
  console.log(JSON.stringify({ listening: socket.address().port }));
}

async function rtt() {
  const { ip, port } = target();
  const count = Number(values.count);
  const intervalMs = Number(values['interval-ms']);
  const lingerMs = Number(values['linger-ms']);
  const socket = await bound(dgram.createSocket('udp4'));
  const sentAt = new Map(); // sequence -> hrtime of the send
  const rtts = [];
  const done = new Promise((resolve) => {
    socket.on('message', (msg) => {
      const sequence = msg.readUInt32BE(0);
      const started = sentAt.get(sequence);
      if (started === undefined) return;
      sentAt.delete(sequence);
      rtts.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (rtts.length === count) resolve();
    });
  });
  const probe = Buffer.alloc(64);
  for (let sequence = 0; sequence < count; sequence++) {
    probe.writeUInt32BE(sequence, 0);
    sentAt.set(sequence, process.hrtime.bigint());
    socket.send(probe, port, ip);
    if (sequence + 1 < count) await pause(intervalMs);
  }
  await Promise.race([done, pause(lingerMs)]);
  socket.close();
  const sum = rtts.reduce((a, b) => a + b, 0);
  console.log(JSON.stringify({
    sent: count,
    received: rtts.length,
    minMs: rtts.length ? round(Math.min(...rtts)) : null,
    avgMs: rtts.length ? round(sum / rtts.length) : null,
    maxMs: rtts.length ? round(Math.max(...rtts)) : null,
  }));
}

async function blast() {
  const { ip, port } = target();
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const payload = Buffer.alloc(Number(values.size), 0x5a);
  const total = Math.round(rate * seconds);
  const socket = await bound(dgram.createSocket('udp4'));
  socket.connect(port, ip);
  await new Promise((resolve) => socket.once('connect', resolve));
  let sent = 0;
  let sendErrors = 0;
  let inFlight = 0;
  const started = process.hrtime.bigint();
  while (sent < total) {
    // Catch up to where the schedule says we should be, then yield for about a millisecond.
    const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
    const due = Math.min(total, Math.floor(elapsedS * rate));
    for (; sent < due; sent++) {
      inFlight++;
      socket.send(payload, (error) => {
        inFlight--;
        if (error) sendErrors++;
      });
    }
    await pause(1);
  }
  while (inFlight > 0) await pause(1);
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  socket.close();
  console.log(JSON.stringify({ sent, sendErrors, elapsedMs: round(elapsedMs), packetsPerSecond: Math.round(sent / (elapsedMs / 1000)) }));
}

function pause(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function round(ms) {
  return Math.round(ms * 1000) / 1000;
}
