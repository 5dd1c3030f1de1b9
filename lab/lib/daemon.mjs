// A peerdropd running on a lab host: started with lab defaults, ready once
// GET /api/health answers from inside the host's namespace.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { NamespaceProcess } from './process.mjs';
import { waitFor } from './wait.mjs';
import { kRepoDir } from './paths.mjs';

export const kDaemonBinary = process.env.PEERDROPD || `${kRepoDir}/build/peerdropd`;
export const kDefaultPort = 3001;
const kHealthDeadlineMs = 5000;
const kLogTailLines = 40;

/** Lab defaults; a flag given by the test replaces its default. */
function defaultFlags(host) {
  return [
    ['--data-dir', host.dataDir],
    ['--download-dir', host.downloadDir],
    ['--name', host.name],
    ['--log-level', 'debug'],
    ['--announce-interval', '1'],
  ];
}

export function flagValue(args, flag) {
  const at = args.lastIndexOf(flag);
  return at >= 0 ? args[at + 1] : undefined;
}

export class Daemon {
  constructor(host, args) {
    this.host = host;
    this.args = args.map(String);
    this.process = undefined;
    this.health = undefined; // GET /api/health answer at the last start
  }

  /** The command line: lab defaults (unless overridden) followed by the test's args. */
  argv() {
    const defaults = defaultFlags(this.host).filter(([flag]) => !this.args.includes(flag)).flat();
    return [kDaemonBinary, ...defaults, ...this.args];
  }

  get port() { return Number(flagValue(this.args, '--port') ?? kDefaultPort); }

  /** The address the lab uses to reach this daemon from its own namespace. */
  get address() {
    const bind = flagValue(this.args, '--bind');
    if (bind && bind !== '0.0.0.0') return bind;
    return this.args.includes('--loopback') ? '127.0.0.1' : this.host.ip;
  }

  get baseUrl() { return `http://${this.address}:${this.port}`; }
  /**
   * The control token the daemon keeps in its data dir (made at its first
   * start). The lab runs as root, so it reads the file as the user's own
   * tools would; another user cannot.
   */
  get token() {
    const dataDir = flagValue(this.args, '--data-dir') ?? this.host.dataDir;
    return readFileSync(path.join(dataDir, 'control-token'), 'utf8').trim();
  }
  /** The link the daemon prints at start: its UI with the token in the fragment. */
  get uiUrl() { return `${this.baseUrl}/#token=${this.token}`; }
  /** The peer id from the last health answer at start. */
  get id() { return this.health?.id; }
  get pid() { return this.process?.pid; }
  /** Resolves with { code, signal } when the current process exits. */
  get exited() { return this.process?.exited; }
  get running() { return Boolean(this.process?.running); }
  get exitInfo() { return this.process?.exitInfo; }
  get logPath() { return this.host.daemonLogPath; }

  async start() {
    if (!existsSync(kDaemonBinary)) {
      throw new Error(`peerdropd is not built: ${kDaemonBinary} does not exist (build it first, or set PEERDROPD)`);
    }
    // Run in the host dir with core dumps allowed: a crash leaves `core*` next
    // to daemon.log (where the kernel's core_pattern is a plain file name).
    const argv = ['prlimit', '--core=unlimited', '--', ...this.argv()];
    this.process = new NamespaceProcess(this.host.namespace, argv, this.logPath, {
      cwd: this.host.dir, label: `peerdropd on ${this.host.name}`,
    });
    this.host.lab.track(this.process);
    await this.waitHealthy();
    return this;
  }

  async waitHealthy() {
    const url = `${this.baseUrl}/api/health`;
    try {
      const res = await waitFor(async () => {
        if (!this.running) {
          throw new Error(`peerdropd on ${this.host.name} exited during start-up (${JSON.stringify(this.exitInfo)})`);
        }
        const res = await this.host.http({ url, timeoutMs: 1000 });
        return res.status === 200 ? res : { error: res.error, status: res.status, body: res.body };
      }, {
        timeout: kHealthDeadlineMs, interval: 50, what: `GET ${url} on ${this.host.name} to answer 200`,
        until: (res) => res.status === 200,
      });
      this.health = JSON.parse(res.body);
    } catch (error) {
      error.message += `\n--- last ${kLogTailLines} lines of ${this.logPath}:\n${this.logTail()}`;
      throw error;
    }
  }

  /** Sends a signal without waiting. */
  kill(signal = 'SIGTERM') {
    this.process?.kill(signal);
  }

  /** Sends `signal` and waits (at most `timeout` ms) for the exit: { code, signal }. */
  stop(signal = 'SIGTERM', { timeout = 5000, force = false } = {}) {
    if (!this.process) throw new Error(`no daemon was started on ${this.host.name}`);
    return this.process.stop(signal, { timeout, force });
  }

  /** SIGTERM, then start again with the same data dir (and `args`, by default the same). */
  async restart(args = this.args) {
    if (this.running) await this.stop('SIGTERM');
    this.args = args.map(String);
    return this.start();
  }

  /**
   * Memory of the running daemon from /proc/<pid>/status (readable from the
   * root namespace): { rssKiB (VmRSS), peakKiB (VmHWM) }.
   */
  memory() {
    if (!this.running) throw new Error(`peerdropd on ${this.host.name} is not running`);
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    const name = /^Name:\s+(\S+)/m.exec(status)?.[1];
    const expected = path.basename(kDaemonBinary).slice(0, 15); // the kernel keeps 15 characters of it
    if (name !== expected) throw new Error(`pid ${this.pid} of ${this.host.name}'s daemon is "${name}", not ${expected}`);
    return { rssKiB: field('VmRSS'), peakKiB: field('VmHWM') };
  }

  log() { return this.process ? this.process.log() : ''; }

  logTail(lines = kLogTailLines) {
    return this.log().trimEnd().split('\n').slice(-lines).join('\n');
  }
}
