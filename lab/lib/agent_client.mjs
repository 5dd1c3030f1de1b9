// The root-namespace side of agent.mjs: starts the agent inside a namespace
// and turns its JSON-line protocol into promises.

import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import readline from 'node:readline';

const kAgentPath = fileURLToPath(new URL('./agent.mjs', import.meta.url));
// The agent's UI clients use Node's WebSocket, behind a flag in node 20 (on by default later).
const kNodeFlags = process.allowedNodeEnvironmentFlags.has('--experimental-websocket') ? ['--experimental-websocket'] : [];
const kStartTimeoutMs = 5000;
const kCommandMarginMs = 5000;

export class AgentClient {
  /** Starts the agent in `namespace`; its stderr goes to `logPath`. */
  static async start(namespace, logPath) {
    const client = new AgentClient(namespace, logPath);
    await client.request('ping', {}, { timeoutMs: kStartTimeoutMs });
    return client;
  }

  constructor(namespace, logPath) {
    this.namespace = namespace;
    this.logPath = logPath;
    this.pending = new Map();
    this.listeners = new Map(); // key (e.g. a UI client id) -> fn(event) for unsolicited event lines
    this.nextId = 1;
    const logFd = openSync(logPath, 'a');
    this.child = spawn('ip', ['netns', 'exec', namespace, process.execPath, ...kNodeFlags, kAgentPath], {
      stdio: ['pipe', 'pipe', logFd],
    });
    closeSync(logFd);
    this.pid = this.child.pid;
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
    this.child.on('error', (error) => {
      this.exitReason = `agent in ${namespace} could not start: ${error.message}`;
      this.failAll(this.exitReason);
    });
    this.child.on('exit', (code, signal) => {
      this.exitReason = `agent in ${namespace} exited (code ${code}, signal ${signal}); see ${logPath}`;
      this.failAll(this.exitReason);
      for (const listener of this.listeners.values()) listener({ event: 'agent_exit', reason: this.exitReason });
    });
    this.child.stdin.on('error', () => { /* reported by the exit handler */ });
    readline.createInterface({ input: this.child.stdout }).on('line', (line) => this.onLine(line));
  }

  /**
   * Sends one command and resolves with its result. `timeoutMs` is a safety
   * net on top of the command's own timeouts, so a wedged agent fails the test
   * instead of hanging it.
   */
  request(cmd, params = {}, { timeoutMs } = {}) {
    if (this.exitReason) return Promise.reject(new Error(this.exitReason));
    const id = this.nextId++;
    const ownLimit = params.timeoutMs ?? params.maxDurationMs ?? params.replyTimeoutMs ?? 10_000;
    const limit = timeoutMs ?? ownLimit + kCommandMarginMs;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`agent in ${this.namespace}: no answer to ${cmd} within ${limit} ms`));
      }, limit);
      this.pending.set(id, { resolve, reject, timer, cmd });
      this.child.stdin.write(`${JSON.stringify({ id, cmd, ...params })}\n`);
    });
  }

  /**
   * Routes the agent's unsolicited event lines whose `ui` or `channel` is
   * `key` to `fn` (see agent.mjs: a UI client's messages, a daemon channel's
   * frames). Returns the unsubscribe function.
   */
  listen(key, fn) {
    this.listeners.set(key, fn);
    return () => this.listeners.delete(key);
  }

  onLine(line) {
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      return; // not ours: the agent only writes JSON lines
    }
    if (message.event !== undefined) {
      this.listeners.get(message.ui ?? message.channel)?.(message);
      return;
    }
    const entry = this.pending.get(message.id);
    if (!entry) return;
    this.pending.delete(message.id);
    clearTimeout(entry.timer);
    if (message.ok) entry.resolve(message.result);
    else entry.reject(new Error(`agent in ${this.namespace}: ${entry.cmd} failed: ${message.error}`));
  }

  failAll(reason) {
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(new Error(reason));
    }
    this.pending.clear();
  }

  /** Closes stdin (the agent then exits); kills it if it lingers. */
  async teardown() {
    if (this.exitReason) return;
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 1000);
    await this.exited;
    clearTimeout(timer);
  }
}
