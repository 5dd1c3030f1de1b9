// Signaling scenarios: UI clients on two or three hosts exchange `signal`
// messages through their daemons (docs/protocol.md, "The UI's WebSocket" and
// "Signal exchange"): same subnet, a one-way network, a SIGKILL'd sender,
// forged envelopes, foreign origins and an overloaded queue. Each test builds
// its own lab.
// Run: node lab/run.mjs lab/scenarios/signaling.test.mjs   (one test: add --test-name-pattern=one-way)
//
// Delivery delays are measured with the agents' clocks: the sending agent
// stamps Date.now() just before it hands a frame to its WebSocket, the
// receiving agent stamps Date.now() when the message arrives. Both agents run
// on this machine, so it is one wall clock; the test process's own latency
// (JSON lines over pipes) is not part of the figure.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  ForgedSignaler, Kind, decodeAnnouncement, frameEnvelopes, kSubnetA, kSubnetB, labSuite, labTest, waitFor, waitForPeer,
} from '../lib/index.mjs';

const kPort = 3001;
const kCount = 1000;
const kPaceMs = 5; // the one-way test sends one signal every 5 ms (1,000 in 5 s)

await labSuite('signaling', () => {
  labTest('same subnet: 1,000 signals each way arrive in order, exactly once', { timeout: 60_000 }, async (lab, t) => {
    const a = await lab.addHost('a', { subnet: 'a', ip: '198.51.100.10' });
    const b = await lab.addHost('b', { subnet: 'a', ip: '198.51.100.11' });
    await a.startDaemon(['--no-scan']);
    await b.startDaemon(['--no-scan']);
    await Promise.all([waitForPeer(a, b, { timeout: 3000 }), waitForPeer(b, a, { timeout: 3000 })]);
    const uiA = await a.openUi();
    const uiB = await b.openUi();
    assert.equal(uiB.self.id, b.id, "B's welcome names B's daemon");
    const bAtA = await uiA.waitFor(() => uiA.peers.find((p) => p.id === b.id && p.online), { what: 'B in A\'s peers' });
    assert.equal(bAtA.name, 'b');

    for (const [label, sender, receiver, to, from] of [['A to B', uiA, uiB, b.id, a.id], ['B to A', uiB, uiA, a.id, b.id]]) {
      const started = Date.now();
      const { delays } = await exchange(sender, receiver, { to, from, tag: label, timeout: 30_000 });
      t.diagnostic(`${label}: ${kCount} signals delivered in ${Date.now() - started} ms; delay ${describeDelays(delays)}`);
    }
    await barrier(uiA, uiB, b.id, 'end');
    assertExactlyInOrder(signalsFrom(uiB, a.id, 'A to B'), kCount, 'B from A');
    assertExactlyInOrder(signalsFrom(uiA, b.id, 'B to A'), kCount, 'A from B');
  });

  // A (subnet a) may only answer connections B (subnet b) opened: in A,
  // every packet to B that would start a new conntrack entry (TCP SYN, UDP
  // nudge) is dropped. The subnets differ, so B never hears A's broadcasts:
  // B knows A as a manual peer and probes it once per announce interval; A
  // knows B from those probes ("inbound"). A's signals reach B only through
  // B's long-poll at A, which starts when B's UI says it is connecting to A
  // (the hint) or, without it, when A's health answer says it is waiting.
  // The first signal is sent alone (time until B fetches at all), the other
  // 999 one every kPaceMs (the delay once the long-poll runs).
  for (const hint of [true, false]) {
    const variant = hint ? 'with' : 'without';
    const name = `one-way network: A's signals reach B by B's long-poll, ${variant} a session hint`;
    labTest(name, { subnets: [kSubnetA, kSubnetB], timeout: 60_000 }, async (lab, t) => {
      const a = await lab.addHost('a', { subnet: 'a', ip: '198.51.100.10' });
      const b = await lab.addHost('b', { subnet: 'b', ip: '203.0.113.10' });
      await a.iptables(`-A OUTPUT -d ${b.ip} -m conntrack --ctstate NEW -m comment --comment one-way -j DROP`);
      await a.iptables(`-A INPUT -s ${b.ip} -p tcp --dport ${kPort} --syn -m comment --comment from-b`); // counts only
      await a.startDaemon(['--no-scan']);
      await b.startDaemon(['--no-scan', '--peer', `${a.ip}:${kPort}`]);
      await waitForPeer(b, a, { source: 'manual', timeout: 5000 });
      await waitForPeer(a, b, { source: 'inbound', timeout: 5000 });
      const uiA = await a.openUi();
      const uiB = await b.openUi();
      let probeGaps;
      if (hint) {
        await uiB.send({ type: 'session', peer: a.id, state: 'connecting' });
      } else {
        // Nothing is queued either way yet, so B's connections to A are its liveness probes.
        probeGaps = await connectionGaps(a, 'from-b', 4);
        t.diagnostic(`B's liveness probes of A came ${probeGaps.join(', ')} ms apart (announce interval 1 s)`);
      }

      const aToB = await exchange(uiA, uiB, {
        to: b.id, from: a.id, tag: 'A to B', lead: 1, intervalMs: kPaceMs, timeout: 30_000,
      });
      const first = aToB.delays[0];
      const steady = delayStats(aToB.delays.slice(1));
      t.diagnostic(`A to B ${variant} hint: first signal after ${first} ms; the next 999 (one every ${kPaceMs} ms): ` +
        `${describeDelays(aToB.delays.slice(1))}; all 1,000: ${describeDelays(aToB.delays)}`);
      const bToA = await exchange(uiB, uiA, { to: a.id, from: b.id, tag: 'B to A', intervalMs: kPaceMs, timeout: 30_000 });
      t.diagnostic(`B to A (direct pushes), one every ${kPaceMs} ms: ${describeDelays(bToA.delays)}`);
      await barrier(uiA, uiB, b.id, 'end');
      assertExactlyInOrder(signalsFrom(uiB, a.id, 'A to B'), kCount, 'B from A');
      assertExactlyInOrder(signalsFrom(uiA, b.id, 'B to A'), kCount, 'A from B');

      const dropped = await rulePackets(a, 'OUTPUT', 'one-way');
      t.diagnostic(`packets from A to B dropped by the one-way rule: ${dropped}`);
      assert.ok(dropped > 0, 'A must have tried to reach B directly (the rule dropped nothing)');
      assert.ok(steady.median < 200, `median delay A to B ${steady.median} ms (want < 200 ms)`);
      // Without the hint B learns at its next liveness probe.
      assert.ok(first < (hint ? 500 : 3000), `first signal A to B after ${first} ms (${variant} hint)`);
      if (!hint) {
        assert.ok(Math.max(...probeGaps) < 1600,
          `B's probes of A came ${probeGaps.join(', ')} ms apart; protocol: once per announce interval (1 s)`);
      }
      assert.deepEqual(offlineSightings(uiB, a.id), [], "B's UI must not see A go offline while they exchange signals");
      assert.deepEqual(offlineSightings(uiA, b.id), [], "A's UI must not see B go offline while they exchange signals");
      const direct = delayStats(bToA.delays);
      assert.ok(direct.max < 1000, `B reaches A directly, yet a signal B to A took ${direct.max} ms`);
    });
  }

  labTest('queued signals survive SIGKILL and restart; expired ones never arrive and are reported', { timeout: 60_000 }, async (lab, t) => {
    const a = await lab.addHost('a', { subnet: 'a', ip: '198.51.100.10' });
    const b = await lab.addHost('b', { subnet: 'a', ip: '198.51.100.11' });
    await a.startDaemon(['--no-scan']);
    await b.startDaemon(['--no-scan']);
    await Promise.all([waitForPeer(a, b, { timeout: 3000 }), waitForPeer(b, a, { timeout: 3000 })]);
    const uiB = await b.openUi();
    let uiA = await a.openUi();
    await cutOff(a, b);

    // Interleaved: even i keep the default TTL (120 s), odd i live 3 s. The
    // expired ones leave holes in A's sequence that B must step over.
    const kQueued = 40;
    const kShortTtlMs = 3000;
    const queued = signals(b.id, { count: kQueued, tag: 'queued' })
      .map((message) => (message.payload.i % 2 ? { ...message, ttlMs: kShortTtlMs } : message));
    const sentAt = await uiA.sendAll(queued);
    await uiA.waitFor(() => withRef(uiA, 'ack', 'queued').length === kQueued, { what: `${kQueued} acks` });

    a.daemon.kill('SIGKILL');
    assert.equal((await a.daemon.exited).signal, 'SIGKILL');
    await a.daemon.restart();
    const restartedAfter = Date.now() - sentAt[0];
    assert.ok(restartedAfter < kShortTtlMs - 500, `A was back only ${restartedAfter} ms after sending: too slow for this test`);
    uiA = await a.openUi();
    const secondTab = await a.openUi();
    const [expired] = await Promise.all([uiA, secondTab].map((tab) => tab.waitForType('expired', {
      count: kQueued / 2, timeout: kShortTtlMs + 5000, what: `${kQueued / 2} "expired" after the restart in every tab`,
    })));
    t.diagnostic(`A restarted ${restartedAfter} ms after sending; ${expired.length} "expired" within ` +
      `${Date.now() - sentAt[0]} ms of sending`);
    for (const message of expired) {
      assert.equal(message.to, b.id, `expired names the recipient: ${JSON.stringify(message)}`);
      assert.equal(message.ref, undefined, `after a restart an "expired" has no ref: ${JSON.stringify(message)}`);
    }

    await reconnect(a, b);
    const openedAt = Date.now();
    const durable = kQueued / 2;
    const arrived = await uiB.waitFor(() => {
      const got = signalsFrom(uiB, a.id, 'queued');
      return got.length >= durable ? got : undefined;
    }, { timeout: 20_000, what: `the ${durable} long-lived signals after the path opened` });
    t.diagnostic(`the ${durable} long-lived signals arrived ${Date.now() - openedAt} ms after the path opened`);
    await barrier(uiA, uiB, b.id, 'after-restart');
    const got = signalsFrom(uiB, a.id, 'queued');
    assert.deepEqual(got.map((m) => m.payload.i), Array.from({ length: durable }, (_, n) => 2 * n),
      'B gets exactly the long-lived signals (even i), in order, once; none of the expired ones');
    assert.ok(arrived.every((m, at) => at === 0 || m.seq > arrived[at - 1].seq), 'seq rises');
    assert.equal(uiA.ofType('expired').length, kQueued / 2, 'no further "expired" (the long-lived ones arrived)');
  });

  labTest('forged, tampered, misaddressed and replayed envelopes never reach the UI', { timeout: 60_000 }, async (lab, t) => {
    const b = await lab.addHost('b', { subnet: 'a', ip: '198.51.100.10' });
    const c = await lab.addHost('c', { subnet: 'a', ip: '198.51.100.11' });
    const x = await lab.addHost('x', { subnet: 'a', ip: '198.51.100.66' }); // the forger: no daemon, only raw HTTP
    await b.startDaemon(['--no-scan']);
    await c.startDaemon(['--no-scan']);
    await waitForPeer(b, c, { timeout: 3000 });
    const bKey = await publicKeyOf(b);
    const cKey = await publicKeyOf(c);
    const uiB = await b.openUi();
    const forger = new ForgedSignaler({ name: 'forger' });
    const post = (envelopes, { hello = forger.hello(), headers } = {}) => x.postSignal(b, {
      hello, body: frameEnvelopes(envelopes), headers,
    });
    // Each forged envelope would be the next one B delivers from the forger
    // (sequence 1) if it were not wrong in exactly one way.
    const next = (payload, fields = {}) => ({
      recipientKey: bKey, sequence: 1, type: 'offer', payload: { session: 'forged', data: payload }, ...fields,
    });
    const cases = [];
    const expectRefused = async (what, envelope) => {
      const res = await post([envelope]);
      cases.push(`${what}: ${res.status ?? res.error} ack ${res.headers?.['x-peerdrop-ack']}`);
      assert.equal(res.status, 200, `${what}: the exchange itself is fine: ${JSON.stringify(res)}`);
      assert.equal(res.headers['x-peerdrop-ack'], '0', `${what}: must not be acknowledged`);
    };

    // Requests without a valid hello are refused as a whole.
    const valid = forger.envelope(next({ case: 'never' }));
    for (const [what, hello] of [
      ['no hello', undefined],
      ['garbage hello', Buffer.from('not a packet').toString('base64')],
      ['hello of kind announce', forger.peer.packet(Kind.announce).toString('base64')],
    ]) {
      const res = await x.postSignal(b, { hello, body: frameEnvelopes([valid]) });
      cases.push(`${what}: ${res.status}`);
      assert.equal(res.status, 400, `${what}: ${JSON.stringify(res)}`);
    }
    const badFrame = await x.postSignal(b, { hello: forger.hello(), body: Buffer.from([0, 0, 0, 9, 1, 2, 3]) });
    cases.push(`cut-short frame: ${badFrame.status}`);
    assert.equal(badFrame.status, 400, `a cut-short frame: ${JSON.stringify(badFrame)}`);

    const flipped = forger.envelope(next({ case: 'wrong signature' }));
    flipped[flipped.length - 1] ^= 0x01;
    await expectRefused('wrong signature', flipped);

    const modified = forger.envelope(next({ case: 'modified', n: 1 }));
    const at = modified.lastIndexOf(Buffer.from('"n":1'));
    modified[at + 4] = '2'.charCodeAt(0);
    await expectRefused('modified after signing', modified);

    // C's key and id, the forger's signature: only a bad signature, not a key change.
    await expectRefused("C's key and id, signed by the forger",
      forger.envelope(next({ case: 'bad signature as C' }, { senderKey: cKey, senderId: c.id })));
    await expectRefused('claims to be C, signed by the forger',
      forger.envelope(next({ case: 'impersonation' }, { senderId: c.id })));
    const keyChanged = await uiB.waitForType('peer_key_changed', { what: 'peer_key_changed for C' });
    assert.equal(keyChanged[0].peer, c.id, `peer_key_changed names C: ${JSON.stringify(keyChanged[0])}`);

    await expectRefused("addressed to C's key", forger.envelope(next({ case: 'not for B' }, { recipientKey: cKey })));

    // Replay: the same request again is refused; the same envelope in a new request is acknowledged, not delivered twice.
    const original = forger.envelope(next({ case: 'replayed' }));
    const hello = forger.hello();
    const first = await post([original], { hello });
    assert.equal(first.status, 200, JSON.stringify(first));
    assert.equal(first.headers['x-peerdrop-ack'], '1', 'a valid envelope from a new peer is delivered');
    const again = await post([original], { hello });
    cases.push(`same request again: ${again.status}`);
    assert.equal(again.status, 409, `the same request again: ${JSON.stringify(again)}`);
    assert.equal(JSON.parse(again.body).code, 'replayed');
    const resent = await post([original]);
    cases.push(`same envelope, new request: ${resent.status} ack ${resent.headers?.['x-peerdrop-ack']}`);
    assert.equal(resent.status, 200, JSON.stringify(resent));
    assert.equal(resent.headers['x-peerdrop-ack'], '1', 'a duplicate is acknowledged again');

    // Barrier: the forger's next valid envelope arrives, so everything before it was handled.
    const marker = await post([forger.envelope(next({ case: 'marker' }, { sequence: 2 }))]);
    assert.equal(marker.headers['x-peerdrop-ack'], '2', JSON.stringify(marker));
    await uiB.waitFor((messages) => messages.some((m) => m.type === 'signal' && m.payload?.case === 'marker'), {
      what: "the forger's marker",
    });
    t.diagnostic(cases.join('; '));
    const delivered = uiB.ofType('signal');
    assert.deepEqual(delivered.map((m) => [m.from, m.kind, m.session, m.payload.case, m.seq]),
      [[forger.id, 'offer', 'forged', 'replayed', 1], [forger.id, 'offer', 'forged', 'marker', 2]],
      'only the valid envelopes reach the UI, each once');
    assert.equal(uiB.ofType('peer_key_changed').length, 1, 'one peer_key_changed (for the impersonation)');
  });

  labTest('another origin or Host cannot open the UI WebSocket or call control endpoints', {}, async (lab, t) => {
    const a = await lab.addHost('a', { subnet: 'a', ip: '198.51.100.10' });
    const remote = await lab.addHost('r', { subnet: 'a', ip: '198.51.100.20' });
    await a.startDaemon(['--no-scan']);
    const own = `${a.ip}:${kPort}`;
    const upgrade = (headers) => [
      'GET /ws HTTP/1.1', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13',
      `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}`, '', '',
    ].join('\r\n');
    const attempts = [
      // [what, from, headers, expected status]
      ['own Host, no Origin', a, { Host: own }, 101],
      ['own Host and Origin', a, { Host: own, Origin: `http://${own}` }, 101],
      ['localhost', a, { Host: `localhost:${kPort}`, Origin: `http://localhost:${kPort}` }, 101],
      ['Origin http://evil.example', a, { Host: own, Origin: 'http://evil.example' }, 403],
      ['Origin null', a, { Host: own, Origin: 'null' }, 403],
      ['Origin of another port', a, { Host: own, Origin: `http://${a.ip}:8080` }, 403],
      ['Origin https of this host', a, { Host: own, Origin: `https://${own}` }, 403],
      ['Host evil.example', a, { Host: 'evil.example' }, 403],
      ['Host evil.example:3001', a, { Host: `evil.example:${kPort}` }, 403],
      ['Host of another port', a, { Host: `${a.ip}:8080` }, 403],
      ['another machine', remote, { Host: own }, 403],
    ];
    const results = await Promise.all(attempts.map(([, from, headers]) => from.rawTcp({
      host: a.ip, port: kPort, data: upgrade(headers), maxDurationMs: 1500,
    })));
    const outcomes = attempts.map(([what, , , expected], n) => ({ what, expected, status: results[n].status }));
    t.diagnostic(outcomes.map(({ what, status }) => `${what}: ${status}`).join('; '));
    assert.deepEqual(outcomes.map((o) => o.status), outcomes.map((o) => o.expected),
      `WebSocket upgrades: ${JSON.stringify(outcomes)}`);
    for (const [n, [what, , , expected]] of attempts.entries()) {
      if (expected !== 403) continue;
      const text = results[n].reply.toString('latin1');
      assert.match(text, /"code":"forbidden"/, `${what}: a JSON error with code forbidden: ${text.slice(0, 300)}`);
    }

    // Node's WebSocket client with a foreign Origin is refused; with the daemon's own it opens.
    await assert.rejects(a.openUi({ headers: { origin: 'http://evil.example' } }), /did not open/);
    const ui = await a.openUi({ headers: { origin: `http://${own}` } });
    assert.equal(ui.self.id, a.id);
    await ui.close();

    const controls = [
      ['GET', '/api/peers'], ['POST', '/api/peers', { address: '198.51.100.99:3001' }],
      ['DELETE', `/api/peers/${a.id}`], ['GET', '/api/scan'], ['POST', '/api/scan'],
    ];
    for (const [method, path, body] of controls) {
      for (const [what, from, headers] of [
        ['Origin http://evil.example', a, { origin: 'http://evil.example' }],
        ['Host evil.example', a, { host: 'evil.example' }],
        ['another machine', remote, {}],
      ]) {
        const res = await from.fetch(`${a.daemon.baseUrl}${path}`, { method, headers, body });
        assert.equal(res.status, 403, `${method} ${path} with ${what}: ${res.status} ${res.body}`);
        assert.equal(res.json?.code, 'forbidden', `${method} ${path} with ${what}: ${res.body}`);
      }
    }
    const ownCall = await a.fetch('/api/peers', { headers: { origin: `http://${own}` } });
    assert.equal(ownCall.status, 200, 'the same call from the own origin works');
  });

  labTest('overload: a full queue for an unreachable peer answers queue_full, memory stays bounded, others still get through', { timeout: 90_000 }, async (lab, t) => {
    const a = await lab.addHost('a', { subnet: 'a', ip: '198.51.100.10' });
    const b = await lab.addHost('b', { subnet: 'a', ip: '198.51.100.11' });
    const c = await lab.addHost('c', { subnet: 'a', ip: '198.51.100.12' });
    const d = await lab.addHost('d', { subnet: 'a', ip: '198.51.100.13' });
    for (const host of [a, b, c, d]) await host.startDaemon(['--no-scan']);
    await Promise.all([b, c, d].map((other) => waitForPeer(a, other, { timeout: 3000 })));
    await waitForPeer(c, a, { timeout: 3000 });
    const uiA = await a.openUi();
    const uiC = await c.openUi();
    await cutOff(a, b);
    await cutOff(a, d);
    const before = a.daemon.memory();

    // Flood B in chunks (each chunk answered before the next) until queue_full, then keep going a while.
    const kChunk = 500;
    const kToCPaceMs = 20;
    const kMaxChunks = 10;
    const pad = 'x'.repeat(400);
    let sent = 0;
    let fullAt;
    const toC = uiA.sendAll(signals(c.id, { count: 100, tag: 'to C' }), { intervalMs: kToCPaceMs });
    for (let chunk = 0; chunk < kMaxChunks && (fullAt === undefined || sent < fullAt + 2 * kChunk); chunk++) {
      const flood = signals(b.id, { count: kChunk, tag: 'flood', first: sent })
        .map((message) => ({ ...message, payload: { i: message.payload.i, pad } }));
      await uiA.sendAll(flood);
      sent += kChunk;
      await uiA.waitFor(() => answersTo(uiA, 'flood') >= sent, { timeout: 10_000, what: `answers to ${sent} flood signals` });
      if (fullAt === undefined && queueFull(uiA).length > 0) fullAt = sent;
    }
    const after = a.daemon.memory();
    const acks = withRef(uiA, 'ack', 'flood');
    const full = queueFull(uiA);
    t.diagnostic(`flood: ${sent} signals to unreachable B: ${acks.length} acks, ${full.length} queue_full; ` +
      `A's RSS ${before.rssKiB} KiB before, ${after.rssKiB} KiB after (peak ${after.peakKiB} KiB)`);
    assert.ok(fullAt !== undefined, `no queue_full after ${sent} signals`);
    assert.equal(acks.length, 1000, 'exactly the per-peer cap (1,000) is queued');
    assert.deepEqual(acks.map((m) => m.ref), Array.from({ length: 1000 }, (_, i) => `flood:${i}`), 'the first 1,000 are queued');
    assert.equal(full.length, sent - 1000, 'every further signal is refused with queue_full');

    // D is cut off too; big signals fill its queue by bytes (1 MiB per peer) long before 1,000.
    // Then B gets more of them: all refused, and memory must not follow what was sent.
    const kBig = 60_000; // payload characters: the frame stays under the 64 KiB frame limit
    const big = 'y'.repeat(kBig);
    for (const [target, tag, count] of [[d, 'big to D', 100], [b, 'big to B', 200]]) {
      for (let first = 0; first < count; first += 25) {
        await uiA.sendAll(signals(target.id, { count: 25, tag, first })
          .map((message) => ({ ...message, payload: { i: message.payload.i, big } })));
        await uiA.waitFor(() => answersTo(uiA, tag) >= first + 25, { timeout: 10_000, what: `answers to "${tag}"` });
      }
    }
    const bigAcks = withRef(uiA, 'ack', 'big to D').length;
    const refusedBig = queueFull(uiA).filter((m) => String(m.ref).startsWith('big to ')).length;
    const end = a.daemon.memory();
    t.diagnostic(`big signals (${kBig} B): ${bigAcks} queued for D, ${refusedBig} queue_full (D and B); ` +
      `A's RSS ${end.rssKiB} KiB (peak ${end.peakKiB} KiB) after ${(300 * kBig / 2 ** 20).toFixed(1)} MiB more`);
    assert.ok(bigAcks >= 1 && bigAcks * kBig <= 2 ** 20, `D's queue holds ${bigAcks} big signals (cap 1 MiB)`);
    assert.equal(bigAcks + refusedBig, 300, 'every big signal is queued or refused with queue_full');
    assert.ok(end.peakKiB - before.rssKiB < 32 * 1024, `A's memory grew by ${end.peakKiB - before.rssKiB} KiB`);

    const sentToC = await toC;
    const received = await uiC.waitFor(() => {
      const got = signalsFrom(uiC, a.id, 'to C');
      return got.length >= 100 ? got : undefined;
    }, { timeout: 10_000, what: '100 signals from A at C' });
    assertExactlyInOrder(received, 100, 'C from A');
    t.diagnostic(`A to C during the flood, one every ${kToCPaceMs} ms: ` +
      `${describeDelays(received.map((m) => uiC.receivedAt(m) - sentToC[m.payload.i]))}`);
    await uiA.waitFor(() => withRef(uiA, 'delivered', 'to C').length === 100, { what: '100 delivered to C' });
    assert.equal(withRef(uiA, 'delivered', 'flood').length, 0, 'nothing reached B');
  });
});

