// Files in the lab: test files on disk with their SHA-256, and the PeerDrop
// UI's file transfer as a person sees it (issue 5), driven by role and name:
//   - the peer's detail (opened by clicking the peer's name) holds a region
//     "Files with <peer>": a group "Send files to <peer>" with the hidden
//     inputs "Files to send" and "Folder to send", an "Always accept connections and files
//     from <peer>" checkbox, and one `article` per transfer named
//     "To <peer>: <file or N files>" / "From <peer>: …" with a `status`
//     (its state in words), progress bars "Total progress" and
//     "Progress of <path>", a button "Cancel transfer", and, after the
//     sending page was reloaded, an input "Files to select again";
//   - a request: a `dialog` named "Files from <peer>" with "Accept",
//     "Decline" and the checkbox "Always accept connections and files from <peer>";
//   - the list "Received files" (links to the files on this computer);
//   - for measurements: window.__peerdrop.transfers (tid, direction, peer,
//     state, total, bytesSent, bytesDurable, startedAt, doneAt).
// The browser runs in the host's namespace but shares this machine's file
// system, so a test writes a file under host.dir and the page picks it.

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { processInfo } from './browser.mjs';
import { namespacePids } from './netns.mjs';

const kChunkBytes = 4 * 1024 * 1024;
const kDefaultWaitMs = 30_000;
export const kPartialFolder = '.peerdrop-partial';

/**
 * Writes `size` random bytes to `file` (parent folders created); resolves
 * with { path, size, sha256 }. Random, so no compression or dedup can help.
 */
export async function writeRandomFile(file, size) {
  await mkdir(path.dirname(file), { recursive: true });
  const hash = createHash('sha256');
  const handle = await open(file, 'w');
  try {
    for (let written = 0; written < size;) {
      const chunk = randomBytes(Math.min(kChunkBytes, size - written));
      hash.update(chunk);
      await handle.write(chunk);
      written += chunk.length;
    }
  } finally {
    await handle.close();
  }
  return { path: file, size, sha256: hash.digest('hex') };
}

