// What the lab's streamed clients share (a UI client's WebSocket, a daemon
// channel): the agent streams what arrives, the client keeps it in arrival
// order with the agent's wall-clock time, bounded, and tests wait on it.

import { show } from './wait.mjs';

const kDefaultMaxItems = 20_000;
const kDefaultTimeoutMs = 5000;
const kShownItems = 5;

export class StreamedClient {
  constructor(host, key, { maxItems = kDefaultMaxItems } = {}) {
    this.host = host;
    this.key = key;
    this.maxItems = maxItems;
    this.items = []; // in arrival order
    this.closed = undefined; // set once the connection ended
    this.overflowed = false;
    this.arrivals = new WeakMap(); // item -> wall-clock ms when the agent received it
    this.waiters = new Set();
    this.checkScheduled = false;
    this.unlisten = host.agent.listen(key, (event) => {
      if (event.event === 'agent_exit') this.closed = { code: 'agent exited', reason: event.reason };
      else this.onEvent(event);
      this.scheduleCheck();
    });
  }

  get label() { return this.key; }

  /** When the agent received `item` (Date.now() in the agent: the same clock as every agent's). */
  receivedAt(item) { return this.arrivals.get(item); }

  /** Keeps one arrived item (or notes the overflow). */
  push(item, at) {
    if (this.items.length >= this.maxItems) {
      this.overflowed = true;
      return;
    }
    this.arrivals.set(item, at);
    this.items.push(item);
  }

  /** Re-evaluates the waiters once per event-loop turn, not once per item. */
  scheduleCheck() {
    if (this.checkScheduled) return;
    this.checkScheduled = true;
    setImmediate(() => {
      this.checkScheduled = false;
      for (const waiter of [...this.waiters]) waiter();
    });
  }

  /**
   * Resolves with predicate(items, this) once it is truthy; rejects after
   * `timeout` ms (naming `what` and showing the last items), when the
   * connection closes first, or when the buffer overflowed.
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
        `${this.items.length} received, last ${kShownItems}: ${show(this.items.slice(-kShownItems).map((i) => this.describe(i)))}`,
      ));
      const check = () => {
        let value;
        try {
          value = predicate(this.items, this);
        } catch (error) {
          finish(error);
          return;
        }
        if (value) finish(undefined, value);
        else if (this.overflowed) fail(`over ${this.maxItems} received (buffer full)`);
        else if (this.closed) fail(`connection closed (${show(this.closed)})`);
      };
      this.waiters.add(check);
      timer = setTimeout(() => fail('timed out'), timeout);
      check();
    });
  }

  /** Waits until at least `count` items match `match`; resolves with the matching ones. */
  waitForCount(match, { count = 1, timeout, what } = {}) {
    return this.waitFor((items) => {
      const found = items.filter(match);
      return found.length >= count ? found : undefined;
    }, { timeout, what });
  }

  /** How an item is shown in a failed wait's message. */
  describe(item) { return item; }
}
