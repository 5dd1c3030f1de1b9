// A headless Chromium in a lab host's namespace driven over the DevTools
// protocol directly (--remote-debugging-pipe), with one page and only the
// Page, Runtime and Performance domains enabled.
//
// Why not Playwright (lab/lib/browser.mjs) for a page that streams files to
// its daemon: Playwright enables the Network domain on every page, and
// Chromium then copies every WebSocket frame, base64-encoded, into a
// DevTools event (Network.webSocketFrameSent) that the browser process
// forwards to the test process. For a page forwarding hundreds of MiB to its
// daemon that costs the page, the browser and the test process about a fifth
// of the CPU the transfer itself needs, which no user pays. Same flags as the
// lab's browsers (kChromiumArgs).

import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { kChromiumArgs, kChromiumBinary } from '../../lab/lib/index.mjs';
import { processInfo } from '../../lab/lib/browser.mjs';
import { waitFor } from '../../lab/lib/wait.mjs';

const kCommandTimeoutMs = 30_000;
let sequence = 0;

export class CdpPage {
  /** Starts Chromium in `host`'s namespace, opens `url` with `localStorage` set before the page's scripts run. */
  static async open(host, { url, localStorage = {}, timeoutMs = 30_000 }) {
    const page = new CdpPage(host);
    host.lab.track(page);
    await page.launch();
    await page.attach();
    const pairs = Object.entries(localStorage);
    if (pairs.length > 0) {
      await page.send('Page.addScriptToEvaluateOnNewDocument', {
        source: `for (const [k, v] of ${JSON.stringify(pairs)}) window.localStorage.setItem(k, v);`,
      });
    }
    await page.send('Page.navigate', { url });
    await waitFor(() => page.evaluate(() => document.readyState).catch(() => undefined), {
      timeout: timeoutMs, interval: 50, what: `${url} to load in ${host.name}'s CDP page`, until: (state) => state === 'complete',
    });
    return page;
  }

  constructor(host) {
    this.host = host;
    this.dir = path.join(host.dir, `cdp-browser-${++sequence}`);
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Map();
    this.sessionId = undefined;
    this.buffer = '';
    this.closed = false;
  }

  async launch() {
    mkdirSync(path.join(this.dir, 'home'), { recursive: true });
    const log = openSync(path.join(this.dir, 'chromium.log'), 'a');
    const args = [...kChromiumArgs, '--remote-debugging-pipe', `--user-data-dir=${path.join(this.dir, 'profile')}`, 'about:blank'];
    const home = path.join(this.dir, 'home');
    this.child = spawn('ip', ['netns', 'exec', this.host.namespace, kChromiumBinary, ...args], {
      stdio: ['ignore', log, log, 'pipe', 'pipe'],
      env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_CACHE_HOME: path.join(home, '.cache') },
    });
    closeSync(log);
    this.pid = this.child.pid;
    this.exited = new Promise((resolve) => this.child.on('exit', resolve));
    this.child.on('exit', () => this.fail(new Error(`Chromium (pid ${this.pid}) on ${this.host.name} exited`)));
    this.writer = this.child.stdio[3];
    this.writer.on('error', () => {});
    this.child.stdio[4].on('data', (chunk) => this.receive(chunk));
  }

  async attach() {
    const { targetInfos } = await waitFor(() => this.send('Target.getTargets'), {
      timeout: 10_000, interval: 50, what: `a page target in ${this.host.name}'s Chromium`,
      until: (r) => r.targetInfos.some((t) => t.type === 'page'),
    });
    const target = targetInfos.find((t) => t.type === 'page');
    ({ sessionId: this.sessionId } = await this.send('Target.attachToTarget', { targetId: target.targetId, flatten: true }, null));
    await this.send('Page.enable');
    await this.send('Runtime.enable');
    await this.send('Performance.enable');
  }

  receive(chunk) {
    this.buffer += chunk.toString('utf8');
    for (let end = this.buffer.indexOf('\0'); end >= 0; end = this.buffer.indexOf('\0')) {
      const message = JSON.parse(this.buffer.slice(0, end));
      this.buffer = this.buffer.slice(end + 1);
      if (message.id !== undefined) {
        const pending = this.pending.get(message.id);
        if (!pending) continue;
        this.pending.delete(message.id);
        clearTimeout(pending.timer);
        if (message.error) pending.reject(new Error(`${pending.method}: ${message.error.message} ${message.error.data ?? ''}`));
        else pending.resolve(message.result);
      } else if (message.method === 'Runtime.exceptionThrown') {
        this.errors ??= [];
        this.errors.push(message.params.exceptionDetails?.exception?.description ?? message.params.exceptionDetails?.text);
      }
    }
  }

  fail(error) {
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.pending.clear();
  }

  /** One DevTools command (to the page's session unless `sessionId` is null: the browser). */
  send(method, params = {}, sessionId = this.sessionId, timeoutMs = kCommandTimeoutMs) {
    if (this.closed) return Promise.reject(new Error(`${this.host.name}'s CDP page is closed`));
    const id = this.nextId++;
    const message = { id, method, params };
    if (sessionId) message.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} on ${this.host.name}'s CDP page: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, method });
      this.writer.write(`${JSON.stringify(message)}\0`);
    });
  }

  /** Runs `fn(arg)` in the page (awaiting a promise, at most `timeoutMs`) and resolves with its JSON value. */
  async evaluate(fn, arg, { timeoutMs = kCommandTimeoutMs } = {}) {
    const expression = `(${fn.toString()})(${arg === undefined ? '' : JSON.stringify(arg)})`;
    const { result, exceptionDetails } = await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true },
      this.sessionId, timeoutMs);
    if (exceptionDetails) {
      throw new Error(`in ${this.host.name}'s page: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    }
    return result.value;
  }

  /** Performance.getMetrics as { name: value }. */
  async metrics() {
    const { metrics } = await this.send('Performance.getMetrics');
    return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
  }

  /** Closes the browser (Browser.close, then SIGKILL of its process group if it lingers). */
  async teardown() {
    if (this.closed) return;
    try {
      await Promise.race([this.send('Browser.close', {}, null), new Promise((resolve) => setTimeout(resolve, 3000))]);
    } catch { /* gone already */ }
    this.closed = true;
    if (processInfo(this.pid)?.alive) {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch { /* gone */ }
    }
    await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
    this.fail(new Error('closed'));
  }
}
