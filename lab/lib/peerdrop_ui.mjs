// The PeerDrop web UI as a person (or a screen reader) sees it, driven by
// Playwright role and name locators only: the contract of issue 4 ("Names a
// person (and a screen reader) can rely on"):
//   - the peer list: a `list` named "Peers"; a `listitem` per peer holding its
//     display name, its state as visible text ("Connecting", "Connected",
//     "Failed", "Reconnecting", "Declined"…) and the buttons "Connect",
//     "Disconnect", "Retry";
//   - an incoming request: a `dialog` with "Accept" and "Decline";
//   - the chat with a peer: a `region` named "Chat with <name>" with a
//     `textbox` "Message", a button "Send" and the messages in a `log`;
//   - the route: an element whose accessible name is "Route" and whose text
//     says host, srflx, prflx or relay;
//   - for benchmarks: localStorage['peerdrop.autoAccept'] = '1' accepts every
//     request, and window.__peerdrop.timings[peerId] = { clickedAt, openAt }.
// Every wait has a deadline and its error shows what the page showed last.

import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { browserUnavailableReason } from './browser.mjs';
import { kDaemonBinary } from './daemon.mjs';
import { labRequired } from './preflight.mjs';
import { labTest } from './testing.mjs';
import { waitFor } from './wait.mjs';

const kActionTimeoutMs = 10_000;
const kDefaultWaitMs = 15_000;
const kAriaLinesInErrors = 80;

/** A word, not a part of one: /\bConnected\b/ does not match "Disconnected". */
export function word(text) {
  return new RegExp(`\\b${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`);
}

export class PeerDropUi {
  /** ui = new PeerDropUi(await host.openBrowser()) */
  constructor(labBrowser) {
    this.browser = labBrowser;
    this.host = labBrowser.host;
    this.page = labBrowser.page;
    this.page.setDefaultTimeout(kActionTimeoutMs);
  }

  get name() { return this.host.name; }

  // ---- locators ----

  peerList() {
    return this.page.getByRole('list', { name: 'Peers', exact: true });
  }

  /** The list item of the peer whose display name is exactly `name`. */
  peerItem(name) {
    return this.peerList().getByRole('listitem').filter({ has: this.page.getByText(name, { exact: true }) });
  }

  button(peerName, label) {
    return this.peerItem(peerName).getByRole('button', { name: label, exact: true });
  }

  requestDialog(fromName) {
    return this.page.getByRole('dialog').filter({ hasText: fromName });
  }

  chat(peerName) {
    return this.page.getByRole('region', { name: `Chat with ${peerName}`, exact: true });
  }

  // ---- reading ----

  /** The visible text of the peer's list item ('' while it is not listed). */
  async peerText(name) {
    return (await this.peerItem(name).allInnerTexts()).join(' | ');
  }

  /** The display names in the peer list, in order (the first line of each item). */
  async peerOrder() {
    return this.peerList().getByRole('listitem').allInnerTexts();
  }

  /** Texts of every element named "Route" (in the peer's item first, else anywhere on the page). */
  async routeText(peerName) {
    const inItem = await this.peerItem(peerName).getByLabel('Route', { exact: true }).allInnerTexts();
    if (inItem.length > 0) return inItem.join(' | ');
    const inChat = await this.chat(peerName).getByLabel('Route', { exact: true }).allInnerTexts();
    if (inChat.length > 0) return inChat.join(' | ');
    return (await this.page.getByLabel('Route', { exact: true }).allInnerTexts()).join(' | ');
  }

  async chatLog(peerName) {
    return (await this.chat(peerName).getByRole('log').allInnerTexts()).join('\n');
  }

  /** window.__peerdrop.timings (the UI's own performance.now() stamps), or undefined. */
  timings() {
    return this.page.evaluate(() => window.__peerdrop?.timings && JSON.parse(JSON.stringify(window.__peerdrop.timings)));
  }

  /** RTCPeerConnections the page made (lab instrumentation, not the UI's): state and selected pair. */
  connections() {
    return this.browser.peerConnections();
  }

  /** The page's accessibility tree as YAML (what a screen reader would get). */
  ariaSnapshot() {
    return this.page.locator('body').ariaSnapshot({ timeout: 3000 });
  }

  // ---- acting ----

  async click(peerName, label) {
    await this.button(peerName, label).click();
  }