// ---- helpers ----

/** `count` signals of `kind` for `to`: payload { i }, ref `<tag>:<i>`, session `tag` unless given. */
function signals(to, { count = kCount, tag, session = tag, kind = 'ice_candidate', ttlMs, first = 0 } = {}) {
  return Array.from({ length: count }, (_, n) => {
    const i = first + n;
    return { type: 'signal', ref: `${tag}:${i}`, to, kind, session, payload: { i }, ...(ttlMs !== undefined && { ttlMs }) };
  });
}

/** The `signal` messages `ui` received from peer `from` in `session`. */
function signalsFrom(ui, from, session) {
  return ui.messages.filter((m) => m.type === 'signal' && m.from === from && m.session === session);
}

/** Messages of `type` whose ref starts with `<tag>:`. */
function withRef(ui, type, tag) {
  return ui.messages.filter((m) => m.type === type && typeof m.ref === 'string' && m.ref.startsWith(`${tag}:`));
}

/**
 * Sends `count` signals from `sender` to peer `to` (session = tag; the first
 * `lead` alone, waiting until they arrived; the rest one every `intervalMs`) and waits
 * until the receiving UI has all of them, the sender has an ack for each and
 * then a `delivered` for each. Checks order and uniqueness on both sides.
 * Resolves with the per-message delays (receive time at the receiving agent
 * minus send time at the sending agent).
 */
