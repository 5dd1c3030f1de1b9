// Signaling scenarios: UI clients on two or three hosts exchange `signal`
// messages through their daemons, which carry them over their daemon
// channel (docs/protocol.md, "The UI's WebSocket" and "Daemon channel"): same
// subnet, a one-way network, a SIGKILL'd sender, forged envelopes on a forged
// channel, the channel's TLS, a replayed announcement, foreign origins and an
// overloaded queue. Each test builds its own lab.
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
  ForgedSignaler, FrameType, Kind, ackFrame, decodeAnnouncement, decodeEnvelope, ed25519KeyOf, encodeFrame, findPeer,
  kSubnetA, kSubnetB, labSuite, labTest, makeCertificate, opensslClient, peerId, splitFrames, waitFor,
  waitForPeer,
} from '../lib/index.mjs';

const kPort = 3001;
const kCount = 1000;
const kPaceMs = 5; // the one-way test sends one signal every 5 ms (1,000 in 5 s)
const kFirstSignalMs = 2000; // the first signal on a one-way network, with no warm-up

await labSuite('signaling', () => {
  labTest('same subnet: 1,000 signals each way arrive in order, exactly once', { timeout: 60_000 }, async (lab, t) => {
    const { a, b } = await verifiedPair(lab);
    const uiA = await a.openUi();
    const uiB = await b.openUi();
    assert.equal(uiB.self.id, b.id, "B's welcome names B's daemon");
    const bAtA = await waitForUiPeer(uiA, b, 'A');
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
  // every packet to B that would start a new conntrack entry (TCP SYN, UDP)
  // is dropped. The subnets differ, so neither hears the other's broadcasts:
  // B knows A as a manual peer, proves it by a handshake there and keeps
  // that channel open; A knows B from that channel ("inbound"), and tries in
  // vain to prove B's address (the SYNs the one-way rule drops). Both
  // directions travel over the one channel B opened. The first signal each
  // way is the first message after the daemons started, sent as soon as each
  // UI lists the other peer (what a user waits for to click Connect).
  labTest('one-way network: the first signal each way arrives within 2 s, then 1,000 each way exactly once, over the channel B opened', { subnets: [kSubnetA, kSubnetB], timeout: 60_000 }, async (lab, t) => {
    const a = await lab.addHost('a', { subnet: 'a', ip: '198.51.100.10' });
    const b = await lab.addHost('b', { subnet: 'b', ip: '203.0.113.10' });
    await a.iptables(`-A OUTPUT -d ${b.ip} -m conntrack --ctstate NEW -m comment --comment one-way -j DROP`);
    await a.startDaemon(['--no-scan']);
    await b.startDaemon(['--no-scan', '--peer', `${a.ip}:${kPort}`]);
    const started = Date.now();
    const uiA = await a.openUi();
    const uiB = await b.openUi();
    await Promise.all([waitForUiPeer(uiA, b, 'A', 10_000), waitForUiPeer(uiB, a, 'B', 10_000)]);
    t.diagnostic(`each UI listed the other ${Date.now() - started} ms after both daemons started`);

    const firsts = await Promise.all([
      exchange(uiA, uiB, { to: b.id, from: a.id, tag: 'first A to B', count: 1, timeout: 10_000 }),
      exchange(uiB, uiA, { to: a.id, from: b.id, tag: 'first B to A', count: 1, timeout: 10_000 }),
    ]);
    const [firstAToB, firstBToA] = firsts.map(({ delays }) => delays[0]);
    t.diagnostic(`first signal A to B after ${firstAToB} ms, B to A after ${firstBToA} ms`);

    const aToB = await exchange(uiA, uiB, { to: b.id, from: a.id, tag: 'A to B', intervalMs: kPaceMs, timeout: 30_000 });
    const bToA = await exchange(uiB, uiA, { to: a.id, from: b.id, tag: 'B to A', intervalMs: kPaceMs, timeout: 30_000 });
    t.diagnostic(`A to B, one every ${kPaceMs} ms: ${describeDelays(aToB.delays)}`);
    t.diagnostic(`B to A, one every ${kPaceMs} ms: ${describeDelays(bToA.delays)}`);
    await barrier(uiA, uiB, b.id, 'end');
    assertExactlyInOrder(signalsFrom(uiB, a.id, 'A to B'), kCount, 'B from A');
    assertExactlyInOrder(signalsFrom(uiA, b.id, 'B to A'), kCount, 'A from B');

    const dropped = await a.iptablesPackets('OUTPUT', 'one-way');
    const bAtA = findPeer(await a.peers(), b.id);
    t.diagnostic(`packets from A to B dropped by the one-way rule: ${dropped}; A lists B as ${JSON.stringify(bAtA)}`);
    assert.ok(dropped > 0, "A must have tried to prove B's address directly (the rule dropped nothing)");
    assert.deepEqual(bAtA.addresses, [], 'A never proved an address of B: it cannot reach it');
    assert.ok(bAtA.verified && bAtA.channel, 'B is verified at A by the channel B opened');
    assert.ok(firstAToB <= kFirstSignalMs, `the first signal A to B took ${firstAToB} ms (at most ${kFirstSignalMs} ms)`);
    assert.ok(firstBToA <= kFirstSignalMs, `the first signal B to A took ${firstBToA} ms (at most ${kFirstSignalMs} ms)`);
    for (const [label, { delays }] of [['A to B', aToB], ['B to A', bToA]]) {
      const { median, max } = delayStats(delays);
      assert.ok(median < 200, `median delay ${label} ${median} ms (want < 200 ms)`);
      assert.ok(max < 1000, `a signal ${label} took ${max} ms on a standing channel`);
    }
    assert.deepEqual(offlineSightings(uiB, a.id), [], "B's UI must not see A go offline while they exchange signals");
    assert.deepEqual(offlineSightings(uiA, b.id), [], "A's UI must not see B go offline while they exchange signals");
  });

  // The other start order, with the user's announce interval (20 s): B, which can reach A, has
  // been running and asking A's address in vain when A starts; A cannot reach B at all. B asks
  // its manual addresses every second, so they find each other at once, not an interval later.
  labTest('one-way network, the side that can connect started first (20 s announce interval): both list each other within 2 s of the other\'s start', { subnets: [kSubnetA, kSubnetB], timeout: 60_000 }, async (lab, t) => {
    const a = await lab.addHost('a', { subnet: 'a', ip: '198.51.100.10' });
    const b = await lab.addHost('b', { subnet: 'b', ip: '203.0.113.10' });
    await a.iptables(`-A OUTPUT -d ${b.ip} -m conntrack --ctstate NEW -m comment --comment one-way -j DROP`);
    await a.iptables(`-A INPUT -s ${b.ip} -p tcp --dport ${kPort} --syn -m comment --comment asked -j ACCEPT`);
    await b.startDaemon(['--no-scan', '--announce-interval', '20', '--peer', `${a.ip}:${kPort}`]);
    // B has been asking for a while: three times without an answer (nothing listens at A yet).
    await waitFor(() => a.iptablesPackets('INPUT', 'asked'), { timeout: 10_000, interval: 100, what: "B's third try at A", until: (n) => n >= 3 });
    await a.startDaemon(['--no-scan', '--announce-interval', '20']);
    const started = Date.now();
    const uiA = await a.openUi();
    const uiB = await b.openUi();
    await Promise.all([waitForUiPeer(uiA, b, 'A', 10_000), waitForUiPeer(uiB, a, 'B', 10_000)]);
    const listed = Date.now() - started;
    t.diagnostic(`each UI listed the other ${listed} ms after A started`);
    assert.ok(listed <= kFirstSignalMs, `first contact took ${listed} ms after A started (at most ${kFirstSignalMs} ms)`);
    const { delays } = await exchange(uiA, uiB, { to: b.id, from: a.id, tag: 'first A to B', count: 1, timeout: 5_000 });
    t.diagnostic(`then the first signal A to B in ${delays[0]} ms`);
  });

  // B is stopped first (its channel closes cleanly, nothing is left in flight), then cut off so that
  // it cannot reconnect before its UI is open again. A queues 40 signals: the first 20 keep the
  // default TTL (120 s), the last 20 live 3 s. A is SIGKILLed and restarted with them queued.
  labTest('queued signals survive SIGKILL and restart; expired ones never arrive and are reported', { timeout: 60_000 }, async (lab, t) => {
    await queuedWhileAway(lab, t, { count: 40, shortLived: (i) => i >= 20, sigkill: true });
  });

  // The same with the short-lived signals between the long-lived ones: the expired ones leave holes
  // in A's sequence that B must step over, on the channel that is up (A sends what lies past a hole
  // once B's ack of what lies below it lets the envelope's floor reach it).
  labTest('signals queued behind an expired one still arrive: B steps over the hole', { timeout: 60_000 }, async (lab, t) => {
    await queuedWhileAway(lab, t, { count: 10, shortLived: (i) => i % 2 === 1, sigkill: false });
  });

  // The forger is a host without a daemon that opens a channel to B as a daemon would, with a
  // certificate of its own key: the channel proves who it is, nothing more.
  labTest('forged, tampered, misaddressed and replayed envelopes on a forged channel never reach the UI; a forged ack deletes nothing', { timeout: 60_000 }, async (lab, t) => {
    const b = await lab.addHost('b', { subnet: 'a', ip: '198.51.100.10' });
    const c = await lab.addHost('c', { subnet: 'a', ip: '198.51.100.11' });
    const x = await lab.addHost('x', { subnet: 'a', ip: '198.51.100.66' }); // the forger: no daemon, only channels
    await b.startDaemon(['--no-scan']);
    await c.startDaemon(['--no-scan']);
    await waitForPeer(b, c, { verified: true, timeout: 3000 });
    const bKey = await publicKeyOf(b);
    const cKey = await publicKeyOf(c);
    const uiB = await b.openUi();
    const cases = [];
    // Each forged envelope would be the next one B delivers from its signer
    // (sequence 1) if it were not wrong in exactly one way.
    const next = (payload, fields = {}) => ({
      recipientKey: bKey, sequence: 1, type: 'offer', payload: { session: 'forged', data: payload }, ...fields,
    });

    // A channel whose peer has not said hello (or not its own) is not heard: no delivery, no ack.
    for (const [what, hello] of [
      ['no hello', () => []],
      ['garbage hello', () => [{ type: FrameType.hello, payload: Buffer.from('not a packet') }]],
      ['hello of kind announce', (s) => [s.helloFrame(s.peer.packet(Kind.announce))]],
      ["another key's hello", () => [new ForgedSignaler().helloFrame()]],
    ]) {
      const signaler = new ForgedSignaler({ name: 'unheard' });
      const ch = await signaler.openChannel(x, b);
      assert.equal(ch.handshake, 'ok', `${what}: ${ch.error}`);
      assert.equal(ch.serverId, b.id, "the daemon's certificate key is B's identity");
      await ch.roundTrip(); // B's own hello and first ack
      const { acks } = await ch.roundTrip([...hello(signaler), signaler.envelopesFrame([signaler.envelope(next({ case: what }))])]);
      cases.push(`${what}: acks ${JSON.stringify(acks.map(Number))}`);
      assert.deepEqual(acks, [], `${what}: envelopes on a channel without the peer's hello are not heard`);
      await ch.close();
    }

    const forger = new ForgedSignaler({ name: 'forger' });
    const ch = await forger.openChannel(x, b);
    assert.equal(ch.handshake, 'ok', ch.error);
    await ch.roundTrip([forger.helloFrame()]);
    await waitForPeer(b, forger, { verified: true, timeout: 3000, what: 'B to list the forger, proven by its channel' });
    const expectRefused = async (what, envelopes) => {
      const { acks } = await ch.roundTrip([forger.envelopesFrame(envelopes)]);
      cases.push(`${what}: acks ${JSON.stringify(acks.map(Number))}`);
      assert.deepEqual(acks, [0n], `${what}: answered, but nothing acknowledged`);
    };

    const flipped = forger.envelope(next({ case: 'wrong signature' }));
    flipped[flipped.length - 1] ^= 0x01;
    await expectRefused('wrong signature', [flipped]);

    const modified = forger.envelope(next({ case: 'modified', n: 1 }));
    const at = modified.lastIndexOf(Buffer.from('"n":1'));
    modified[at + 4] = '2'.charCodeAt(0);
    await expectRefused('modified after signing', [modified]);

    // Not the channel's peer: refused before the signature is looked at.
    await expectRefused("C's key and id, signed by the forger",
      [forger.envelope(next({ case: 'as C' }, { senderKey: cKey, senderId: c.id }))]);
    await expectRefused('claims to be C, signed by the forger', [forger.envelope(next({ case: 'impersonation' }, { senderId: c.id }))]);
    await expectRefused("addressed to C's key", [forger.envelope(next({ case: 'not for B' }, { recipientKey: cKey }))]);

    // A broken envelopes frame is refused whole, without an ack.
    const cutShort = await ch.roundTrip([{ type: FrameType.envelopes, payload: Buffer.from([0, 0, 0, 9, 1, 2, 3]) }]);
    cases.push(`cut-short envelope framing: acks ${JSON.stringify(cutShort.acks.map(Number))}`);
    assert.deepEqual(cutShort.acks, [], 'a cut-short envelope framing is refused whole');

    // Replay: the same envelope again, on the same channel and on a new one, is acknowledged, not delivered twice.
    const original = forger.envelope(next({ case: 'replayed' }));
    assert.deepEqual((await ch.roundTrip([forger.envelopesFrame([original])])).acks, [1n], 'a valid envelope is delivered');
    assert.deepEqual((await ch.roundTrip([forger.envelopesFrame([original])])).acks, [1n], 'a duplicate is acknowledged again');
    await ch.close();
    await waitFor(async () => findPeer(await b.peers(), forger.id), {
      what: "B to see the forger's channel closed", until: (peer) => peer?.channel === false,
    });
    const again = await forger.openChannel(x, b);
    assert.equal(again.handshake, 'ok', again.error);
    const resent = await again.roundTrip([forger.helloFrame(), forger.envelopesFrame([original])]);
    cases.push(`same envelope on a new channel: acks ${JSON.stringify(resent.acks.map(Number))}`);
    assert.deepEqual(resent.acks, [1n, 1n], 'a new channel starts with B\'s ack so far; the replay is acknowledged again');

    // Barrier: the forger's next valid envelope arrives, so everything before it was handled.
    const marker = await again.roundTrip([forger.envelopesFrame([forger.envelope(next({ case: 'marker' }, { sequence: 2 }))])]);
    assert.deepEqual(marker.acks, [2n]);
    await uiB.waitFor((messages) => messages.some((m) => m.type === 'signal' && m.payload?.case === 'marker'), {
      what: "the forger's marker",
    });
    t.diagnostic(cases.join('; '));
    assert.deepEqual(uiB.ofType('signal').map((m) => [m.from, m.kind, m.session, m.payload.case, m.seq]),
      [[forger.id, 'offer', 'forged', 'replayed', 1], [forger.id, 'offer', 'forged', 'marker', 2]],
      'only the valid envelopes reach the UI, each once');

    // An ack beyond what B sent deletes nothing: not B's signal to C (offline, queued), not its signal to the forger.
    await c.stopDaemon();
    await waitForPeer(b, c, { online: false, timeout: 3000 });
    await uiB.send(signalTo(c.id, 'for C'));
    await uiB.send(signalTo(forger.id, 'for the forger'));
    await uiB.waitForType('ack', { count: 2, filter: (m) => ['for C', 'for the forger'].includes(m.ref), what: 'both queued' });
    const [sent] = await again.waitForFrame(FrameType.envelopes, { what: "B's envelope for the forger" });
    const envelopes = splitFrames(sent.payload).map(decodeEnvelope);
    assert.deepEqual(envelopes.map((e) => [e.senderIdMatchesKey, e.signatureValid, e.sequence, e.payload?.session]),
      [[true, true, 1, 'for the forger']], "B's envelope to the forger");
    assert.equal(peerId(envelopes[0].senderKey), b.id);
    await again.roundTrip([ackFrame(2n ** 64n - 1n)]);
    await uiB.send(signalTo(forger.id, 'after the forged ack'));
    await uiB.waitForType('ack', { filter: (m) => m.ref === 'after the forged ack' });
    assert.deepEqual(uiB.ofType('delivered').map((m) => m.ref), [], 'an ack of sequence 2^64-1 is not believed');
    await again.roundTrip([ackFrame(1)]);
    await uiB.waitForType('delivered', { filter: (m) => m.ref === 'for the forger', what: 'delivered once the forger acks 1' });

    await cutOff(b, c);
    await c.daemon.restart();
    const uiC = await c.openUi();
    await reconnect(b, c);
    const [forC] = await uiC.waitForType('signal', { filter: (m) => m.session === 'for C', timeout: 10_000, what: "B's signal to C" });
    assert.equal(forC.from, b.id);
    await uiB.waitForType('delivered', { filter: (m) => m.ref === 'for C', what: 'delivered to C' });
    assert.deepEqual(uiB.ofType('delivered').map((m) => m.ref), ['for the forger', 'for C'],
      'the signal after the forged ack is still waiting for its ack');
    await again.close();
  });

  labTest('the channel is TLS 1.3 with a client certificate of an Ed25519 key, ALPN peerdrop/2, and the server proves B\'s id', { timeout: 60_000 }, async (lab, t) => {
    const b = await lab.addHost('b', { subnet: 'a', ip: '198.51.100.10' });
    const x = await lab.addHost('x', { subnet: 'a', ip: '198.51.100.66' });
    await b.startDaemon(['--no-scan']);
    const certs = `${x.dir}/certs`;
    const [fresh, expired, p256] = await Promise.all([
      makeCertificate(certs),
      makeCertificate(certs, { notBefore: '20000101000000Z', notAfter: '20000102000000Z' }),
      makeCertificate(certs, { keyType: 'ec' }),
    ]);
    // After the handshake a ping, then a frame of length 0, which makes B close the channel (and s_client end).
    const nonce = Buffer.from('lab-ping');
    const input = Buffer.concat([encodeFrame(FrameType.ping, nonce), Buffer.alloc(5)]);
    const attempt = async (what, options) => {
      const res = await opensslClient(x, b, { input, ...options });
      const ponged = res.stdout.includes(Buffer.concat([Buffer.from([0, 0, 0, 9, FrameType.pong]), nonce]));
      const alert = /alert [\w ]+/.exec(res.stderr)?.[0];
      t.diagnostic(`${what}: ${ponged ? 'handshake done, ping answered' : `refused (${alert ?? res.stderr.trim().split('\n').at(-1)})`}`);
      return { ...res, ponged, alert };
    };

    const ok = await attempt('a fresh Ed25519 client certificate', { certificate: fresh });
    assert.ok(ok.ponged, `the handshake completes and B answers a ping: ${ok.stderr}`);
    assert.match(ok.text, /Protocol\s*:\s*TLSv1\.3/);
    assert.match(ok.text, /ALPN protocol: peerdrop\/2/);
    const serverKey = ed25519KeyOf(ok.serverCertPem);
    assert.ok(serverKey, "B's certificate has an Ed25519 key");
    assert.equal(peerId(serverKey), (await b.health()).id, "B's certificate key hashes to B's id");

    for (const [what, options, alert] of [
      ['no client certificate', {}, /certificate required/],
      ['an expired client certificate (2000-01-01 to 2000-01-02)', { certificate: expired }, /alert/],
      ['a P-256 client certificate', { certificate: p256 }, /alert/],
      ['ALPN http/1.1', { certificate: fresh, alpn: 'http/1.1' }, /no application protocol/],
    ]) {
      const res = await attempt(what, options);
      assert.equal(res.ponged, false, `${what}: refused, no frame is answered`);
      assert.match(res.alert ?? '', alert, `${what}: ${res.stderr}`);
    }

    // The first byte of a TLS handshake record and garbage (not a ClientHello: answered as HTTP, 400),
    // and the header of a ClientHello with garbage inside (handed to TLS: a TLS alert): both closed.
    const clientHelloHeader = Buffer.from([0x16, 0x03, 0x01, 0x01, 0x00, 0x01, 0x00, 0x00, 0xfc]); // record 256, hello 252
    for (const [what, data, reply] of [
      ['0x16 and garbage', Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x10, 0x07]), crypto.randomBytes(300)]), /^HTTP\/1\.1 400 /],
      ['a ClientHello header and garbage', Buffer.concat([clientHelloHeader, crypto.randomBytes(252)]), /^(\x15\x03|$)/],
    ]) {
      const res = await x.rawTcp({ host: b.ip, port: kPort, data, maxDurationMs: 12_000 });
      const text = res.reply.toString('latin1');
      t.diagnostic(`${what}: closed by ${res.closedBy} after ${res.durationMs} ms; ${res.reply.length} bytes back: ` +
        `${JSON.stringify(text.slice(0, 24))}`);
      assert.notEqual(res.closedBy, 'client', `${what}: B must close the connection`);
      assert.match(text, reply, `${what}: what B answered`);
    }
    assert.equal((await b.fetch('/api/health')).status, 200, 'B keeps serving HTTP');
    const after = await x.channel(b);
    assert.equal(after.handshake, 'ok', `B keeps accepting channels: ${after.error}`);
    assert.equal(after.serverId, b.id);
  });

  // OpenSSL calls the ALPN callback only when the client sends the extension: the daemon refuses a
  // ClientHello without it on its own.
  labTest('the channel refuses a client that offers no ALPN', { timeout: 30_000 }, async (lab) => {
    const b = await lab.addHost('b', { subnet: 'a', ip: '198.51.100.10' });
    const x = await lab.addHost('x', { subnet: 'a', ip: '198.51.100.66' });
    await b.startDaemon(['--no-scan']);
    const ch = await x.openChannel(b, { alpn: [] });
    assert.equal(ch.handshake, 'error', `a client without ALPN got a channel (ALPN ${ch.alpn}, frames ${ch.frames.length})`);
  });

  // X has its own daemon and replays bob's signed health packet to alice from X's address, as if bob
  // were at X. Before the channel, that made X bob's address at alice.
  labTest("a replayed announcement makes X at most a candidate for bob: never bob's address, and signals still reach bob", { timeout: 60_000 }, async (lab, t) => {
    const alice = await lab.addHost('alice', { subnet: 'a', ip: '198.51.100.10' });
    const bob = await lab.addHost('bob', { subnet: 'a', ip: '198.51.100.11' });
    const x = await lab.addHost('x', { subnet: 'a', ip: '198.51.100.66' });
    for (const host of [alice, bob, x]) await host.startDaemon(['--no-scan']);
    await waitForPeer(alice, bob, { verified: true, address: `${bob.ip}:${kPort}`, timeout: 3000 });
    const fromX = `${x.ip}:${kPort}`;

    // Every answer of alice's peer list during the test, to check bob's addresses in each.
    const seen = [];
    let watching = true;
    const watcher = waitFor(() => alice.peers(), {
      timeout: 55_000, interval: 100, what: 'the end of the test',
      until: (list) => {
        seen.push(findPeer(list, bob.id));
        return !watching;
      },
    });

    // A fresh packet is newer than anything alice heard from bob; one bob broadcast in between makes it a replay, so try again.
    const replay = async () => {
      const health = await x.fetch(`${bob.daemon.baseUrl}/api/health`);
      await x.sendUdp(Buffer.from(health.json.announcement, 'base64'), alice.ip, kPort);
      return findPeer(await alice.peers(), bob.id);
    };
    const candidate = await waitFor(replay, {
      timeout: 5000, interval: 200, what: `alice to list ${fromX} as a candidate of bob`,
      until: (peer) => peer?.candidates.includes(fromX),
    });
    t.diagnostic(`after the replay alice lists bob as ${JSON.stringify(candidate)}`);
    // X's daemon answers a handshake there with its own key, not bob's: the candidate fails and is dropped.
    const dropped = await waitFor(async () => findPeer(await alice.peers(), bob.id), {
      timeout: 15_000, interval: 100, what: `alice to drop ${fromX} as bob's candidate`,
      until: (peer) => !peer.candidates.includes(fromX),
    });
    t.diagnostic(`then ${JSON.stringify(dropped)}`);

    // X cannot be bob on a channel: its certificate is its own key, and bob's packet as its hello is not its hello.
    const impostor = await x.openChannel(alice);
    assert.equal(impostor.handshake, 'ok', impostor.error);
    const bobsPacket = Buffer.from((await x.fetch(`${bob.daemon.baseUrl}/api/health`)).json.announcement, 'base64');
    const asBob = new ForgedSignaler({ name: 'bob' });
    const claimed = await impostor.roundTrip([
      asBob.helloFrame(bobsPacket),
      asBob.envelopesFrame([asBob.envelope({ recipientKey: await publicKeyOf(alice), sequence: 1, payload: { session: 'as bob' } })]),
    ]);
    assert.notEqual(impostor.serverId, undefined);
    assert.deepEqual(claimed.acks.filter((ack) => ack > 0n), [], 'nothing from the impostor channel is delivered');
    await impostor.close();

    const uiA = await alice.openUi();
    const uiB = await bob.openUi();
    await exchange(uiA, uiB, { to: bob.id, from: alice.id, tag: 'alice to bob', count: 10 });
    await exchange(uiB, uiA, { to: alice.id, from: bob.id, tag: 'bob to alice', count: 10 });
    watching = false;
    await watcher;
    const withX = seen.filter((peer) => peer?.addresses.includes(fromX));
    t.diagnostic(`${seen.length} samples of alice's list; bob's addresses: ${JSON.stringify([...new Set(seen.map((p) => p?.addresses.join(',')))])}`);
    assert.deepEqual(withX, [], `alice never lists ${fromX} among bob's addresses`);
    assert.ok(seen.every((peer) => peer?.verified && peer.addresses[0] === `${bob.ip}:${kPort}`), "bob's proven address stays first");
    assert.equal(uiA.ofType('signal').filter((m) => m.session === 'as bob').length, 0, 'the impostor reached no UI');
  });

  labTest('another origin or Host cannot open the UI WebSocket or call control endpoints', {}, async (lab, t) => {
    const a = await lab.addHost('a', { subnet: 'a', ip: '198.51.100.10' });
    const remote = await lab.addHost('r', { subnet: 'a', ip: '198.51.100.20' });
    await a.startDaemon(['--no-scan']);
    const own = `${a.ip}:${kPort}`;
    // Every attempt carries the control token: what is refused here is refused for its Origin or Host.
    const upgrade = (headers) => [
      `GET /ws?token=${a.daemon.token} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
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
        ['another machine, even with the token', remote, { authorization: `Bearer ${a.daemon.token}` }],
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
    await Promise.all([b, c, d].map((other) => waitForPeer(a, other, { verified: true, timeout: 3000 })));
    await waitForPeer(c, a, { verified: true, timeout: 3000 });
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

/**
 * A queues `count` signals for B while B is away (stopped, then cut off):
 * those with shortLived(i) live 3 s, the others 120 s. A is SIGKILLed and
 * restarted with them queued if `sigkill`. Every tab of A is told of each
 * expired one; once B is back (restarted, its UI open, the path open again),
 * B gets exactly the long-lived ones, in order, once.
 */
async function queuedWhileAway(lab, t, { count, shortLived, sigkill }) {
  const { a, b } = await verifiedPair(lab);
  let uiA = await a.openUi();
  await b.stopDaemon();
  await waitForPeer(a, b, { online: false, timeout: 3000 });
  await cutOff(a, b);

  const kShortTtlMs = 3000;
  const queued = signals(b.id, { count, tag: 'queued' })
    .map((message) => (shortLived(message.payload.i) ? { ...message, ttlMs: kShortTtlMs } : message));
  const durable = queued.filter((message) => message.ttlMs === undefined).map((message) => message.payload.i);
  const short = count - durable.length;
  const sentAt = await uiA.sendAll(queued);
  await uiA.waitFor(() => withRef(uiA, 'ack', 'queued').length === count, { what: `${count} acks` });

  if (sigkill) {
    a.daemon.kill('SIGKILL');
    assert.equal((await a.daemon.exited).signal, 'SIGKILL');
    await a.daemon.restart();
    const restartedAfter = Date.now() - sentAt[0];
    assert.ok(restartedAfter < kShortTtlMs - 500, `A was back only ${restartedAfter} ms after sending: too slow for this test`);
    t.diagnostic(`A restarted ${restartedAfter} ms after sending`);
    uiA = await a.openUi();
  }
  // After a restart nobody owns the signals any more: every tab is told. Else the tab that sent them.
  const tabs = sigkill ? [uiA, await a.openUi()] : [uiA];
  const [expired] = await Promise.all(tabs.map((tab) => tab.waitForType('expired', {
    count: short, timeout: kShortTtlMs + 5000, what: `${short} "expired" in ${sigkill ? 'every tab' : 'the sending tab'}`,
  })));
  t.diagnostic(`${expired.length} "expired" within ${Date.now() - sentAt[0]} ms of sending`);
  for (const message of expired) {
    assert.equal(message.to, b.id, `expired names the recipient: ${JSON.stringify(message)}`);
    if (sigkill) assert.equal(message.ref, undefined, `after a restart an "expired" has no ref: ${JSON.stringify(message)}`);
    else assert.match(String(message.ref), /^queued:\d*[13579]$/, `an "expired" names a short-lived signal: ${JSON.stringify(message)}`);
  }

  await b.daemon.restart();
  const uiB = await b.openUi();
  await reconnect(a, b);
  const openedAt = Date.now();
  const arrived = await uiB.waitFor(() => {
    const got = signalsFrom(uiB, a.id, 'queued');
    return got.length >= durable.length ? got : undefined;
  }, { timeout: 10_000, what: `the ${durable.length} long-lived signals after the path opened` });
  t.diagnostic(`the ${durable.length} long-lived signals arrived ${Date.now() - openedAt} ms after the path opened`);
  await barrier(uiA, uiB, b.id, 'after');
  const got = signalsFrom(uiB, a.id, 'queued');
  assert.deepEqual(got.map((m) => m.payload.i), durable,
    'B gets exactly the long-lived signals, in order, once; none of the expired ones');
  assert.ok(arrived.every((m, at) => at === 0 || m.seq > arrived[at - 1].seq), 'seq rises');
  assert.equal(uiA.ofType('expired').length, short, 'no further "expired" (the long-lived ones arrived)');
}

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

/** Daemons a (.10) and b (.11) on subnet a, each proven to the other. */
async function verifiedPair(lab) {
  const a = await lab.addHost('a', { subnet: 'a', ip: '198.51.100.10' });
  const b = await lab.addHost('b', { subnet: 'a', ip: '198.51.100.11' });
  await a.startDaemon(['--no-scan']);
  await b.startDaemon(['--no-scan']);
  await Promise.all([waitForPeer(a, b, { verified: true, timeout: 3000 }), waitForPeer(b, a, { verified: true, timeout: 3000 })]);
  return { a, b };
}

/** A `signal` whose ref and session are `tag`. */
function signalTo(to, tag) {
  return { type: 'signal', ref: tag, to, kind: 'offer', session: tag, payload: { tag } };
}

/** Waits until the UI client `ui` lists `peer` online and verified (as the web UI shows it). */
function waitForUiPeer(ui, peer, owner, timeout = 5000) {
  return ui.waitFor(() => ui.peers.find((p) => p.id === peer.id && p.online && p.verified), {
    timeout, what: `${peer.name} listed online and verified in ${owner}'s UI`,
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