/** SHA-256 of a file on disk, hex; undefined when there is no such file. */
export async function sha256File(file) {
  try {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(file)) hash.update(chunk);
    return hash.digest('hex');
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Every regular file under `dir` as a path relative to it ('/'-separated),
 * sorted; with `partial: false` (default) the daemon's partial folder is left out.
 */
export async function listFiles(dir, { partial = false } = {}) {
  const out = [];
  async function walk(rel) {
    let entries;
    try {
      entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    } catch (error) {
      if (error.code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (!partial && child === kPartialFolder) continue;
      if (entry.isDirectory()) await walk(child);
      else out.push(child);
    }
  }
  await walk('');
  return out.sort();
}

/**
 * Compares received files with the sent ones: `expected` maps the path
 * relative to `dir` to the sent file's sha256. Resolves with a list of
 * problems in words (empty when every file is there with the same bytes).
 */
export async function compareReceived(dir, expected) {
  const problems = [];
  for (const [rel, sha] of Object.entries(expected)) {
    const got = await sha256File(path.join(dir, rel));
    if (got === undefined) problems.push(`${rel}: not in ${dir}`);
    else if (got !== sha) problems.push(`${rel}: SHA-256 ${got.slice(0, 16)}… but sent ${sha.slice(0, 16)}…`);
  }
  return problems;
}

/** The file-transfer UI of one page (wraps a PeerDropUi). */
export class TransferUi {
  constructor(ui) {
    this.ui = ui;
    this.page = ui.page;
  }

  get name() { return this.ui.name; }

  // ---- locators ----

  panel(peerName) {
    return this.page.getByRole('region', { name: `Files with ${peerName}`, exact: true });
  }

  dialog(fromName) {
    return this.page.getByRole('dialog', { name: `Files from ${fromName}`, exact: true });
  }

  /** The transfers with `peerName` (articles), optionally only those whose name matches `title` (RegExp or text). */
  transfers(peerName, title) {
    const all = this.panel(peerName).getByRole('article');
    if (title === undefined) return all;
    return this.panel(peerName).getByRole('article', { name: title });
  }

  // ---- acting ----

  /** Shows the peer's detail (chat and files) and waits for its files region. */
  async open(peerName) {
    await this.ui.openChat(peerName);
    await this.ui.waitUntil(() => this.panel(peerName).isVisible(), {
      timeout: 5000, what: `the region "Files with ${peerName}"`, show: 'page',
    });
    return this.panel(peerName);
  }

  /** Picks `paths` in "Files to send" (as if chosen in the file dialog). */
  async sendFiles(peerName, paths) {
    const panel = await this.open(peerName);
    await panel.getByLabel('Files to send', { exact: true }).setInputFiles(paths);
  }

  /** Picks the folder `dir` in "Folder to send" (relative paths keep the folder's name). */
  async sendFolder(peerName, dir) {
    const panel = await this.open(peerName);
    await panel.getByLabel('Folder to send', { exact: true }).setInputFiles(dir);
  }

  /** After the sending page was reloaded: picks `paths` in "Files to select again" of the transfer named `title`. */
  async selectAgain(peerName, title, paths, { timeout = kDefaultWaitMs } = {}) {
    await this.open(peerName);
    const input = this.transfers(peerName, title).getByLabel('Files to select again', { exact: true });
    await this.ui.waitUntil(() => input.count(), {
      timeout, what: `"Files to select again" in the transfer ${title}`, until: (n) => n === 1, show: 'page',
    });
    await input.setInputFiles(paths);
  }

  /** Waits for the dialog "Files from <fromName>" and resolves with its text. */
  async waitRequest(fromName, { timeout = kDefaultWaitMs } = {}) {
    const dialog = this.dialog(fromName);
    await this.ui.waitUntil(() => dialog.count(), {
      timeout, what: `the dialog "Files from ${fromName}"`, until: (n) => n === 1, show: 'page',
    });
    return dialog.innerText();
  }

  /** Answers the request from `fromName` (waits for its dialog); `always` ticks "Always accept connections and files from …" first. */
  async answer(fromName, label, { always = false, timeout = kDefaultWaitMs } = {}) {
    await this.waitRequest(fromName, { timeout });
    const dialog = this.dialog(fromName);
    if (always) await dialog.getByRole('checkbox', { name: `Always accept connections and files from ${fromName}` }).check();
    await dialog.getByRole('button', { name: label, exact: true }).click();
  }

  accept(fromName, options) { return this.answer(fromName, 'Accept', options); }

  decline(fromName, options) { return this.answer(fromName, 'Decline', options); }

  /** Clicks "Cancel transfer" on the transfer with `peerName` named `title`. */
  async cancel(peerName, title) {
    await this.open(peerName);
    await this.transfers(peerName, title).getByRole('button', { name: 'Cancel transfer', exact: true }).click();
  }

  // ---- reading ----

  /** The state in words of the transfer named `title` ('' while it is not shown). */
  async stateText(peerName, title) {
    const statuses = await this.transfers(peerName, title).getByRole('status').allInnerTexts();
    return statuses.join(' | ');
  }

  /** Waits until the transfer's state matches `pattern`; resolves with the text. */
  async waitState(peerName, title, pattern, { timeout = kDefaultWaitMs } = {}) {
    await this.open(peerName);
    return this.ui.waitUntil(() => this.stateText(peerName, title), {
      timeout, what: `the transfer ${title} with ${peerName} to say ${pattern}`, until: (text) => pattern.test(text), show: 'page',
    });
  }

  /** The text of the transfer's alert (what went wrong), or ''. */
  async problem(peerName, title) {
    return (await this.transfers(peerName, title).getByRole('alert').allInnerTexts()).join(' | ');
  }

  /** "Total progress" of the transfer as a percentage (aria-valuenow), or undefined. */
  async totalPercent(peerName, title) {
    const bar = this.transfers(peerName, title).getByRole('progressbar', { name: 'Total progress', exact: true });
    if ((await bar.count()) !== 1) return undefined;
    return Number(await bar.getAttribute('aria-valuenow'));
  }

  /** The names in the list "Received files" (the link texts), newest first. */
  async receivedNames() {
    const list = this.page.getByRole('list', { name: 'Received files', exact: true });
    if ((await list.count()) === 0) return [];
    return list.getByRole('link').allInnerTexts();
  }

  /** window.__peerdrop.transfers (the page's own record, for byte counts and timings). */
  hook() {
    return this.page.evaluate(() => JSON.parse(JSON.stringify(window.__peerdrop?.transfers ?? [])));
  }

  /** Waits until some entry of the hook satisfies `predicate`; resolves with it. */
  async waitHook(predicate, { timeout = kDefaultWaitMs, what = 'a transfer in window.__peerdrop.transfers' } = {}) {
    const list = await this.ui.waitUntil(() => this.hook(), { timeout, interval: 200, what, until: (l) => l.some(predicate) });
    return list.find(predicate);
  }
}

// ---- more helpers (issue 5 end-to-end scenarios, scenarios/transfer.test.mjs) ----

/**
 * Drops files made inside the page on the group "Send files to <peerName>",
 * as a person dragging them there would (a synthetic `drop` with a
 * DataTransfer). Unlike a file input this can carry any name: `files` is
 * [{ name, text }], and each becomes `new File([text], name)` (names keep
 * '/', NUL, controls…). Each drop is one request.
 */
export async function dropFiles(transferUi, peerName, files) {
  const panel = await transferUi.open(peerName);
  const zone = panel.getByRole('group', { name: `Send files to ${peerName}`, exact: true });
  await zone.evaluate((element, list) => {
    const data = new DataTransfer();
    for (const { name, text } of list) data.items.add(new File([text], name));
    element.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
    element.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, files);
}

/** Deletes regular files of at least `minBytes` under `dir` (big test files, so failed runs do not pile up GiBs). */
export async function removeLargeFiles(dir, minBytes = 8 * 1024 * 1024) {
  let removed = 0;
  for (const rel of await listFiles(dir, { partial: true })) {
    const file = path.join(dir, rel);
    try {
      if ((await stat(file)).size >= minBytes) {
        await rm(file, { force: true });
        removed += 1;
      }
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
  }
  return removed;
}

const kMiB = 1024 * 1024;

/** VmRSS of a process in KiB from /proc, or undefined when it is gone. */
async function rssKiB(pid) {
  try {
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}

/**
 * The pids of the Chromium renderer processes of web pages in `host`'s
 * namespace (one browser per host: its pages; Chromium rewrites a child's
 * command line into one string).
 */
async function rendererPids(host) {
  return (await namespacePids(host.namespace)).filter((pid) => {
    const commandLine = processInfo(pid)?.argv.join(' ') ?? '';
    return commandLine.includes('--type=renderer') && !commandLine.includes('--top-chrome-webui');
  });
}

/**
 * Samples memory every `intervalMs` while a transfer runs: for each page
 * ({ name: PeerDropUi }) the JS heap (CDP Performance.getMetrics →
 * JSHeapUsedSize) and the RSS of its host's renderer processes (ArrayBuffers
 * live outside the JS heap), and for each host ({ name: Host }) its daemon's
 * RSS. `await sampler.start()` takes the baselines (one sample each);
 * `await sampler.stop()` takes a last one and resolves with
 * { pages: { name: { heapBaseline, heapPeak, rendererBaseline, rendererPeak } },
 *   daemons: { name: { rssBaseline, rssPeak, hwmBaseline, hwmEnd } }, samples } in bytes.
 */
export class MemorySampler {
  constructor({ pages = {}, daemons = {}, intervalMs = 500 }) {
    this.pages = pages;
    this.daemons = daemons;
    this.intervalMs = intervalMs;
    this.sessions = {};
    this.renderers = {};
    this.result = { pages: {}, daemons: {}, samples: 0 };
    this.timer = undefined;
    this.busy = undefined;
    this.error = undefined;
  }

  async start() {
    for (const [name, ui] of Object.entries(this.pages)) {
      const session = await ui.page.context().newCDPSession(ui.page);
      await session.send('Performance.enable');
      this.sessions[name] = session;
      this.renderers[name] = await rendererPids(ui.host);
      if (this.renderers[name].length === 0) throw new Error(`no Chromium renderer process in ${ui.host.name}'s namespace`);
    }
    for (const [name, host] of Object.entries(this.daemons)) {
      const { rssKiB: rss, peakKiB } = host.daemon.memory();
      this.result.daemons[name] = { rssBaseline: rss * 1024, rssPeak: rss * 1024, hwmBaseline: peakKiB * 1024, hwmEnd: undefined };
    }
    await this.sample(true);
    this.timer = setInterval(() => {
      if (!this.busy) this.busy = this.sample(false).catch((error) => { this.error ??= error; }).finally(() => { this.busy = undefined; });
    }, this.intervalMs);
    return this;
  }

  async sample(first) {
    for (const [name, session] of Object.entries(this.sessions)) {
      const { metrics } = await session.send('Performance.getMetrics');
      const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value;
      let renderer = 0;
      for (const pid of this.renderers[name]) renderer += ((await rssKiB(pid)) ?? 0) * 1024;
      const entry = this.result.pages[name] ??= { heapBaseline: heap, heapPeak: heap, rendererBaseline: renderer, rendererPeak: renderer };
      if (!first) {
        entry.heapPeak = Math.max(entry.heapPeak, heap);
        entry.rendererPeak = Math.max(entry.rendererPeak, renderer);
      }
    }
    for (const [name, host] of Object.entries(this.daemons)) {
      const { rssKiB: rss } = host.daemon.memory();
      const entry = this.result.daemons[name];
      entry.rssPeak = Math.max(entry.rssPeak, rss * 1024);
    }
    if (!first) this.result.samples += 1;
  }

  async stop() {
    clearInterval(this.timer);
    await this.busy;
    await this.sample(false);
    for (const [name, host] of Object.entries(this.daemons)) this.result.daemons[name].hwmEnd = host.daemon.memory().peakKiB * 1024;
    for (const session of Object.values(this.sessions)) await session.detach().catch(() => {});
    if (this.error) throw this.error;
    return this.result;
  }

  /** The result as one line of MiB figures, for the test's output. */
  static describe(result) {
    const mib = (bytes) => `${(bytes / kMiB).toFixed(1)}`;
    const parts = [];
    for (const [name, p] of Object.entries(result.pages)) {
      parts.push(`${name}'s tab: JS heap ${mib(p.heapBaseline)} → peak ${mib(p.heapPeak)} MiB, ` +
        `renderer RSS ${mib(p.rendererBaseline)} → peak ${mib(p.rendererPeak)} MiB`);
    }
    for (const [name, d] of Object.entries(result.daemons)) {
      parts.push(`${name}'s daemon: RSS ${mib(d.rssBaseline)} → peak ${mib(d.rssPeak)} MiB, ` +
        `VmHWM ${mib(d.hwmBaseline)} → ${mib(d.hwmEnd)} MiB`);
    }
    return `${parts.join('; ')} (${result.samples} samples)`;
  }
}

// ---- more helpers (issue 5, scenarios/transfer_resume.test.mjs) ----

/**
 * Watches the state of the transfer named `title` with `peerName` on
 * `transferUi`'s page for `ms` and fails at once when it stops matching
 * `pattern` (the observation is the wait: no sleep). Resolves with the texts seen.
 */
export async function holdsState(transferUi, peerName, title, ms, pattern) {
  await showFiles(transferUi, peerName);
  const seen = new Set();
  const deadline = Date.now() + ms;
  await transferUi.ui.waitUntil(async () => {
    const text = await transferUi.stateText(peerName, title);
    seen.add(text);
    if (!pattern.test(text)) {
      throw new Error(`${transferUi.name}'s page: the transfer ${title} with ${peerName} stopped saying ${pattern}: now "${text}"`);
    }
    return Date.now() >= deadline;
  }, { timeout: ms + 10_000, interval: 250, what: `${ms} ms of the transfer ${title} saying ${pattern}` });
  return [...seen];
}

/**
 * Shows the region "Files with <peerName>" (clicks the peer's name if it is
 * not shown) without waiting for the chat, which a page shows only once the
 * peer is connected: for a page that lost its connection, or was reopened.
 */
export async function showFiles(transferUi, peerName, { timeout = 5000 } = {}) {
  const panel = transferUi.panel(peerName);
  if (!(await panel.isVisible())) await transferUi.ui.peerItem(peerName).getByText(peerName, { exact: true }).click();
  await transferUi.ui.waitUntil(() => panel.isVisible(), {
    timeout, what: `the region "Files with ${peerName}"`, show: 'page',
  });
  return panel;
}

/** TransferUi.waitState through showFiles (connected or not): resolves with the text. */
export async function waitTransferState(transferUi, peerName, title, pattern, { timeout = 30_000 } = {}) {
  await showFiles(transferUi, peerName);
  return transferUi.ui.waitUntil(() => transferUi.stateText(peerName, title), {
    timeout, what: `the transfer ${title} with ${peerName} to say ${pattern}`, until: (text) => pattern.test(text), show: 'page',
  });
}

/** TransferUi.selectAgain through showFiles (connected or not). */
export async function selectFilesAgain(transferUi, peerName, title, paths, { timeout = 30_000 } = {}) {
  await showFiles(transferUi, peerName);
  const input = transferUi.transfers(peerName, title).getByLabel('Files to select again', { exact: true });
  await transferUi.ui.waitUntil(() => input.count(), {
    timeout, what: `"Files to select again" in the transfer ${title}`, until: (n) => n === 1, show: 'page',
  });
  await input.setInputFiles(paths);
}