async function exchange(sender, receiver, { to, from, tag, count = kCount, lead = 0, intervalMs = 0, timeout = 20_000 }) {
  const messages = signals(to, { count, tag });
  const sentAt = [];
  if (lead > 0) {
    sentAt.push(...await sender.sendAll(messages.slice(0, lead)));
    await receiver.waitFor(() => signalsFrom(receiver, from, tag).length >= lead, {
      timeout, what: `the first ${lead} signal(s) of session "${tag}"`,
    });
  }
  sentAt.push(...await sender.sendAll(messages.slice(lead), { intervalMs }));
  const received = await receiver.waitFor(() => {
    const got = signalsFrom(receiver, from, tag);
    return got.length >= count ? got : undefined;
  }, { timeout, what: `${count} signals of session "${tag}"` });
  assertExactlyInOrder(received, count, `${tag} at the receiver`);
  const acks = await sender.waitFor(() => {
    const got = withRef(sender, 'ack', tag);
    return got.length >= count ? got : undefined;
  }, { timeout: 5000, what: `${count} acks for "${tag}"` });
  assertOncePerRef(acks, tag, count, 'ack');
  assert.ok(acks.every((ack) => ack.to === to), `every ack of "${tag}" names the recipient`);
  const delivered = await sender.waitFor(() => {
    const got = withRef(sender, 'delivered', tag);
    return got.length >= count ? got : undefined;
  }, { timeout, what: `${count} delivered for "${tag}"` });
  assertOncePerRef(delivered, tag, count, 'delivered');
  const errors = sender.ofType('error').filter((m) => typeof m.ref === 'string' && m.ref.startsWith(`${tag}:`));
  assert.deepEqual(errors, [], `errors for "${tag}"`);
  return { sentAt, received, delays: received.map((m) => receiver.receivedAt(m) - sentAt[m.payload.i]) };
}

