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
//
// UI clients (WebSocket to a daemon's /ws, as a browser tab): `ui_open`
// connects under an id the caller picks, after which every received message is
// streamed as an unsolicited line, stamped with this machine's wall clock:
//
//   <- {"event": "ui", "ui": "a-1", "at": 1764000000123, "data": "{\"type\":\"welcome\",…}"}
//   <- {"event": "ui_close", "ui": "a-1", "at": …, "code": 1006, "reason": ""}
//
// Nothing is buffered here: the stream is the buffer (the client bounds it).
// WebSocket is Node's built-in client (node 20: --experimental-websocket).
//
// Daemon channels (TLS 1.3 to a daemon's HTTP port, as another daemon would
// connect; docs/protocol.md, "Daemon channel"): `channel_open` connects under
// an id the caller picks with the given client certificate and ALPN, and
// every frame the daemon sends is streamed the same way:
//
//   <- {"event": "channel", "channel": "x-ch1", "at": …, "type": 1, "payload": "<base64>"}
//   <- {"event": "channel_close", "channel": "x-ch1", "at": …, "closedBy": "server", "error": …}

import http from 'node:http';
import net from 'node:net';
import dgram from 'node:dgram';
import readline from 'node:readline';
import tls from 'node:tls';

const commands = {
  ping, http: httpRequest, udp: udpSend, udp_many: udpSendMany, udp_pace: udpPace, udp_recv: udpReceive,
  tcp_raw: tcpRaw, tcp_hold: tcpHold,
  ui_open: uiOpen, ui_send: uiSend, ui_close: uiClose,
  channel_open: channelOpen, channel_send: channelSend, channel_close: channelClose,
};
const kMaxUiClients = 64;
const kMaxFramesPerSend = 20_000;
const kUiCloseWaitMs = 2000;
const uiClients = new Map(); // ui id -> WebSocket
const kMaxChannels = 64;
const kFrameHeaderBytes = 5;
const kMaxFramePayloadBytes = 1024 * 1024 + 64; // as the daemon: 1 MiB + 64
const kPingFrame = 4;
const kPongFrame = 5;
const channels = new Map(); // channel id -> TLSSocket

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

/** Sends `datagrams` (base64) one after the other from one socket; resolves with how many were sent. */
function udpSendMany({ datagrams, ip, port }) {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    let sent = 0;
    const finish = (error) => {
      socket.close();
      resolve({ sent, ...(error && { error: error.code || error.message }) });
    };
    socket.on('error', finish);
    const next = () => {
      if (sent === datagrams.length) return finish();
      socket.send(Buffer.from(datagrams[sent], 'base64'), port, ip, (error) => {
        if (error) return finish(error);
        sent += 1;
        next();
      });
    };
    socket.bind(0, next);
  });
}

/**
 * Sends one datagram `count` times from one socket at `ratePerSecond` (a
 * bounded load: at most 10,000), and counts the replies until `replyWindowMs`
 * after the last one. Resolves with { sent, replies, durationMs }.
 */
function udpPace({ data, ip, port, count, ratePerSecond, replyWindowMs = 1000 }) {
  const socket = dgram.createSocket('udp4');
  const datagram = Buffer.from(data, 'base64');
  const total = Math.min(count, 10_000);
  const started = Date.now();
  let sent = 0;
  let replies = 0;
  return new Promise((resolve) => {
    let timer;
    const finish = (error) => {
      clearTimeout(timer);
      socket.close();
      resolve({ sent, replies, durationMs: Date.now() - started, ...(error && { error: error.code || error.message }) });
    };
    socket.on('error', finish);
    socket.on('message', () => { replies += 1; });
    const next = () => {
      // Catch up to where the rate says we should be, then wait for the next slot.
      const due = Math.min(total, Math.floor(((Date.now() - started) * ratePerSecond) / 1000) + 1);
      while (sent < due) {
        socket.send(datagram, port, ip);
        sent += 1;
      }
      if (sent >= total) timer = setTimeout(finish, replyWindowMs);
      else timer = setTimeout(next, Math.max(1, Math.floor(1000 / ratePerSecond)));
    };
    socket.bind(0, next);
  });
}

/**
 * Holds `perAddress` HTTP connections from each of `localAddresses` to
 * host:port for `durationMs` (at most 60 s, 1,000 connections): each sends a
 * request line and then one header line every `dripIntervalMs`, never
 * finishing its request; a connection the server closes is opened again.
 * Resolves with { opened, busy (answers 503), peakHeld (most connections at
 * once that had been open a second and answered nothing: slots the server
 * gave them) }.
 */
