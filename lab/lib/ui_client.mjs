// A UI test client: a WebSocket to a host's own daemon (GET /ws), opened by
// the host's agent inside the namespace, as a browser tab on that machine
// would. Received messages are streamed back by the agent and kept here, each
// with the wall-clock time the agent received it.
//
//   const ui = await host.openUi();                 // waits for welcome + peers
//   await ui.send({ type: 'signal', to, kind: 'offer', session: 's1', payload: {} });
//   await ui.waitFor((messages) => messages.some((m) => m.type === 'ack'), { what: 'the ack' });
//   await ui.close();

import { StreamedClient } from './streamed_client.mjs';
import { show } from './wait.mjs';

const kDefaultTimeoutMs = 5000;
const kSendMarginMs = 10_000;
let clientSequence = 0;

export class UiClient extends StreamedClient {
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

  constructor(host, url, { maxMessages } = {}) {
    super(host, `${host.name}-ui${++clientSequence}`, { maxItems: maxMessages });
    this.url = url;
  }

  get label() { return `UI client ${this.key} (${this.url})`; }

  /** Parsed JSON objects, in arrival order. */
  get messages() { return this.items; }

  /** The daemon's `welcome.self` ({ id, name, … }). */
  get self() { return this.messages.find((m) => m.type === 'welcome')?.self; }

  /** The latest peer list the daemon pushed. */
  get peers() { return this.messages.findLast((m) => m.type === 'peers')?.peers ?? []; }

  ofType(type) { return this.messages.filter((m) => m.type === type); }

  onEvent(event) {
    if (event.event === 'ui') {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        message = { type: '<not JSON>', text: String(event.data).slice(0, 200) };
      }
      if (message === null || typeof message !== 'object') message = { type: '<not an object>', value: message };
      this.push(message, event.at);
    } else if (event.event === 'ui_close') {
      this.closed = { code: event.code, reason: event.reason };
      this.unlisten();
    }
  }

  /** Waits until at least `count` messages of `type` (matching `filter`, if given) arrived; resolves with them. */
  waitForType(type, { count = 1, filter = () => true, timeout, what } = {}) {
    return this.waitForCount((m) => m.type === type && filter(m), {
      count, timeout, what: what ?? `${count} "${type}" message(s)`,
    });
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
