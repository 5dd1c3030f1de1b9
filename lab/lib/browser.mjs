// A headless Chromium inside a lab host's namespace, driven by playwright-core.
//
// Debian's chromium (/usr/lib/chromium/chromium, override with
// LAB_CHROMIUM) is started through a small wrapper script in the browser's
// directory (`exec ip netns exec NS chromium "$@"`), so the browser and every
// process it forks live in the host's namespace: its traffic is the host's
// traffic, and the namespace's teardown kills whatever is left. Playwright
// talks to it over the inherited pipes (fds 3 and 4), which `ip netns exec`
// keeps. Chromium's default WebRTC privacy stays on: host candidates are
// hidden behind mDNS names.
//
// Each browser gets its own directory <host dir>/browser-<n>/ with the
// profile, HOME (crash reports and caches land there, not in /root), the
// wrapper, chromium.log (Chromium's stderr) and page.log (console messages,
// page errors, crashes, failed requests, WebSocket opens and closes).

import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { namespacePids } from './netns.mjs';
import { waitFor } from './wait.mjs';

export const kChromiumBinary = process.env.LAB_CHROMIUM || '/usr/lib/chromium/chromium';
export const kChromiumArgs = Object.freeze([
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]);
const kLaunchTimeoutMs = 30_000;
const kCloseTimeoutMs = 3000;
const kKillWaitMs = 3000;
const kLogTailLines = 30;

/** Why a browser cannot be started on this machine, or undefined. */
export async function browserUnavailableReason() {
  if (!existsSync(kChromiumBinary)) {
    return `${kChromiumBinary} does not exist (apt-get install chromium, or set LAB_CHROMIUM)`;
  }
  try {
    await loadPlaywright();
  } catch (error) {
    return error.message;
  }
  return undefined;
}

let playwright;

/** playwright-core, loaded on first use so the rest of the lab runs without lab/node_modules. */
async function loadPlaywright() {
  try {
    playwright ??= await import('playwright-core');
  } catch (error) {
    throw new Error(`playwright-core is not installed (run npm ci in lab/): ${error.message}`);
  }
  return playwright;
}

/**
 * Installed in every page before its own scripts: wraps RTCPeerConnection
 * so the lab can see every connection the page makes (window.__lab.pcs)
 * without relying on the UI's internals, and stamps clicks on buttons
 * (window.__lab.clicks: { name, at: Date.now() }) on one clock for all hosts.
 */
function instrumentPage() {
  const lab = { pcs: [], clicks: [] };
  Object.defineProperty(window, '__lab', { value: lab });
  const Native = window.RTCPeerConnection;
  if (Native) {
    class LabPeerConnection extends Native {
      constructor(...args) {
        super(...args);
        const entry = { pc: this, createdAt: Date.now(), config: args[0], events: [], ufrags: [] };
        lab.pcs.push(entry);
        const note = (what) => entry.events.push({ at: Date.now(), what });
        this.addEventListener('iceconnectionstatechange', () => note(`ice ${this.iceConnectionState}`));
        this.addEventListener('connectionstatechange', () => note(`connection ${this.connectionState}`));
        this.addEventListener('signalingstatechange', () => {
          note(`signaling ${this.signalingState}`);
          // A new local ICE ufrag is an ICE restart (the first one is the initial negotiation).
          const ufrag = /a=ice-ufrag:(\S+)/.exec(this.localDescription?.sdp ?? '')?.[1];
          if (ufrag && !entry.ufrags.includes(ufrag)) entry.ufrags.push(ufrag);
        });
      }
    }
    window.RTCPeerConnection = LabPeerConnection;
  }
  document.addEventListener('click', (event) => {
    const button = event.target?.closest?.('button');
    if (button) lab.clicks.push({ name: (button.getAttribute('aria-label') || button.textContent || '').trim(), at: Date.now() });
  }, true);
}

let browserSequence = 0;