function tcpHold({ host, port, localAddresses, perAddress, durationMs, dripIntervalMs = 1000 }) {
  const until = Date.now() + Math.min(durationMs, 60_000);
  const stats = { opened: 0, busy: 0, peakHeld: 0 };
  const sockets = new Set();
  const silentSince = new Map(); // socket -> when it connected, until it hears anything
  const census = setInterval(() => {
    const now = Date.now();
    let held = 0;
    for (const since of silentSince.values()) if (now - since >= 1000) held += 1;
    stats.peakHeld = Math.max(stats.peakHeld, held);
  }, 250);
  const slot = (localAddress) => new Promise((resolve) => {
    const again = () => (Date.now() < until ? setTimeout(() => slot(localAddress).then(resolve), 100) : resolve());
    const socket = net.connect({ host, port, localAddress });
    sockets.add(socket);
    let drip;
    let head = '';
    socket.on('connect', () => {
      stats.opened += 1;
      silentSince.set(socket, Date.now());
      socket.write(`GET /api/health HTTP/1.1\r\nHost: ${host}:${port}\r\n`);
      drip = setInterval(() => socket.write('X-Hold: 1\r\n'), dripIntervalMs);
    });
    socket.on('data', (chunk) => {
      silentSince.delete(socket);
      if (head.length < 16) head += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(drip);
      sockets.delete(socket);
      silentSince.delete(socket);
      if (head.startsWith('HTTP/1.1 503')) stats.busy += 1;
      again();
    });
  });
  const stop = setTimeout(() => { for (const socket of sockets) socket.destroy(); }, until - Date.now());
  const slots = localAddresses.flatMap((address) => Array(perAddress).fill(address)).slice(0, 1000);
  return Promise.all(slots.map(slot)).then(() => {
    clearTimeout(stop);
    clearInterval(census);
    return stats;
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

/**
 * Opens a WebSocket under the caller's id `ui` (so the caller can listen
 * before the first message arrives). Resolves { opened: true } once open, or
 * { error } if it was refused, failed or took over `timeoutMs`.
 */
function uiOpen({ ui, url, headers = {}, timeoutMs = 5000 }) {
  if (typeof WebSocket === 'undefined') throw new Error('this node has no WebSocket client (node 20 needs --experimental-websocket)');
  if (typeof ui !== 'string' || uiClients.has(ui)) throw new Error(`ui id ${JSON.stringify(ui)} is missing or in use`);
  if (uiClients.size >= kMaxUiClients) throw new Error(`at most ${kMaxUiClients} UI clients per agent`);
  const ws = new WebSocket(url, { headers });
  uiClients.set(ui, ws);
  return new Promise((resolve) => {
    let opened = false;
    let settled = false;
    const settle = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => {
      settle({ error: `not open after ${timeoutMs} ms` });
      ws.close();
    }, timeoutMs);
    ws.onopen = () => {
      opened = true;
      settle({ opened: true });
    };
    ws.onmessage = (event) => {
      const data = typeof event.data === 'string' ? event.data : `<binary ${event.data?.byteLength ?? '?'} bytes>`;
      write({ event: 'ui', ui, at: Date.now(), data });
    };
    ws.onerror = (event) => {
      if (!opened) settle({ error: event.message || event.error?.message || 'WebSocket error' });
    };
    ws.onclose = (event) => {
      uiClients.delete(ui);
      if (opened) write({ event: 'ui_close', ui, at: Date.now(), code: event.code, reason: event.reason });
      settle({ error: `closed before opening (code ${event.code})` });
    };
  });
}

/**
 * Sends `frames` (objects are JSON-encoded, strings sent as they are) in
 * order, all at once or one every `intervalMs`. Resolves with the wall-clock
 * time each frame was handed to the socket (`sentAt`), and `unsent` (how many
 * were not sent because the socket was no longer open).
 */
async function uiSend({ ui, frames, intervalMs = 0 }) {
  const ws = uiClients.get(ui);
  if (!ws) throw new Error(`no open UI client ${JSON.stringify(ui)}`);
  if (!Array.isArray(frames) || frames.length > kMaxFramesPerSend) {
    throw new Error(`frames must be an array of at most ${kMaxFramesPerSend}`);
  }
  const sentAt = [];
  const started = Date.now();
  for (const [index, frame] of frames.entries()) {
    if (intervalMs > 0) {
      const due = started + index * intervalMs;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    }
    if (ws.readyState !== WebSocket.OPEN) break;
    sentAt.push(Date.now());
    ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }
  return { sentAt, unsent: frames.length - sentAt.length };
}

/** Closes a UI client (code 1000) and waits for the close (at most 2 s). */
function uiClose({ ui }) {
  const ws = uiClients.get(ui);
  if (!ws) return { closed: true };
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ closed: false }), kUiCloseWaitMs);
    ws.addEventListener('close', () => {
      clearTimeout(timer);
      resolve({ closed: true });
    });
    ws.close(1000);
  });
}

