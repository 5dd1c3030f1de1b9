// A peerdropd started by a benchmark: its own command line (no lab defaults,
// so nothing like `--announce-interval 1` sneaks in), its own log file and
// data dir (several can run in one namespace), the spawn instant taken with
// process.hrtime, and a fine-grained health poll for the start-up time.
//
// It reuses the lab's NamespaceProcess (`ip netns exec NS peerdropd …`, which
// execs, so the pid is peerdropd's own) and registers it with the lab, so
// lab.destroy() ends it whatever happens.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { kDaemonBinary } from '../../lab/lib/index.mjs';
import { NamespaceProcess } from '../../lab/lib/process.mjs';
import { msBetween, now, pollUntil } from './clock.mjs';

const kHealthTimeoutMs = 5000;

export class BenchDaemon {
  /**
   * host: a lab Host. name: --name and the log/data dir name. address: where
   * the host's agent reaches the HTTP API (default: the host's first address).
   * args: further flags (e.g. --bind, --port, --no-scan).
   */
  constructor(host, { name, args = [], address, port = 3001, dataDir, logLevel = 'info' }) {
    this.host = host;
    this.name = name;
    this.args = args.map(String);
    this.port = port;
    this.address = address ?? host.ip;
    this.dataDir = dataDir ?? path.join(host.dir, `data-${name}`);
    // Received files stay in the lab's folder, never in the running user's ~/Downloads.
    this.downloadDir = path.join(host.dir, `downloads-${name}`);
    this.logPath = path.join(host.dir, `peerdropd-${name}.log`);
    this.logLevel = logLevel;
    this.process = undefined;
    this.health = undefined;
  }

  get baseUrl() { return `http://${this.address}:${this.port}`; }
  get pid() { return this.process?.pid; }
  get id() { return this.health?.id; }
  get running() { return Boolean(this.process?.running); }
  /** The control token the daemon made in its data dir at its first start (what its own UI sends). */
  get token() { return readFileSync(path.join(this.dataDir, 'control-token'), 'utf8').trim(); }

  argv() {
    return [
      kDaemonBinary, '--data-dir', this.dataDir, '--download-dir', this.downloadDir, '--name', this.name,
      '--log-level', this.logLevel,
      ...(this.port === 3001 ? [] : ['--port', String(this.port)]), ...this.args,
    ];
  }

  /** Spawns the process; returns the hrtime instant taken just before the spawn. */
  spawn() {
    if (!existsSync(kDaemonBinary)) throw new Error(`peerdropd is not built: ${kDaemonBinary} (run make build)`);
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    const argv = this.argv();
    this.spawnedAt = now();
    this.process = new NamespaceProcess(this.host.namespace, argv, this.logPath, {
      cwd: this.host.dir, label: `peerdropd ${this.name} on ${this.host.name}`,
    });
    this.host.lab.track(this.process);
    return this.spawnedAt;
  }

  /**
   * Polls GET /api/health from the host's namespace every `intervalMs` until
   * it answers 200. Resolves with { health, sentAt, receivedAt, startupMs }
   * (startupMs: spawn → arrival of the first 200 in this process).
   */
  async waitHealthy({ intervalMs = 5, timeoutMs = kHealthTimeoutMs } = {}) {
    const url = `${this.baseUrl}/api/health`;
    try {
      const { value, sentAt, receivedAt } = await pollUntil(() => this.host.http({ url, timeoutMs: 1000 }), {
        intervalMs, timeoutMs, what: `GET ${url} in ${this.host.name} to answer 200`,
        until: (res) => res.status === 200,
        abort: () => (this.running ? undefined : `peerdropd ${this.name} exited: ${JSON.stringify(this.process.exitInfo)}`),
      });
      this.health = JSON.parse(value.body);
      return { health: this.health, sentAt, receivedAt, startupMs: msBetween(this.spawnedAt, receivedAt) };
    } catch (error) {
      error.message += `\n--- ${this.logPath}:\n${this.logTail()}`;
      throw error;
    }
  }

  async start(options) {
    this.spawn();
    return this.waitHealthy(options);
  }

  /** SIGTERM and wait for the exit; resolves with { code, signal, stopMs }. */
  async stop({ timeoutMs = 5000 } = {}) {
    const t0 = now();
    const exit = await this.process.stop('SIGTERM', { timeout: timeoutMs, force: true });
    return { ...exit, stopMs: msBetween(t0, now()) };
  }

  /**
   * HTTP from the host's namespace to this daemon, with its control token
   * (as its own UI sends it): { status, body, json } or { error }.
   */
  async request(pathname, { method = 'GET', body, timeoutMs = 3000 } = {}) {
    const headers = { authorization: `Bearer ${this.token}` };
    const res = await this.host.http({ url: `${this.baseUrl}${pathname}`, method, headers, body, timeoutMs });
    if (res.error === undefined && /json/.test(res.headers?.['content-type'] ?? '')) {
      try {
        res.json = JSON.parse(res.body);
      } catch { /* left undefined; callers check */ }
    }
    return res;
  }

  /** The peer list; throws unless the daemon answers 200. */
  async peers() {
    const res = await this.request('/api/peers');
    if (res.status !== 200 || !Array.isArray(res.json)) {
      throw new Error(`GET /api/peers on ${this.name}: ${res.status ?? res.error} ${res.body ?? ''}`);
    }
    return res.json;
  }

  logTail(lines = 30) {
    try {
      return readFileSync(this.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

/** Starts `daemons` one after the other (each waits for its health answer). */
export async function startAll(daemons) {
  for (const daemon of daemons) await daemon.start({ intervalMs: 20 });
}

/** Waits until every daemon lists every other one online. */
export async function waitMesh(daemons, { timeoutMs = 10_000 } = {}) {
  await Promise.all(daemons.map((observer) => {
    const others = daemons.filter((d) => d !== observer).map((d) => d.id);
    return pollUntil(() => observer.peers(), {
      intervalMs: 50, timeoutMs, what: `${observer.name} to list ${daemons.filter((d) => d !== observer).map((d) => d.name)} online`,
      until: (peers) => others.every((id) => peers.some((p) => p.id === id && p.online)),
    });
  }));
}

/**
 * Waits until the daemon's scan (if any) has finished: GET /api/scan running
 * false; with `started`, also until a scan has run at all (startedAt set).
 */
export async function waitScanIdle(daemon, { timeoutMs = 15_000, started = false } = {}) {
  const { value } = await pollUntil(() => daemon.request('/api/scan'), {
    intervalMs: 20, timeoutMs, what: `${daemon.name} to have no scan running${started ? ' after one has run' : ''}`,
    until: (res) => res.status === 200 && res.json?.running === false && (!started || res.json.startedAt > 0),
  });
  return value.json;
}
