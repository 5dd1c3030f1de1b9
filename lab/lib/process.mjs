// A long-running process inside a namespace (`ip netns exec NS argv…`) whose
// stdout and stderr go straight to a log file, so the log survives a crash of
// the test process. `ip netns exec` execs the command, so `pid` is the
// command's own pid and signals reach it directly.

import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readFileSync } from 'node:fs';
import { formatArgv } from './exec.mjs';

export class NamespaceProcess {
  constructor(namespace, argv, logPath, { cwd, label = argv[0] } = {}) {
    Object.assign(this, { namespace, argv, logPath, label });
    this.exitInfo = undefined;
    appendFileSync(logPath, `=== lab: ${new Date().toISOString()} start in ${namespace}: ${formatArgv(argv)}\n`);
    const fd = openSync(logPath, 'a');
    // Lab processes never reach the desktop of whoever runs the lab (no desktop notifications).
    const env = Object.fromEntries(Object.entries(process.env)
      .filter(([key]) => key !== 'DBUS_SESSION_BUS_ADDRESS' && key !== 'XDG_RUNTIME_DIR'));
    this.child = spawn('ip', ['netns', 'exec', namespace, ...argv], { stdio: ['ignore', fd, fd], cwd, env });
    closeSync(fd);
    this.pid = this.child.pid;
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        const when = new Date().toISOString();
        appendFileSync(logPath, `=== lab: ${when} pid ${this.pid} exited: code ${code}, signal ${signal}\n`);
        resolve(this.exitInfo);
      });
      this.child.on('error', (error) => {
        this.exitInfo = { code: null, signal: null, error: error.message };
        resolve(this.exitInfo);
      });
    });
  }

  get running() { return this.exitInfo === undefined; }

  kill(signal = 'SIGTERM') {
    if (this.running) this.child.kill(signal);
  }

  /** Resolves with { code, signal } once exited; rejects after `timeout` ms. */
  async waitExit(timeout) {
    let timer;
    const expired = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(
        `${this.label} (pid ${this.pid}) still running ${timeout} ms after it was asked to stop`,
      )), timeout);
    });
    try {
      return await Promise.race([this.exited, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends `signal`, waits for the exit; with `force`, SIGKILLs after `timeout`. */
  async stop(signal = 'SIGTERM', { timeout = 5000, force = false } = {}) {
    this.kill(signal);
    try {
      return await this.waitExit(timeout);
    } catch (error) {
      if (!force) throw error;
      this.kill('SIGKILL');
      return this.exited;
    }
  }

  /** For Lab.destroy: SIGTERM, SIGKILL after `graceMs`. */
  async teardown(graceMs = 2000) {
    await this.stop('SIGTERM', { timeout: graceMs, force: true });
  }

  log() {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }
}