export class LabBrowser {
  /**
   * Starts Chromium in `host`'s namespace and opens `url` (default: the
   * host's own daemon). Options:
   *   localStorage: { key: value } set for the page's origin before its scripts run
   *   instrument: wrap RTCPeerConnection and stamp clicks (default true)
   *   timeoutMs: launch and navigation deadline
   *   profileOf: a LabBrowser of the same host that was closed or killed:
   *     this one starts on its profile (a person reopening their browser
   *     keeps localStorage, IndexedDB, …: whatever the old one had written)
   */
  static async open(host, { url, localStorage = {}, instrument = true, timeoutMs = kLaunchTimeoutMs, profileOf } = {}) {
    if (profileOf && (profileOf.host !== host || !profileOf.closed)) {
      throw new Error(`profileOf: ${profileOf.host.name}/${profileOf.label} must be a closed or killed browser of ${host.name}`);
    }
    const browser = new LabBrowser(host, ++browserSequence, profileOf?.profileDir);
    host.lab.track(browser);
    try {
      await browser.launch({ localStorage, instrument, timeoutMs });
      await browser.goto(url ?? host.daemon?.uiUrl ?? `${host.daemonBaseUrl()}/`, { timeoutMs });
    } catch (error) {
      await browser.teardown().catch(() => {});
      error.message = `Chromium on ${host.name}: ${error.message}\n--- last ${kLogTailLines} lines of ${browser.chromiumLogPath}:\n` +
        tail(browser.chromiumLogPath, kLogTailLines);
      throw error;
    }
    return browser;
  }

  constructor(host, sequence, profileDir) {
    this.host = host;
    this.label = `browser-${sequence}`;
    this.dir = path.join(host.dir, this.label);
    this.profileDir = profileDir ?? path.join(this.dir, 'profile');
    this.homeDir = path.join(this.dir, 'home');
    this.wrapperPath = path.join(this.dir, 'chromium.sh');
    this.chromiumLogPath = path.join(this.dir, 'chromium.log');
    this.logPath = path.join(this.dir, 'page.log');
    this.context = undefined;
    this.page = undefined;
    this.pid = undefined; // the main Chromium process
    this.closed = false;
    this.errors = []; // uncaught page errors, as text
    mkdirSync(this.profileDir, { recursive: true });
    mkdirSync(this.homeDir, { recursive: true });
  }

  /** The Playwright Browser that owns the context. */
  get browser() { return this.context?.browser(); }