/** payload.i runs 0..count-1 exactly once, in order, and the daemon's seq rises by one. */
function assertExactlyInOrder(received, count, what) {
  const indices = received.map((m) => m.payload?.i);
  const duplicates = indices.filter((i, at) => indices.indexOf(i) !== at);
  assert.deepEqual(duplicates, [], `${what}: duplicates`);
  const outOfOrder = indices.findIndex((i, at) => i !== at);
  assert.equal(outOfOrder, -1, `${what}: message #${outOfOrder} has i=${indices[outOfOrder]} (expected 0..${count - 1} in order)`);
  assert.equal(received.length, count, `${what}: count`);
  const seqs = received.map((m) => m.seq);
  assert.ok(seqs.every((seq, at) => at === 0 || seq === seqs[at - 1] + 1), `${what}: seq must rise by 1: ${seqs.slice(0, 20)}…`);
}

function assertOncePerRef(messages, tag, count, type) {
  const refs = new Set(messages.map((m) => m.ref));
  assert.equal(messages.length, count, `${type} for "${tag}": ${messages.length} messages`);
  assert.equal(refs.size, count, `${type} for "${tag}": ${refs.size} distinct refs`);
}

/**
 * Sends a marker signal and waits until the receiver has it: since delivery
 * is in order, everything the sender queued before it has been handled.
 */