/**
 * Opens a daemon channel under the caller's id `channel`: TLS 1.3 to
 * host:port with the client certificate `certPem`/`keyPem` (none if absent),
 * ALPN `alpn`, any server certificate (the caller checks `serverKey`, the
 * raw Ed25519 key of the daemon's certificate, base64). In TLS 1.3 a server
 * judges the client's certificate after the client's side of the handshake
 * is done, so this resolves { handshake: 'ok', … } only once the daemon's
 * first frame arrived (a daemon sends its hello at once), and
 * { handshake: 'error', error, tlsDone } if the connection failed or closed
 * before. Frames are streamed as events from then on.
 */
function channelOpen({
  channel, host, port = 3001, keyPem, certPem, alpn = ['peerdrop/2'], timeoutMs = 5000,
}) {
  if (typeof channel !== 'string' || channels.has(channel)) throw new Error(`channel id ${JSON.stringify(channel)} is missing or in use`);
  if (channels.size >= kMaxChannels) throw new Error(`at most ${kMaxChannels} daemon channels per agent`);
  const started = Date.now();
  const socket = tls.connect({
    host, port, ALPNProtocols: alpn, rejectUnauthorized: false, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3',
    ...(keyPem && { key: keyPem }), ...(certPem && { cert: certPem }),
  });
  channels.set(channel, socket);
  return new Promise((resolve) => {
    let settled = false;
    let tlsDone = false;
    let error;
    let info = {};
    let received = Buffer.alloc(0);
    const settle = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...info, ...result, tlsDone, durationMs: Date.now() - started });
    };
    const timer = setTimeout(() => {
      settle({ handshake: 'error', error: `no frame within ${timeoutMs} ms` });
      socket.closedByClient = true;
      socket.destroy();
    }, timeoutMs);
    socket.setNoDelay(true);
    socket.on('secureConnect', () => {
      tlsDone = true;
      info = { alpn: socket.alpnProtocol || null, protocol: socket.getProtocol(), ...serverKeyOf(socket) };
    });
    socket.on('data', (chunk) => {
      settle({ handshake: 'ok' });
      received = Buffer.concat([received, chunk]);
      while (received.length >= kFrameHeaderBytes) {
        const length = received.readUInt32BE(0);
        if (length === 0 || length - 1 > kMaxFramePayloadBytes) {
          error = `the daemon sent a bad frame length ${length}`;
          socket.destroy();
          return;
        }
        if (received.length < 4 + length) break;
        const type = received[4];
        const payload = received.subarray(kFrameHeaderBytes, 4 + length);
        write({ event: 'channel', channel, at: Date.now(), type, payload: payload.toString('base64') });
        // A ping is answered as a daemon would, so the channel stays up however long a test holds it.
        if (type === kPingFrame) socket.write(Buffer.concat([received.subarray(0, 4), Buffer.from([kPongFrame]), payload]));
        received = received.subarray(4 + length);
      }
    });
    socket.on('error', (e) => { error ??= e.code || e.message; });
    socket.on('close', () => {
      channels.delete(channel);
      settle({ handshake: 'error', error: error ?? 'closed before the first frame' });
      const closedBy = socket.closedByClient ? 'client' : error ? 'reset' : 'server';
      write({ event: 'channel_close', channel, at: Date.now(), closedBy, ...(error && { error }) });
    });
  });
}

/** The server certificate's key: { serverKey (raw Ed25519, base64), serverKeyType }. */
function serverKeyOf(socket) {
  const key = socket.getPeerX509Certificate()?.publicKey;
  if (!key) return { serverKey: null, serverKeyType: null };
  const jwk = key.asymmetricKeyType === 'ed25519' ? key.export({ format: 'jwk' }) : undefined;
  return {
    serverKey: jwk ? Buffer.from(jwk.x, 'base64url').toString('base64') : null,
    serverKeyType: key.asymmetricKeyType,
  };
}

/**
 * Writes `frames` ([{ type, payload (base64) }], each as u32 length | u8 type
 * | payload) and then `raw` (base64 bytes as they are) on an open channel.
 */
function channelSend({ channel, frames = [], raw }) {
  const socket = channels.get(channel);
  if (!socket) throw new Error(`no open daemon channel ${JSON.stringify(channel)}`);
  const parts = frames.map(({ type, payload = '' }) => {
    const bytes = Buffer.from(payload, 'base64');
    const header = Buffer.alloc(kFrameHeaderBytes);
    header.writeUInt32BE(bytes.length + 1);
    header[4] = type;
    return Buffer.concat([header, bytes]);
  });
  if (raw !== undefined) parts.push(Buffer.from(raw, 'base64'));
  const data = Buffer.concat(parts);
  return new Promise((resolve) => {
    socket.write(data, (error) => resolve({ written: error ? 0 : data.length, ...(error && { error: error.code || error.message }) }));
  });
}

/** Ends a daemon channel (close_notify, FIN) and waits for the close (at most 2 s, then destroys it). */
function channelClose({ channel }) {
  const socket = channels.get(channel);
  if (!socket) return { closed: true };
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ closed: false });
    }, kUiCloseWaitMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ closed: true });
    });
    socket.closedByClient = true;
    socket.end();
  });
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
