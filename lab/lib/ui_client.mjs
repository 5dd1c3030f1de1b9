// A UI test client: a WebSocket to a host's own daemon (GET /ws), opened by
// the host's agent inside the namespace, as a browser tab on that machine
// would. Received messages are streamed back by the agent and kept here, each
// with the wall-clock time the agent received it.
//
//   const ui = await host.openUi();                 // waits for welcome + peers
//   await ui.send({ type: 'signal', to, kind: 'offer', session: 's1', payload: {} });
//   await ui.waitFor((messages) => messages.some((m) => m.type === 'ack'), { what: 'the ack' });
//   await ui.close();

import { show } from './wait.mjs';

const kDefaultMaxMessages = 20_000;
const kDefaultTimeoutMs = 5000;
const kSendMarginMs = 10_000;
const kShownMessages = 5;
let clientSequence = 0;

export class UiClient {
  /**
   * Opens a UI client on `host` (whose agent does the I/O). Rejects if the
   * daemon refuses the upgrade or nothing opens within `timeoutMs`. With
   * `greeting` (the default), also waits for the daemon's `welcome` and `peers`.
   */
  static async open(host, { url, headers = {}, timeoutMs = kDefaultTimeoutMs, greeting = true, maxMessages } = {}) {
    const ui = new UiClient(host, url, { maxMessages });
    const res = await host.agent.request('ui_open', { ui: ui.key, url, headers, timeoutMs });
    if (res.error) {
      ui.unlisten();
      throw new Error(`WebSocket ${url} from host ${host.name} did not open: ${res.error}`);
    }
    if (greeting) {
      await ui.waitFor((messages) => messages.some((m) => m.type === 'welcome') && messages.some((m) => m.type === 'peers'), {
        timeout: timeoutMs, what: 'welcome and peers',
      });
    }
    return ui;
  }

  constructor(host, url, { maxMessages = kDefaultMaxMessages } = {}) {
    this.host = host;
    this.url = url;
    this.key = `${host.name}-ui${++clientSequence}`;
    this.maxMessages = maxMessages;
    this.messages = []; // parsed JSON objects, in arrival order
    this.closed = undefined; // { code, reason } once the connection ended
    this.overflowed = false;
    this.arrivals = new WeakMap(); // message -> wall-clock ms when the agent received it
    this.waiters = new Set();
    this.checkScheduled = false;
    this.unlisten = host.agent.listen(this.key, (event) => this.onEvent(event));
  }

  get label() { return `UI client ${this.key} (${this.url})`; }

  /** The daemon's `welcome.self` ({ id, name, … }). */
  get self() { return this.messages.find((m) => m.type === 'welcome')?.self; }

  /** The latest peer list the daemon pushed. */
  get peers() { return this.messages.findLast((m) => m.type === 'peers')?.peers ?? []; }

  ofType(type) { return this.messages.filter((m) => m.type === type); }

  /** When the agent received `message` (Date.now() in the agent: the same clock as every agent's). */
  receivedAt(message) { return this.arrivals.get(message); }

  onEvent(event) {
    if (event.event === 'ui') {
      if (this.messages.length >= this.maxMessages) {
        this.overflowed = true;
      } else {
        let message;
        try {
          message = JSON.parse(event.data);
        } catch {
          message = { type: '<not JSON>', text: String(event.data).slice(0, 200) };
        }
        if (message === null || typeof message !== 'object') message = { type: '<not an object>', value: message };
        this.arrivals.set(message, event.at);
        this.messages.push(message);
      }
    } else if (event.event === 'ui_close') {
      this.closed = { code: event.code, reason: event.reason };
      this.unlisten();
    } else if (event.event === 'agent_exit') {
      this.closed = { code: 'agent exited', reason: event.reason };
    }
    this.scheduleCheck();
  }

  /** Re-evaluates the waiters once per event-loop turn, not once per message. */
  scheduleCheck() {
    if (this.checkScheduled) return;
    this.checkScheduled = true;
    setImmediate(() => {
      this.checkScheduled = false;
      for (const waiter of [...this.waiters]) waiter();
    });
  }

  /**
   * Resolves with predicate(messages) once it is truthy; rejects after
   * `timeout` ms (naming `what` and showing the last messages), when the
   * connection closes first, or when the message buffer overflowed.
   */
  waitFor(predicate, { timeout = kDefaultTimeoutMs, what = 'a condition' } = {}) {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      let timer;
      const finish = (error, value) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (error) reject(error);
        else resolve(value);
      };
      const fail = (why) => finish(new Error(
        `${this.label}: ${why} after ${Date.now() - started} ms (limit ${timeout} ms) waiting for ${what}; ` +
        `${this.messages.length} messages, last ${kShownMessages}: ${show(this.messages.slice(-kShownMessages))}`,
      ));
      const check = () => {
        let value;
        try {
          value = predicate(this.messages, this);
        } catch (error) {
          finish(error);
          return;
        }
        if (value) finish(undefined, value);
        else if (this.overflowed) fail(`over ${this.maxMessages} messages (buffer full)`);
        else if (this.closed) fail(`connection closed (${show(this.closed)})`);
      };
      this.waiters.add(check);
      timer = setTimeout(() => fail('timed out'), timeout);
      check();
    });
  }

  /** Waits until at least `count` messages of `type` (matching `filter`, if given) arrived; resolves with them. */
  waitForType(type, { count = 1, filter = () => true, timeout, what } = {}) {
    return this.waitFor((messages) => {
      const found = messages.filter((m) => m.type === type && filter(m));
      return found.length >= count ? found : undefined;
    }, { timeout, what: what ?? `${count} "${type}" message(s)` });
  }

  /** Sends one message; resolves with the wall-clock time it was sent. */
  async send(message) {
    const [sentAt] = await this.sendAll([message]);
    return sentAt;
  }

  /**
   * Sends `messages` in order, all at once or one every `intervalMs`.
   * Resolves with each one's send time (wall clock, in the agent); throws if
   * the connection closed before all were sent.
   */
  async sendAll(messages, { intervalMs = 0 } = {}) {
    const res = await this.host.agent.request('ui_send', { ui: this.key, frames: messages, intervalMs }, {
      timeoutMs: messages.length * intervalMs + kSendMarginMs,
    });
    if (res.unsent > 0) {
      throw new Error(`${this.label}: ${res.unsent} of ${messages.length} messages not sent: ` +
        `the connection closed (${show(this.closed)})`);
    }
    return res.sentAt;
  }

  /** Closes the connection (code 1000) and stops listening. */
  async close() {
    if (!this.closed) await this.host.agent.request('ui_close', { ui: this.key });
    this.unlisten();
  }
}
