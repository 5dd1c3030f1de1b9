// Messages daemon to daemon (issue 15, docs/protocol.md "Messages"), in two
// sizes: 200 each way in scenarios/messages.test.mjs (make test), 1,000 each
// way with one daemon SIGKILLed and restarted in the middle in
// soak/messages.test.mjs (make soak), with the same assertions. No browser:
// the control API is the client (POST and GET /api/messages), as the
// `peerdrop` command is.

import assert from 'node:assert/strict';
import { labTest, waitFor, waitForPeer } from '../lib/index.mjs';

const kPageLimit = 1000; // GET /api/messages answers at most this many at once

/**
 * `count` messages each way between a and b, all delivered, in order, exactly
 * once. With `restartMidway`, b's daemon is SIGKILLed once half of a's
 * messages are queued, and started again before the other half goes.
 */
export function exchangeTest({ count, restartMidway, timeoutMinutes }) {
  const what = restartMidway ? ", b's daemon SIGKILLed and restarted in the middle" : '';
  labTest(`${count} messages each way arrive in order, exactly once, and show Delivered${what}`, { timeout: timeoutMinutes * 60_000 }, async (lab, t) => {
    const { a, b } = await verifiedPair(lab);
    const started = Date.now();
    const half = Math.floor(count / 2);
    const sendRange = (from, to, first, last) => sendMessages(from, to, first, last);
    // The first half both ways at once.
    const [aFirst, bFirst] = await Promise.all([sendRange(a, b, 0, half), sendRange(b, a, 0, half)]);
    if (restartMidway) {
      b.daemon.kill('SIGKILL');
      assert.equal((await b.daemon.exited).signal, 'SIGKILL');
      // a keeps writing while b is down: these wait in a's daemon.
      const aWhileDown = await sendRange(a, b, half, count - Math.floor(half / 2));
      await b.daemon.restart();
      const [aRest, bRest] = await Promise.all([
        sendRange(a, b, count - Math.floor(half / 2), count), sendRange(b, a, half, count)]);
      await checkExchange(t, a, b, [...aFirst, ...aWhileDown, ...aRest], [...bFirst, ...bRest], count, started);
    } else {
      const [aRest, bRest] = await Promise.all([sendRange(a, b, half, count), sendRange(b, a, half, count)]);
      await checkExchange(t, a, b, [...aFirst, ...aRest], [...bFirst, ...bRest], count, started);
    }
  });
}

/** A message to a stopped daemon arrives when it starts; both histories survive a restart; a tab opened then sees the unread ones. */
export function stoppedPeerTest() {
  labTest('a message to a stopped daemon arrives when it starts; both histories survive a restart; a tab opened then is told what is unread and gets new messages', { timeout: 60_000 }, async (lab, t) => {
    const { a, b } = await verifiedPair(lab);
    await b.stopDaemon();
    await waitForPeer(a, b, { online: false, timeout: 3000 });
    const sent = await sendMessages(a, b, 0, 3);
    for (const message of sent) assert.equal(message.state, 'queued');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const message of sent) assert.equal((await getMessage(a, message.id)).state, 'queued', 'still queued while b is down');

    const restarted = Date.now();
    await b.daemon.restart();
    await waitFor(async () => (await Promise.all(sent.map((m) => getMessage(a, m.id)))).every((m) => m.state === 'delivered'),
      { timeout: 15_000, interval: 100, what: "a's 3 messages Delivered once b is back" });
    t.diagnostic(`delivered ${Date.now() - restarted} ms after b started again`);

    const unread = (await a.fetch('/api/messages?unread=1')).json;
    assert.deepEqual(unread.messages, [], 'a has nothing unread');
    const atB = (await b.fetch('/api/messages?unread=1')).json;
    assert.deepEqual(atB.messages.map((m) => m.text), ['a-0', 'a-1', 'a-2']);
    assert.deepEqual(atB.messages.map((m) => m.id), sent.map((m) => m.id));
    assert.deepEqual(atB.unread, { [a.id]: 3 });

    const before = { a: await history(a, b.id), b: await history(b, a.id) };
    await Promise.all([a.daemon.restart(), b.daemon.restart()]);
    assert.deepEqual(await history(a, b.id), before.a, "a's history is the same after a restart");
    assert.deepEqual(await history(b, a.id), before.b, "b's history is the same after a restart");

    // A tab opened now is told what waits unread, and hears of a new message.
    const tab = await b.openUi();
    const [greeting] = await tab.waitForType('unread_messages', { what: "b's greeting with the unread counts" });
    assert.deepEqual(greeting.unread, { [a.id]: 3 });
    const [later] = await sendMessages(a, b, 3, 4);
    const [pushed] = await tab.waitForType('message', { filter: (m) => m.message.id === later.id, timeout: 5000, what: 'the new message in the open tab' });
    assert.equal(pushed.message.text, 'a-3');
    assert.equal(pushed.message.direction, 'in');

    const read = await b.fetch('/api/messages/read', { method: 'POST', body: { peer: a.id } });
    assert.equal(read.status, 200);
    assert.equal(read.json.read, 4);
    assert.deepEqual((await b.fetch('/api/messages?unread=1')).json.unread, {});
  });
}

