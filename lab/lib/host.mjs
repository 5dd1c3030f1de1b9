// A lab host: its own namespace with one eth<k> per attached subnet, an
// agent for network I/O from inside, and optionally a peerdropd.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AgentClient } from './agent_client.mjs';
import { LabBrowser } from './browser.mjs';
import { Daemon } from './daemon.mjs';
import { DaemonChannelClient } from './daemon_channel.mjs';
import { impair } from './impairment.mjs';
import { NetNode } from './node.mjs';
import { NamespaceProcess } from './process.mjs';
import { UiClient } from './ui_client.mjs';

export class Host extends NetNode {
  constructor(lab, name, namespace, index) {
    super(lab, name, namespace);
    this.index = index;
    this.interfaces = []; // { dev, subnet, ip }
    this.dir = path.join(lab.runDir, name);
    this.dataDir = path.join(this.dir, 'data');
    /** Where this host's daemon writes received files (inside the run dir, never the real ~/Downloads). */
    this.downloadDir = path.join(this.dir, 'downloads');
    this.daemonLogPath = path.join(this.dir, 'daemon.log');
    this.agent = undefined;
    this.daemon = undefined;
    this.processes = [];
    this.browsers = []; // LabBrowser, in the order opened
    this.impairments = new Map(); // dev -> Impairment (lib/impairment.mjs)
    this.nextQueueNumber = 0; // NFQUEUE numbers are per namespace
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
  }

  /** The peer id of this host's daemon (known once it has started). */
  get id() { return this.daemon?.id; }

  /** The address on the first attached subnet. */
  get ip() { return this.interfaces[0]?.ip; }

  ipOn(subnetName) {
    const iface = this.interfaces.find((i) => i.subnet.name === subnetName);
    if (!iface) throw new Error(`host ${this.name} is not attached to subnet ${subnetName}`);
    return iface.ip;
  }

  async startAgent() {
    this.agent = await AgentClient.start(this.namespace, path.join(this.dir, 'agent.log'));
    this.lab.track(this.agent);
  }

  // ---- network I/O from inside the namespace (through the agent) ----

  /** Raw HTTP: resolves with { status, headers, body } or { error } (refused, reset, timeout). */
  http({ url, method = 'GET', headers = {}, body, timeoutMs = 5000 }) {
    const params = { url, method, headers, timeoutMs };
    if (Buffer.isBuffer(body)) params.bodyBase64 = body.toString('base64');
    else if (typeof body === 'string') params.body = body;
    else if (body !== undefined) {
      params.body = JSON.stringify(body);
      params.headers = { 'content-type': 'application/json', ...headers };
    }
    return this.agent.request('http', params);
  }

  /**
   * HTTP to `path` on this host's daemon (or to a full `http://…` URL).
   * Requests to this host's own daemon carry its control token, as the UI's
   * do, unless `headers` has `authorization` (null: none at all).
   * Returns { status, headers, body, json }; throws if no HTTP answer came.
   */
  async fetch(pathOrUrl, { method = 'GET', headers = {}, body, timeoutMs } = {}) {
    const url = /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${this.daemonBaseUrl()}${pathOrUrl}`;
    headers = { ...headers };
    if (!('authorization' in headers) && this.daemon && url.startsWith(`${this.daemon.baseUrl}/`)) {
      headers.authorization = `Bearer ${this.daemon.token}`;
    }
    if (headers.authorization === null) delete headers.authorization;
    const res = await this.http({ url, method, headers, body, timeoutMs });
    if (res.error) {
      const exited = this.daemon?.exitInfo && url.startsWith(this.daemon.baseUrl)
        ? ` (peerdropd on ${this.name} has exited: ${JSON.stringify(this.daemon.exitInfo)})` : '';
      throw new Error(`${method} ${url} from host ${this.name}: ${res.error}${exited}`);
    }
    let json;
    if (/json/.test(res.headers['content-type'] ?? '')) {
      try {
        json = JSON.parse(res.body);
      } catch (error) {
        throw new Error(`${method} ${url} from host ${this.name}: bad JSON (${error.message}): ${res.body.slice(0, 200)}`);
      }
    }
    return { ...res, json };
  }

  daemonBaseUrl() {
    return this.daemon ? this.daemon.baseUrl : `http://${this.ip}:3001`;
  }