  async launch({ localStorage, instrument, timeoutMs }) {
    writeFileSync(this.wrapperPath,
      `#!/bin/sh\nexec ip netns exec ${this.host.namespace} ${kChromiumBinary} "$@" 2>>'${this.chromiumLogPath}'\n`);
    chmodSync(this.wrapperPath, 0o755);
    this.log(`launch in ${this.host.namespace}: ${kChromiumBinary} ${kChromiumArgs.join(' ')} (profile ${this.profileDir})`);
    const { chromium } = await loadPlaywright();
    this.context = await chromium.launchPersistentContext(this.profileDir, {
      executablePath: this.wrapperPath,
      args: [...kChromiumArgs],
      headless: true,
      timeout: timeoutMs,
      // The lab's own handlers delete the namespaces (and so the browsers) on a signal.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      env: { ...process.env, HOME: this.homeDir, XDG_CONFIG_HOME: path.join(this.homeDir, '.config'),
        XDG_CACHE_HOME: path.join(this.homeDir, '.cache') },
    });
    this.pid = await this.findMainPid();
    this.context.on('close', () => this.log('context closed'));
    if (instrument) await this.context.addInitScript(instrumentPage);
    const entries = Object.entries(localStorage);
    if (entries.length > 0) {
      await this.context.addInitScript((pairs) => {
        for (const [key, value] of pairs) window.localStorage.setItem(key, value);
      }, entries);
    }
    this.page = this.context.pages()[0] ?? await this.context.newPage();
    this.watch(this.page);
  }

  /** Records what a page says into page.log. */
  watch(page) {
    page.on('console', (message) => this.log(`console.${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => {
      const text = error.stack || error.message;
      this.errors.push(text);
      this.log(`pageerror: ${text}`);
    });
    page.on('crash', () => this.log('page crashed'));
    page.on('close', () => this.log('page closed'));
    page.on('requestfailed', (request) => this.log(`request failed: ${request.method()} ${request.url()}: ${request.failure()?.errorText}`));
    page.on('websocket', (ws) => {
      this.log(`websocket open: ${ws.url()}`);
      ws.on('close', () => this.log(`websocket closed: ${ws.url()}`));
    });
  }

  async goto(url, { timeoutMs = kLaunchTimeoutMs } = {}) {
    this.url = url;
    const response = await this.page.goto(url, { timeout: timeoutMs, waitUntil: 'load' });
    if (!response || response.status() !== 200) {
      throw new Error(`GET ${url} in the browser answered ${response?.status()}`);
    }
    return response;
  }

  /** Reloads the page (the UI starts again from what the daemon keeps). */
  async reload({ timeoutMs = kLaunchTimeoutMs } = {}) {
    await this.page.reload({ timeout: timeoutMs, waitUntil: 'load' });
  }

  log(line) {
    try {
      appendFileSync(this.logPath, `${new Date().toISOString()} ${line}\n`);
    } catch { /* the run dir is gone after teardown */ }
  }

  logText() {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  logTail(lines = kLogTailLines) {
    return tail(this.logPath, lines);
  }

  /**
   * Every RTCPeerConnection the page created (needs `instrument`): state,
   * its state changes ({ at: Date.now(), what }), how many ICE restarts it
   * made (new local ICE ufrags after the first), and for an open one the
   * selected candidate pair from getStats().
   */
  peerConnections() {
    return this.page.evaluate(async () => Promise.all(window.__lab.pcs.map(async ({ pc, createdAt, events, ufrags }) => {
      const info = {
        createdAt, connectionState: pc.connectionState, iceConnectionState: pc.iceConnectionState,
        signalingState: pc.signalingState, events, iceRestarts: Math.max(0, ufrags.length - 1),
      };
      if (pc.connectionState === 'closed') return info;
      try {
        const stats = await pc.getStats();
        const byId = new Map();
        stats.forEach((s) => byId.set(s.id, s));
        const transport = [...byId.values()].find((s) => s.type === 'transport' && s.selectedCandidatePairId);
        const pair = transport ? byId.get(transport.selectedCandidatePairId)
          : [...byId.values()].find((s) => s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded');
        if (pair) {
          const show = (c) => c && { type: c.candidateType, address: c.address, port: c.port, protocol: c.protocol };
          info.selected = { local: show(byId.get(pair.localCandidateId)), remote: show(byId.get(pair.remoteCandidateId)),
            rttMs: pair.currentRoundTripTime !== undefined ? pair.currentRoundTripTime * 1000 : undefined };
        }
      } catch (error) {
        info.statsError = String(error);
      }
      return info;
    })));
  }

  /** Button clicks the page saw ({ name, at: Date.now() }), needs `instrument`. */
  clicks() {
    return this.page.evaluate(() => window.__lab.clicks);
  }

  /** The main Chromium process: started by this Node process, with this browser's profile. */
  async findMainPid() {
    const marker = `--user-data-dir=${this.profileDir}`;
    for (const pid of await namespacePids(this.host.namespace)) {
      const info = processInfo(pid);
      if (info && info.ppid === process.pid && info.argv.includes(marker)) return pid;
    }
    return undefined;
  }

  /** pids of this browser's processes: its process group and anything naming its directory or profile (crashpad). */
  async processIds() {
    const pids = [];
    const named = (arg) => arg.includes(this.dir) || arg.includes(this.profileDir);
    for (const pid of await namespacePids(this.host.namespace)) {
      const info = processInfo(pid);
      if (!info) continue;
      if ((this.pid && info.pgid === this.pid) || info.argv.some(named)) pids.push(pid);
    }
    return pids;
  }

  /** Closes the browser like a user closing it (Playwright's close, bounded); kills what is left. */
  async close({ timeoutMs = kCloseTimeoutMs } = {}) {
    if (this.closed) return;
    this.closed = true;
    this.log('close');
    if (this.context) {
      let timer;
      const expired = new Promise((resolve) => { timer = setTimeout(() => resolve(`no answer in ${timeoutMs} ms`), timeoutMs); });
      const outcome = await Promise.race([this.context.close().then(() => 'closed', (error) => error.message), expired]);
      clearTimeout(timer);
      if (outcome !== 'closed') this.log(`close did not finish (${outcome}); killing`);
    }
    await this.killProcesses();
  }

  /** SIGKILLs every Chromium process of this browser (a crash, a killed tab) and waits until they are gone. */
  async kill() {
    this.log('kill (SIGKILL)');
    this.closed = true;
    await this.killProcesses();
  }

  async killProcesses() {
    const pids = await this.processIds();
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch { /* already gone */ }
    }
    if (pids.length === 0) return;
    await waitFor(() => pids.filter((pid) => processInfo(pid)?.alive), {
      timeout: kKillWaitMs, interval: 50, what: `Chromium processes of ${this.host.name}/${this.label} to be gone`,
      until: (alive) => alive.length === 0,
    });
  }

  /** For Lab.destroy. */
  async teardown() {
    await this.close();
  }
}

/** { ppid, pgid, argv, alive } of a process from /proc, or undefined if it is gone. */
export function processInfo(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return { state: fields[0], ppid: Number(fields[1]), pgid: Number(fields[2]), argv, alive: fields[0] !== 'Z' };
  } catch {
    return undefined;
  }
}

function tail(file, lines) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
