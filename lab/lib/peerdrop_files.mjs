// Files in the lab: test files on disk with their SHA-256, and the PeerDrop
// UI's file transfer as a person sees it (issue 5), driven by role and name:
//   - the peer's detail (opened by clicking the peer's name) holds a region
//     "Files with <peer>": a group "Send files to <peer>" with the hidden
//     inputs "Files to send" and "Folder to send", an "Always accept files
//     from <peer>" checkbox, and one `article` per transfer named
//     "To <peer>: <file or N files>" / "From <peer>: …" with a `status`
//     (its state in words), progress bars "Total progress" and
//     "Progress of <path>", a button "Cancel transfer", and, after the
//     sending page was reloaded, an input "Files to select again";
//   - a request: a `dialog` named "Files from <peer>" with "Accept",
//     "Decline" and the checkbox "Always accept files from <peer>";
//   - the list "Received files" (links to the files on this computer);
//   - for measurements: window.__peerdrop.transfers (tid, direction, peer,
//     state, total, bytesSent, bytesDurable, startedAt, doneAt).
// The browser runs in the host's namespace but shares this machine's file
// system, so a test writes a file under host.dir and the page picks it.

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir } from 'node:fs/promises';
import path from 'node:path';

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

  /** Answers the request from `fromName` (waits for its dialog); `always` ticks "Always accept files from …" first. */
  async answer(fromName, label, { always = false, timeout = kDefaultWaitMs } = {}) {
    await this.waitRequest(fromName, { timeout });
    const dialog = this.dialog(fromName);
    if (always) await dialog.getByRole('checkbox', { name: `Always accept files from ${fromName}` }).check();
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