  /** Sends one UDP datagram from this host. Options: bindPort, broadcast, replyTimeoutMs, maxReplies. */
  async sendUdp(buf, ip, port, options = {}) {
    const result = await this.agent.request('udp', { data: Buffer.from(buf).toString('base64'), ip, port, ...options });
    if (result.error) throw new Error(`UDP ${ip}:${port} from host ${this.name}: ${result.error}`);
    return { replies: result.replies.map(decodeDatagram) };
  }

  /** Sends each of `bufs` as one datagram from one socket, in order (a flood). */
  async sendUdpMany(bufs, ip, port) {
    const result = await this.agent.request('udp_many', {
      datagrams: bufs.map((buf) => Buffer.from(buf).toString('base64')), ip, port,
    });
    if (result.error) throw new Error(`UDP ${ip}:${port} from host ${this.name}: ${result.error}`);
    return result;
  }

  /**
   * Sends `buf` `count` times at `ratePerSecond` from one socket and counts
   * the replies: { sent, replies, durationMs } (see agent.mjs udpPace).
   */
  async paceUdp(buf, ip, port, { count, ratePerSecond, replyWindowMs }) {
    const result = await this.agent.request('udp_pace', {
      data: Buffer.from(buf).toString('base64'), ip, port, count, ratePerSecond, replyWindowMs,
    }, { timeoutMs: (count / ratePerSecond) * 1000 + (replyWindowMs ?? 1000) + 10_000 });
    if (result.error) throw new Error(`UDP to ${ip}:${port} from host ${this.name}: ${result.error}`);
    return result;
  }

  /**
   * Holds `perAddress` unfinished HTTP requests from each of `localAddresses`
   * (this host's addresses) to host:port for `durationMs`, reopening any the
   * server closes: { opened, busy, peakHeld } (see agent.mjs tcpHold).
   */
  async holdTcp({ host, port, localAddresses, perAddress, durationMs, dripIntervalMs }) {
    return this.agent.request('tcp_hold', { host, port, localAddresses, perAddress, durationMs, dripIntervalMs },
      { timeoutMs: durationMs + 15_000 });
  }

  /** Listens on UDP `port` until `count` datagrams or `timeoutMs`: [{ address, port, data }]. */
  async receiveUdp(port, { count = 1, timeoutMs = 2000, address } = {}) {
    const result = await this.agent.request('udp_recv', { port, count, timeoutMs, address });
    if (result.error) throw new Error(`UDP listen on ${port} on host ${this.name}: ${result.error}`);
    return result.datagrams.map(decodeDatagram);
  }

  /**
   * Raw TCP exchange (see agent.mjs tcpRaw): { host, port, data (Buffer|string),
   * drip: { bytes, intervalMs }, end, maxDurationMs }. The result has `reply`
   * (Buffer), `status` (from an HTTP status line, if any) and `closedBy`.
   */
  async rawTcp({ host = this.daemon?.address ?? this.ip, port = this.daemon?.port ?? 3001, data = '', ...options }) {
    const params = { host, port, data: Buffer.from(data).toString('base64'), ...options };
    const result = await this.agent.request('tcp_raw', params);
    const reply = Buffer.from(result.reply, 'base64');
    const statusLine = /^HTTP\/1\.[01] (\d{3})/.exec(reply.toString('latin1'));
    return { ...result, reply, status: statusLine ? Number(statusLine[1]) : undefined };
  }

  /**
   * Opens a UI client (WebSocket to /ws of this host's daemon, from inside the
   * namespace) and waits for its welcome and peers: see lib/ui_client.mjs.
   * The default URL carries the daemon's control token, as the page's does.
   * Options: url, headers (e.g. { origin }), timeoutMs, greeting, maxMessages.
   */
  openUi({ url = `${this.daemonBaseUrl().replace(/^http/, 'ws')}/ws?token=${this.daemon?.token ?? ''}`, ...options } = {}) {
    return UiClient.open(this, { url, ...options });
  }