async function verifiedPair(lab) {
  const a = await lab.addHost('a', { subnet: 'a', ip: '198.51.100.10' });
  const b = await lab.addHost('b', { subnet: 'a', ip: '198.51.100.11' });
  await a.startDaemon(['--no-scan']);
  await b.startDaemon(['--no-scan']);
  await Promise.all([waitForPeer(a, b, { verified: true, timeout: 5000 }), waitForPeer(b, a, { verified: true, timeout: 5000 })]);
  return { a, b };
}

/** POSTs messages `<from.name>-<i>` for i in [first, last) to `to`, one after the other; their answers. */
async function sendMessages(from, to, first, last) {
  const out = [];
  for (let i = first; i < last; i++) {
    const res = await from.fetch('/api/messages', { method: 'POST', body: { to: to.id, text: `${from.name}-${i}` } });
    assert.equal(res.status, 201, `POST /api/messages on ${from.name}: ${res.status} ${res.body}`);
    out.push(res.json);
  }
  return out;
}

async function getMessage(host, id) {
  const res = await host.fetch(`/api/messages/${id}`);
  assert.equal(res.status, 200, `GET /api/messages/${id} on ${host.name}: ${res.status} ${res.body}`);
  return res.json;
}

/** The whole conversation with `peer` as `host` keeps it, oldest first (paged). */
async function history(host, peer) {
  let all = [];
  let before = 0;
  for (;;) {
    const res = await host.fetch(`/api/messages?peer=${peer}&limit=${kPageLimit}${before ? `&before=${before}` : ''}`);
    assert.equal(res.status, 200, `GET /api/messages on ${host.name}: ${res.status} ${res.body}`);
    const page = res.json.messages;
    all = [...page, ...all];
    if (page.length < kPageLimit) return all;
    before = page[0].seq;
  }
}

async function checkExchange(t, a, b, aSent, bSent, count, started) {
  for (const [sender, receiver, sent] of [[a, b, aSent], [b, a, bSent]]) {
    assert.equal(sent.length, count);
    // Delivered, as the sender's history says.
    const delivered = await waitFor(async () => (await history(sender, receiver.id)).filter((m) => m.direction === 'out'), {
      timeout: 120_000, interval: 250, what: `${count} of ${sender.name}'s messages Delivered`,
      until: (out) => out.length === count && out.every((m) => m.state === 'delivered'),
    });
    assert.deepEqual(delivered.map((m) => m.id), sent.map((m) => m.id), `${sender.name}'s history keeps its messages in order`);
    // Received once each, in order, as the receiver's history says.
    const received = (await history(receiver, sender.id)).filter((m) => m.direction === 'in');
    const texts = received.map((m) => m.text);
    assert.equal(new Set(received.map((m) => m.id)).size, received.length, `no duplicates at ${receiver.name}`);
    assert.deepEqual(texts, sent.map((m) => m.text), `${receiver.name} has ${sender.name}'s ${count} messages in order, once each`);
    assert.deepEqual(received.map((m) => m.id), sent.map((m) => m.id));
    for (const m of received) assert.equal(m.state, 'received');
  }
  t.diagnostic(`${count} each way delivered in ${Date.now() - started} ms`);
}