async function barrier(senderUi, receiverUi, to, label, { timeout = 10_000 } = {}) {
  const session = `marker-${label}`;
  await senderUi.send({ type: 'signal', ref: session, to, kind: 'bye', session, payload: { marker: label } });
  return receiverUi.waitFor((messages) => messages.find((m) => m.type === 'signal' && m.session === session), {
    timeout, what: `marker "${label}"`,
  });
}

/** Drops everything between two hosts, in both namespaces (broadcasts included). */
async function cutOff(x, y) {
  for (const [self, other] of [[x, y], [y, x]]) {
    await self.iptables(`-A INPUT -s ${other.ip} -j DROP`);
    await self.iptables(`-A OUTPUT -d ${other.ip} -j DROP`);
  }
}

/** Undoes cutOff. */
async function reconnect(x, y) {
  for (const [self, other] of [[x, y], [y, x]]) {
    await self.iptables(`-D INPUT -s ${other.ip} -j DROP`);
    await self.iptables(`-D OUTPUT -d ${other.ip} -j DROP`);
  }
}

/** The raw Ed25519 public key of a host's daemon, from its signed health announcement. */
async function publicKeyOf(host) {
  const health = await host.health();
  const announcement = decodeAnnouncement(Buffer.from(health.announcement, 'base64'));
  assert.equal(announcement.id, host.id);
  return announcement.publicKey;
}

