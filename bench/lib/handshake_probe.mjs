#!/usr/bin/env node
// Times connection set-ups to a peerdropd from inside a lab namespace (run by
// bench/channel.mjs as `ip netns exec NS node handshake_probe.mjs JSON`) and
// prints one JSON object. Three kinds, each on a fresh TCP connection and
// taken down before the next starts:
//   tcp:  connect → established (the SYN/SYN-ACK round trip), then close;
//   http: GET /api/health (what a scan or a stranger may ask) → whole answer;
//   tls:  the daemon channel as another daemon opens it: TLS 1.3 with a client
//         certificate of an Ed25519 identity, ALPN peerdrop/2 → the daemon's
//         first frame (its hello, sent once it has checked our certificate),
//         then close_notify and close.
// They run in blocks of `perBlock` (tcp, http, tls, in a rotating order),
// `rounds` blocks of each; around every block the daemon's CPU time is read
// (/proc/<pid>/task/*/schedstat: the namespaces share /proc) and this
// process's own (process.cpuUsage), so each kind also has a CPU cost per
// connection, on both sides. Times are process.hrtime, in milliseconds.

import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';

const kTimeoutMs = 5000;
const { host, port, keyPath, certPath, daemonPid, rounds, perBlock } = JSON.parse(process.argv[2]);
const context = tls.createSecureContext({
  key: readFileSync(keyPath), cert: readFileSync(certPath), minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3',
});

const now = () => process.hrtime.bigint();
const ms = (from, to) => Number(to - from) / 1e6;

function daemonCpuNs() {
  let total = 0n;
  for (const tid of readdirSync(`/proc/${daemonPid}/task`)) {
    try {
      total += BigInt(readFileSync(`/proc/${daemonPid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch { /* the thread ended */ }
  }
  return total;
}

/** Resolves once `socket` has closed, or destroys it after the timeout. */
function closed(socket) {
  return new Promise((resolve) => {
    if (socket.destroyed && socket.closed) {
      resolve();
      return;
    }
    const timer = setTimeout(() => socket.destroy(), kTimeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function timeTcp() {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const socket = net.connect({ host, port });
    socket.setTimeout(kTimeoutMs, () => socket.destroy(new Error('timeout')));
    socket.once('error', reject);
    socket.once('connect', async () => {
      const connectMs = ms(t0, now());
      socket.end(); // FIN; the daemon sees the end of its detection read and closes its side
      await closed(socket);
      resolve({ connectMs, totalMs: connectMs });
    });
  });
}

function timeHttp() {
  return new Promise((resolve, reject) => {
    const t0 = now();
    let connectMs;
    const req = http.get({ host, port, path: '/api/health', agent: false, timeout: kTimeoutMs }, (res) => {
      res.resume();
      res.once('end', async () => {
        const totalMs = ms(t0, now());
        if (res.statusCode !== 200) {
          reject(new Error(`GET /api/health answered ${res.statusCode}`));
          return;
        }
        req.socket.destroy();
        resolve({ connectMs, totalMs });
      });
    });
    req.once('socket', (socket) => socket.once('connect', () => { connectMs = ms(t0, now()); }));
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', reject);
  });
}

function timeTls() {
  return new Promise((resolve, reject) => {
    const t0 = now();
    let connectMs;
    let secureMs;
    let totalMs;
    const socket = tls.connect({
      host, port, secureContext: context, ALPNProtocols: ['peerdrop/2'], rejectUnauthorized: false,
    });
    socket.setTimeout(kTimeoutMs, () => socket.destroy(new Error('timeout')));
    socket.once('error', reject);
    socket.once('connect', () => { connectMs = ms(t0, now()); });
    socket.once('secureConnect', () => {
      secureMs = ms(t0, now());
      if (socket.alpnProtocol !== 'peerdrop/2') reject(new Error(`ALPN ${socket.alpnProtocol}`));
    });
    socket.once('data', async () => {
      totalMs = ms(t0, now());
      socket.end();
      await closed(socket);
      resolve({ connectMs, secureMs, totalMs });
    });
    socket.once('close', () => {
      if (totalMs === undefined) reject(new Error(`closed before the daemon's first frame (ALPN ${socket.alpnProtocol})`));
    });
  });
}

const kinds = { tcp: timeTcp, http: timeHttp, tls: timeTls };
const order = Object.keys(kinds);
const results = Object.fromEntries(order.map((kind) => [kind, { samples: [], daemonCpuNs: 0, ownCpuUs: 0, wallMs: 0 }]));
for (let round = 0; round < rounds; round++) {
  for (let k = 0; k < order.length; k++) {
    const kind = order[(round + k) % order.length];
    const result = results[kind];
    const cpu0 = daemonCpuNs();
    const own0 = process.cpuUsage();
    const t0 = now();
    for (let i = 0; i < perBlock; i++) result.samples.push(await kinds[kind]());
    result.wallMs += ms(t0, now());
    const own = process.cpuUsage(own0);
    result.ownCpuUs += own.user + own.system;
    result.daemonCpuNs += Number(daemonCpuNs() - cpu0);
  }
}
process.stdout.write(`${JSON.stringify(results)}\n`);