  /**
   * Clicks the button at wall-clock time `at` (Date.now() of this machine,
   * which every page shares): the button is found by role and name first,
   * then clicked from inside the page by a timer, so two pages can click at
   * the same instant. Resolves with { at: the page's Date.now() at the
   * click, shown: whether the button was still on the page then (if not, the
   * click did nothing, as a person's click on a vanished button) }.
   */
  async clickAt(peerName, label, at) {
    const button = this.button(peerName, label);
    await button.waitFor({ state: 'visible' });
    // Armed first (the page answers at once), then awaited: a click armed too late to be on time
    // is an error that says so. A timer wakes the page up to 30 ms early and it spins to the
    // instant: timers alone fired 15 ms late on a loaded machine (a 40 ms glare became 55 ms).
    const kWakeEarlyMs = 30;
    const armedAt = await button.evaluate((element, [when, early]) => {
      window.__labClickAt = new Promise((resolve) => {
        setTimeout(() => {
          while (Date.now() < when) { /* the last few ms */ }
          const result = { at: Date.now(), shown: element.isConnected && !element.disabled };
          element.click();
          resolve(result);
        }, Math.max(0, when - Date.now() - early));
      });
      return Date.now();
    }, [at, kWakeEarlyMs]);
    if (armedAt > at - kWakeEarlyMs) {
      throw new Error(`${this.name}: the click on "${label}" for ${peerName} planned at ${at} was armed only at ${armedAt}: ` +
        'the machine is too busy for a timed click; plan it later');
    }
    return this.page.evaluate(() => window.__labClickAt);
  }

  async accept(fromName, { timeout = kDefaultWaitMs } = {}) {
    await this.answer(fromName, 'Accept', { timeout });
  }

  async decline(fromName, { timeout = kDefaultWaitMs } = {}) {
    await this.answer(fromName, 'Decline', { timeout });
  }

  async answer(fromName, label, { timeout }) {
    const dialog = this.requestDialog(fromName);
    await this.waitUntil(async () => dialog.count(), {
      timeout, what: `a request dialog from ${fromName}`, until: (n) => n > 0, show: 'page',
    });
    const count = await dialog.count();
    if (count !== 1) throw new Error(`${this.name}: ${count} request dialogs from ${fromName}, want exactly one:\n${await this.ariaSnapshot()}`);
    await dialog.getByRole('button', { name: label, exact: true }).click();
  }

  /**
   * Opens the chat with `peerName` if it is not shown (clicks the peer's
   * name) and returns its region.
   */
  async openChat(peerName, { timeout = 5000 } = {}) {
    const chat = this.chat(peerName);
    if (await chat.isVisible()) return chat;
    await this.peerItem(peerName).getByText(peerName, { exact: true }).click();
    await this.waitUntil(() => chat.isVisible(), { timeout, what: `the region "Chat with ${peerName}"`, show: 'page' });
    return chat;
  }

  /** Types `text` into the chat with `peerName` and sends it with the Send button, or with Enter. */
  async send(peerName, text, { enter = false } = {}) {
    const chat = await this.openChat(peerName);
    const box = chat.getByRole('textbox', { name: 'Message', exact: true });
    await box.fill(text);
    if (enter) await box.press('Enter');
    else await chat.getByRole('button', { name: 'Send', exact: true }).click();
  }

  // ---- waiting ----

  /**
   * waitFor with the UI's context: the error names the host and shows the
   * last value, and with show: 'page' the page's accessibility tree.
   */
  async waitUntil(fn, { timeout = kDefaultWaitMs, interval = 100, what, until, show } = {}) {
    try {
      return await waitFor(fn, { timeout, interval, what: `${this.name}'s page: ${what}`, until });
    } catch (error) {
      if (show === 'page') error.message += `\n--- ${this.name}'s page (accessibility tree):\n${await this.ariaExcerpt()}`;
      throw error;
    }
  }

  async ariaExcerpt(lines = kAriaLinesInErrors) {
    try {
      const all = (await this.ariaSnapshot()).split('\n');
      return all.length > lines ? `${all.slice(0, lines).join('\n')}\n… (${all.length - lines} more lines)` : all.join('\n');
    } catch (error) {
      return `(no accessibility tree: ${error.message})`;
    }
  }

  /** Waits until the peer is listed. */
  waitPeer(name, { timeout = kDefaultWaitMs } = {}) {
    return this.waitUntil(() => this.peerItem(name).count(), {
      timeout, what: `${name} in the list "Peers"`, until: (n) => n === 1, show: 'page',
    });
  }

  /**
   * Waits until the peer's item text matches `pattern` (a RegExp, a word, or
   * a predicate on the text); resolves with the text.
   */
  waitPeerText(name, pattern, { timeout = kDefaultWaitMs, what } = {}) {
    const test = typeof pattern === 'function' ? pattern
      : (pattern instanceof RegExp ? (text) => pattern.test(text) : (text) => word(pattern).test(text));
    return this.waitUntil(() => this.peerText(name), {
      timeout, what: what ?? `${name}'s item to show ${pattern}`, until: test,
    });
  }

