// The per-namespace agent. The test process lives in the root namespace and
// cannot open sockets in a lab namespace, so the lab starts one of these per
// host with `ip netns exec NS node agent.mjs`. It reads one JSON command per
// line on stdin and writes one JSON answer per line on stdout:
//
//   -> {"id": 7, "cmd": "http", "url": "http://198.51.100.10:3001/api/health"}
//   <- {"id": 7, "ok": true, "result": {"status": 200, "headers": {...}, "body": "..."}}
//
// Commands run concurrently. A command that cannot run answers ok:false;
// network outcomes (refused, reset, timeout) are results, not failures, so a
// test can assert on them. The agent exits when stdin closes.

import http from 'node:http';
import net from 'node:net';
import dgram from 'node:dgram';
import readline from 'node:readline';

const commands = { ping, http: httpRequest, udp: udpSend, udp_recv: udpReceive, tcp_raw: tcpRaw };

function ping() {
  return { pid: process.pid };
}

/** One HTTP request on a fresh connection. */
function httpRequest({ method = 'GET', url, headers = {}, body, bodyBase64, timeoutMs = 5000 }) {
  let payload;
  if (bodyBase64 !== undefined) payload = Buffer.from(bodyBase64, 'base64');
  else if (body !== undefined) payload = Buffer.from(body);
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, durationMs: Date.now() - started });
    };
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => settle({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', (error) => settle({
        status: res.statusCode, headers: res.headers, error: error.code || error.message,
      }));
    });
    const timer = setTimeout(() => {
      settle({ error: 'timeout' });
      req.destroy();
    }, timeoutMs);
    req.on('error', (error) => settle({ error: error.code || error.message }));
    req.end(payload);
  });
}

/** Sends one datagram; optionally collects replies on the same socket. */
function udpSend({ data, ip, port, bindAddress, bindPort = 0, broadcast = false, replyTimeoutMs = 0, maxReplies = 1 }) {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  const replies = [];
  return new Promise((resolve) => {
    const finish = (error) => {
      clearTimeout(timer);
      socket.close();
      resolve({ replies, ...(error && { error: error.code || error.message }) });
    };
    let timer;
    socket.on('error', finish);
    socket.on('message', (msg, rinfo) => {
      replies.push({ address: rinfo.address, port: rinfo.port, data: msg.toString('base64') });
      if (replies.length >= maxReplies) finish();
    });
    socket.bind({ address: bindAddress, port: bindPort }, () => {
      socket.setBroadcast(broadcast);
      socket.send(Buffer.from(data, 'base64'), port, ip, (error) => {
        if (error || replyTimeoutMs <= 0) finish(error);
        else timer = setTimeout(finish, replyTimeoutMs);
      });
    });
  });
}

/** Listens on a UDP port until `count` datagrams arrived or the time is up. */
function udpReceive({ port, address, timeoutMs = 2000, count = 1 }) {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  const datagrams = [];
  return new Promise((resolve) => {
    const finish = (error) => {
      clearTimeout(timer);
      socket.close();
      resolve({ datagrams, ...(error && { error: error.code || error.message }) });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('error', finish);
    socket.on('message', (msg, rinfo) => {
      datagrams.push({ address: rinfo.address, port: rinfo.port, data: msg.toString('base64') });
      if (datagrams.length >= count) finish();
    });
    socket.bind({ address, port });
  });
}

/**
 * Raw TCP: connect, write `data` at once or drip it (`drip.bytes` every
 * `drip.intervalMs`), optionally half-close, and read what comes back until
 * the server closes or `maxDurationMs` passes. `closedBy` tells who ended it:
 * "server" (FIN), "reset" (RST/EPIPE), "client" (our deadline) or "connect".
 */
function tcpRaw({
  host, port, data = '', drip, end = false, maxDurationMs = 10_000, connectTimeoutMs = 3000, maxReplyBytes = 1 << 16,
}) {
  const payload = Buffer.from(data, 'base64');
  const started = Date.now();
  const reply = [];
  let replyBytes = 0;
  let firstReplyMs;
  let connectedMs;
  let error;
  let done = false;
  return new Promise((resolve) => {
    const timers = [];
    const socket = net.connect({ host, port });
    const finish = (closedBy) => {
      if (done) return;
      done = true;
      timers.forEach(clearTimeout); // also clears intervals
      const result = {
        closedBy, connectedMs, firstReplyMs, durationMs: Date.now() - started,
        bytesWritten: socket.bytesWritten, reply: Buffer.concat(reply).toString('base64'), ...(error && { error }),
      };
      socket.destroy();
      resolve(result);
    };
    timers.push(setTimeout(() => finish('connect'), connectTimeoutMs));
    socket.setNoDelay(true);
    socket.on('connect', () => {
      connectedMs = Date.now() - started;
      clearTimeout(timers[0]);
      timers.push(setTimeout(() => finish('client'), maxDurationMs));
      if (drip) dripWrite(socket, payload, drip, end, timers);
      else socket.write(payload, () => end && socket.end());
    });
    socket.on('data', (chunk) => {
      firstReplyMs ??= Date.now() - started;
      if (replyBytes < maxReplyBytes) reply.push(chunk.subarray(0, maxReplyBytes - replyBytes));
      replyBytes += chunk.length;
    });
    socket.on('end', () => finish('server'));
    socket.on('close', () => finish(connectedMs === undefined ? 'connect' : 'server'));
    socket.on('error', (e) => {
      error = e.code || e.message;
      finish(connectedMs === undefined ? 'connect' : 'reset');
    });
  });
}

function dripWrite(socket, payload, { bytes = 1, intervalMs = 1000 }, end, timers) {
  let offset = 0;
  const step = () => {
    if (socket.destroyed) return;
    socket.write(payload.subarray(offset, offset + bytes));
    offset += bytes;
    if (offset >= payload.length) {
      clearInterval(interval);
      if (end) socket.end();
    }
  };
  const interval = setInterval(step, intervalMs);
  timers.push(interval);
  step();
}

async function handle(line) {
  let id;
  try {
    const message = JSON.parse(line);
    id = message.id;
    const command = commands[message.cmd];
    if (!command) throw new Error(`unknown agent command ${JSON.stringify(message.cmd)}`);
    const result = await command(message);
    write({ id, ok: true, result });
  } catch (error) {
    write({ id, ok: false, error: error.stack || String(error) });
  }
}

function write(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

const input = readline.createInterface({ input: process.stdin });
input.on('line', (line) => void handle(line));
input.on('close', () => process.exit(0));