/** How many of the UI's signals tagged `tag` were answered (ack or error). */
function answersTo(ui, tag) {
  return withRef(ui, 'ack', tag).length + ui.ofType('error').filter((m) => String(m.ref).startsWith(`${tag}:`)).length;
}

function queueFull(ui) {
  return ui.ofType('error').filter((m) => m.code === 'queue_full');
}

/** Arrival times of the `peers` messages that list `id` offline after `ui` saw it online. */
function offlineSightings(ui, id) {
  let seenOnline = false;
  const sightings = [];
  for (const message of ui.ofType('peers')) {
    const peer = message.peers.find((p) => p.id === id);
    if (peer?.online) seenOnline = true;
    else if (seenOnline) sightings.push(new Date(ui.receivedAt(message)).toISOString());
  }
  return sightings;
}

/** Packets an iptables rule (found by its comment) has matched in `chain` of `host`. */
async function rulePackets(host, chain, comment) {
  const listing = await host.exec(['iptables', '-w', '-L', chain, '-v', '-n', '-x']);
  const line = listing.split('\n').find((l) => l.includes(`/* ${comment} */`));
  if (!line) throw new Error(`no iptables rule "${comment}" in ${chain} of ${host.name}:\n${listing}`);
  return Number(line.trim().split(/\s+/)[0]);
}

/**
 * The times between the next `count` + 1 new connections counted by the
 * INPUT rule `comment` in `host` (ms, to within the 25 ms polling interval).
 */
async function connectionGaps(host, comment, count) {
  const seen = [];
  let last = await rulePackets(host, 'INPUT', comment);
  await waitFor(async () => {
    const now = await rulePackets(host, 'INPUT', comment);
    for (; last < now; last++) seen.push(Date.now());
    return seen.length;
  }, { interval: 25, timeout: 3000 * (count + 1), what: `${count + 1} connections counted by "${comment}"`, until: (n) => n > count });
  return seen.slice(1, count + 1).map((at, i) => at - seen[i]);
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function delayStats(delays) {
  const sorted = [...delays].sort((x, y) => x - y);
  return { first: delays[0], median: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) };
}

function describeDelays(delays) {
  const { first, median, p95, max } = delayStats(delays);
  return `first ${first} ms, median ${median} ms, p95 ${p95} ms, max ${max} ms`;
}