  /** Waits until the peer's item shows "Connected" and a Disconnect button. */
  async waitConnected(name, { timeout = kDefaultWaitMs } = {}) {
    await this.waitPeerText(name, word('Connected'), { timeout, what: `${name}'s item to show "Connected"` });
    await this.waitUntil(() => this.button(name, 'Disconnect').count(), {
      timeout: 2000, what: `a Disconnect button in ${name}'s item`, until: (n) => n === 1,
    });
  }

  /** Waits until `text` is in the chat log with `peerName`. */
  async waitMessage(peerName, text, { timeout = kDefaultWaitMs } = {}) {
    await this.openChat(peerName);
    return this.waitUntil(() => this.chatLog(peerName), {
      timeout, what: `"${text}" in the chat log with ${peerName}`, until: (log) => log.includes(text),
    });
  }

  /**
   * Waits until the message `text` in the chat log with `peerName` is marked
   * delivered: the log entry holding it says "delivered" (in its text or in
   * the accessible name/title of something inside it).
   */
  async waitDelivered(peerName, text, { timeout = kDefaultWaitMs } = {}) {
    const log = this.chat(peerName).getByRole('log').first();
    return this.waitUntil(async () => (await log.count()) === 0 ? '(no log)' : log.evaluate((root, needle) => {
      // The entry: the largest element inside the log that holds this text and no other message.
      let node = [...root.querySelectorAll('*')].find((el) => el.children.length === 0 && el.textContent.includes(needle));
      if (!node) return `(no "${needle}" in the log)`;
      while (node.parentElement && node.parentElement !== root) node = node.parentElement;
      const labels = [node, ...node.querySelectorAll('*')]
        .flatMap((el) => [el.getAttribute('aria-label'), el.getAttribute('title')]).filter(Boolean);
      return `${node.innerText} ${labels.join(' ')}`;
    }, text), { timeout, what: `"${text}" to be marked delivered in the chat with ${peerName}`, until: (s) => /delivered/i.test(s) });
  }

  /**
   * Polls for `ms` and fails at once if `bad(text)` is true for the peer's
   * item text (e.g. it stops saying Connected). Returns the texts seen.
   */
  async holds(name, ms, good, { what } = {}) {
    const seen = new Set();
    const deadline = Date.now() + ms;
    await waitFor(async () => {
      const text = await this.peerText(name);
      seen.add(text);
      if (!good(text)) throw new Error(`${this.name}'s page: ${what ?? `${name}'s item changed`}: now "${text}"`);
      return Date.now() >= deadline;
    }, { timeout: ms + 5000, interval: 100, what: `${ms} ms of observation` });
    return [...seen];
  }

  /** Writes a screenshot and the accessibility tree next to the page log (for failure reports). */
  async snapshot(tag = 'failure') {
    const base = path.join(this.browser.dir, tag);
    try {
      await this.page.screenshot({ path: `${base}.png`, fullPage: true, timeout: 3000 });
    } catch { /* a dead page has no screenshot */ }
    try {
      writeFileSync(`${base}.aria.yaml`, await this.ariaSnapshot());
    } catch { /* nor a tree */ }
    return base;
  }
}

/**
 * labTest for UI scenarios: when the test fails, every open page is saved
 * (screenshot and accessibility tree next to its page log) and the error
 * shows each page's accessibility tree, i.e. what the user saw.
 */
export function uiTest(name, options, fn) {
  return labTest(name, options, async (lab, t) => {
    try {
      await fn(lab, t);
    } catch (error) {
      const parts = [];
      for (const host of lab.hosts.values()) {
        for (const browser of host.browsers.filter((b) => !b.closed)) {
          const ui = new PeerDropUi(browser);
          const base = await ui.snapshot();
          parts.push(`--- ${host.name}/${browser.label} at failure (${base}.png, .aria.yaml):\n${await ui.ariaExcerpt()}`);
        }
      }
      if (parts.length > 0 && error instanceof Error) error.message += `\n${parts.join('\n')}`;
      throw error;
    }
  });
}

/**
 * The `skip` option of UI scenarios: false when peerdropd is built and a
 * browser can run, else "<label> need: <what is missing>" (with CI=true the
 * tests run anyway and fail, as labRequired() says).
 */
export async function uiScenarioSkip(label) {
  const missing = existsSync(kDaemonBinary) ? await browserUnavailableReason() : `${kDaemonBinary} is not built (or set PEERDROPD)`;
  return missing !== undefined && !labRequired() && `${label} need: ${missing}`;
}