  /**
   * Starts a headless Chromium in this namespace and opens this host's UI
   * by the link its daemon prints (http://<daemon address>:<port>/#token=…): a LabBrowser with `page`, `context`,
   * `browser`, `close()`, `kill()`, `reload()`, `peerConnections()` and a
   * page log (see lib/browser.mjs). Options: url, localStorage, instrument.
   * The lab closes it at teardown (and kills its processes if that hangs).
   */
  async openBrowser(options) {
    const browser = await LabBrowser.open(this, options);
    this.browsers.push(browser);
    return browser;
  }

  /** Closes every browser of this host (like a user closing the window). */
  async closeBrowser() {
    await Promise.all(this.browsers.map((browser) => browser.close()));
  }

  /**
   * Opens a daemon channel from this host to `target`'s daemon (a Host, or
   * { ip, port }) as another daemon would: TLS 1.3 with a client certificate
   * made from `identity` (default: a fresh one) or the given `certificate`
   * (null: none), ALPN peerdrop/2. Resolves with a DaemonChannelClient
   * (lib/daemon_channel.mjs) whose `handshake` is 'ok' or 'error'.
   */
  openChannel(target, options) {
    return DaemonChannelClient.open(this, target, options);
  }

  /**
   * One exchange on a fresh daemon channel: opens it (see openChannel),
   * sends `frames`, waits for the pong to a ping sent after them (the daemon
   * has handled them), closes. Resolves with { handshake, error, serverKey,
   * serverId, alpn, frames (all the daemon sent), acks }.
   */
  async channel(target, { frames = [], ...options } = {}) {
    const ch = await this.openChannel(target, options);
    const { handshake, error, serverKey, serverId, alpn } = ch;
    if (handshake !== 'ok') return { handshake, error, serverKey, serverId, alpn, frames: [], acks: [] };
    await ch.roundTrip(frames);
    await ch.close();
    return { handshake, serverKey, serverId, alpn, frames: ch.frames, acks: ch.acks() };
  }

  // ---- link impairment ----

  /**
   * Delay and loss on what this host sends out of `dev` (default eth0):
   * impair({ delayMs: 30, lossPercent: 3 }). netem where the kernel has it,
   * otherwise iptables loss and the lab_nfq_delay tool (lib/impairment.mjs).
   * Resolves with a handle whose restore() undoes it exactly.
   */
  impair(options) {
    return impair(this, options);
  }

  // ---- processes ----

  /** Starts any long-running command in this namespace; output goes to <host dir>/<logName>.log. */
  spawn(argv, { logName = path.basename(argv[0]) } = {}) {
    const proc = new NamespaceProcess(this.namespace, argv, path.join(this.dir, `${logName}.log`));
    this.processes.push(proc);
    this.lab.track(proc);
    return proc;
  }

  /** Starts peerdropd here (lab defaults + `args`) and waits until it is healthy. */
  async startDaemon(args = []) {
    if (this.daemon?.running) throw new Error(`host ${this.name} already runs peerdropd (pid ${this.daemon.pid})`);
    this.daemon = new Daemon(this, args);
    return this.daemon.start();
  }

  stopDaemon(signal = 'SIGTERM', options) {
    if (!this.daemon) throw new Error(`no daemon was started on ${this.name}`);
    return this.daemon.stop(signal, options);
  }

  // ---- PeerDrop API shortcuts (control calls go to the daemon's own address) ----

  async peers() {
    const res = await this.fetch('/api/peers');
    if (res.status !== 200) throw new Error(`GET /api/peers on ${this.name}: ${res.status} ${res.body}`);
    return res.json;
  }

  async health() {
    const res = await this.fetch('/api/health');
    if (res.status !== 200) throw new Error(`GET /api/health on ${this.name}: ${res.status} ${res.body}`);
    return res.json;
  }
}

function decodeDatagram({ address, port, data }) {
  return { address, port, data: Buffer.from(data, 'base64') };
}
