// End-to-end scenarios of the web UI (issue 4, "Tests that must pass", end
// to end 1-6): one headless Chromium per host, each on its own daemon's
// page, driven by role and name only (lib/peerdrop_ui.mjs has the contract).
// Chromium keeps its default privacy (mDNS host candidates). Each test builds
// its own lab; a failing test leaves each page's screenshot and
// accessibility tree next to its page log in the run dir.
// Run: node lab/run.mjs lab/scenarios/ui.test.mjs   (one test: add --test-name-pattern=glare)
//
// Every test asserts what a user sees (texts, buttons, messages); where "one
// connection" matters, the pages' RTCPeerConnections are counted through the
// lab's instrumentation (lib/browser.mjs), not through the UI's internals.

import assert from 'node:assert/strict';
import {
  PeerDropUi, uiScenarioSkip, connectPair as connect, cutBetween, kConnectMs, kSubnetA, kSubnetB,
  labSuite, setUpPair as setUp, uiTest, word,
} from '../lib/index.mjs';

const kPort = 3001;
const kShortTimeoutMs = 10_000; // connectTimeoutMs for the timeout scenarios
const kTimeoutMarginMs = 5000;
const kCutMs = 10_000;
const kRoute = /\b(host|srflx|prflx|relay)\b/;

const skip = await uiScenarioSkip('UI scenarios');

const oneSubnet = { subnets: [kSubnetA], timeout: 120_000, skip };
const twoSubnets = { subnets: [kSubnetA, kSubnetB], timeout: 120_000, skip };

/** A message each way (one sent with the Send button, one with Enter), each seen by the other side and marked delivered. */
async function chatBothWays(x, y, tag) {
  const xToY = `${tag}: hello ${y.name}, this is ${x.name}`;
  const yToX = `${tag}: hi ${x.name}, ${y.name} here`;
  await x.send(y.name, xToY);
  await y.waitMessage(x.name, xToY);
  await x.waitDelivered(y.name, xToY);
  await y.send(x.name, yToX, { enter: true });
  await x.waitMessage(y.name, yToX);
  await y.waitDelivered(x.name, yToX);
}

/** The pages' connected RTCPeerConnections and the pairs they use, for diagnostics and counting. */
async function connectedPcs(ui) {
  const pcs = await ui.connections();
  return { all: pcs, connected: pcs.filter((pc) => pc.connectionState === 'connected') };
}

function describePcs({ all, connected }) {
  const pair = connected[0]?.selected;
  const route = pair ? `${pair.local?.type} → ${pair.remote?.type} ${pair.remote?.address ?? ''}:${pair.remote?.port}` : 'none';
  return `${all.length} RTCPeerConnection(s), ${connected.length} connected, pair ${route}`;
}

await labSuite('web UI end to end', () => {
  // 1. Same subnet: connect, chat both ways, disconnect, reconnect from history.
  uiTest('same subnet: connect, chat both ways, disconnect, reconnect from history', oneSubnet, async (lab, t) => {
    // "aaron" sorts before "bob": bob is first after the connection only because of the history.
    const { a, b, uiA, uiB } = await setUp(lab, { extra: ['aaron'] });
    await uiA.waitPeer('aaron');
    const ms = await connect(uiA, uiB);
    const route = await uiA.routeText('bob');
    t.diagnostic(`connected in ${ms} ms; alice's Route: "${route}"; ${describePcs(await connectedPcs(uiA))}`);
    assert.match(route, kRoute, `alice's Route names a candidate type: "${route}"`);
    await chatBothWays(uiA, uiB, 'first');

    await uiA.click('bob', 'Disconnect');
    const bobSees = await uiB.waitPeerText('alice', (text) => !word('Connected').test(text), {
      what: 'alice\'s item to stop saying "Connected" after alice disconnected',
    });
    await uiB.waitUntil(() => uiB.button('alice', 'Connect').count(), {
      what: 'a Connect button in alice\'s item again', until: (n) => n === 1, show: 'page',
    });
    await uiA.waitUntil(() => uiA.button('bob', 'Connect').count(), {
      what: 'a Connect button in bob\'s item again', until: (n) => n === 1, show: 'page',
    });
    t.diagnostic(`after alice's Disconnect bob sees: "${bobSees}"`);
    assert.match(bobSees, /disconnected|ended/i, 'bob is told that alice ended the connection');

    const bobAtA = (await a.peers()).find((p) => p.id === b.id);
    assert.ok(bobAtA.lastConnected > 0, `alice's daemon keeps the history: ${JSON.stringify(bobAtA)}`);
    await uiA.browser.reload(); // the history comes from the daemon, not from the page's memory
    await uiA.waitPeer('aaron');
    const order = await uiA.waitUntil(() => uiA.peerOrder(), {
      what: 'bob listed first (recently connected) before aaron', until: (items) => items.length >= 2 && items[0].includes('bob'),
      show: 'page',
    });
    t.diagnostic(`alice's peer list after the reload: ${JSON.stringify(order)}`);
    const again = await connect(uiA, uiB); // one click on Connect
    t.diagnostic(`reconnected from the history in ${again} ms`);
    await chatBothWays(uiA, uiB, 'again');
  });

  // 2. Two subnets behind a router (no NAT): no configuration needed.
  uiTest('two subnets behind the router: connect and chat with no configuration; Route says srflx or host',
    twoSubnets, async (lab, t) => {
      const { uiA, uiB } = await setUp(lab, { topology: 'cross' });
      const ms = await connect(uiA, uiB);
      const routes = [await uiA.routeText('bob'), await uiB.routeText('alice')];
      t.diagnostic(`connected in ${ms} ms; Route at alice "${routes[0]}", at bob "${routes[1]}"; ` +
        `alice: ${describePcs(await connectedPcs(uiA))}`);
      for (const route of routes) assert.match(route, /\b(srflx|host|prflx)\b/, `Route: "${route}"`);
      await chatBothWays(uiA, uiB, 'cross');
    });

  // 3. One-way network: connect from either side, chat both ways.
  for (const from of ['alice', 'bob']) {
    uiTest(`one-way network (alice cannot reach bob): ${from} connects, chat both ways`, twoSubnets, async (lab, t) => {
      const { uiA, uiB, oneWay } = await setUp(lab, { topology: 'one-way' });
      const [x, y] = from === 'alice' ? [uiA, uiB] : [uiB, uiA];
      const ms = await connect(x, y);
      t.diagnostic(`${from} connected in ${ms} ms; Route at alice "${await uiA.routeText('bob')}"; ` +
        `${describePcs(await connectedPcs(uiA))}; one-way rule dropped ${await oneWay.dropped()} packets`);
      await chatBothWays(x, y, 'one-way');
      assert.ok(await oneWay.dropped() > 0, 'alice tried to reach bob directly (the rule dropped nothing)');
    });
  }

  // 4. Glare: both click Connect within 50 ms. Both pages click from a timer
  // at an instant of the shared clock (Playwright clicks in Promise.all can
  // land tens of ms apart on a loaded machine): at the same instant, and with
  // bob's click 40 ms after alice's, when alice's request (a few ms on this
  // network) has already reached bob's page.
  for (const spreadMs of [0, 40]) {
    uiTest(`glare: both click Connect ${spreadMs} ms apart: exactly one connection, both Connected`, oneSubnet, async (lab, t) => {
      const { uiA, uiB } = await setUp(lab);
      const at = Date.now() + 2000; // time for both pages to arm their click, even on a busy machine
      const [clickA, clickB] = await Promise.all([uiA.clickAt('bob', 'Connect', at), uiB.clickAt('alice', 'Connect', at + spreadMs)]);
      const apart = clickB.at - clickA.at;
      t.diagnostic(`the two clicks were ${apart} ms apart; bob's Connect button was ${clickB.shown ? 'still there' : 'gone'} at his click`);
      assert.ok(Math.abs(apart) <= 50, `the clicks must be within 50 ms: ${apart} ms`);
      assert.ok(clickA.shown, 'alice\'s Connect button was there at her click');
      assert.ok(clickB.shown, `bob's Connect button was gone ${apart} ms after alice clicked (her request had arrived): ` +
        `his click did nothing; bob's item: "${await uiB.peerText('alice')}"`);
      // Nobody has to accept anything: each side asked for this connection.
      await Promise.all([uiA.waitConnected('bob', { timeout: kConnectMs }), uiB.waitConnected('alice', { timeout: kConnectMs })]);
      await Promise.all([
        uiA.holds('bob', 3000, (text) => word('Connected').test(text), { what: 'bob stopped being Connected' }),
        uiB.holds('alice', 3000, (text) => word('Connected').test(text), { what: 'alice stopped being Connected' }),
      ]);
      for (const ui of [uiA, uiB]) {
        assert.equal(await ui.page.getByRole('dialog').count(), 0, `${ui.name}: no request dialog stays open after the glare`);
        const pcs = await connectedPcs(ui);
        t.diagnostic(`${ui.name}: ${describePcs(pcs)}`);
        assert.equal(pcs.connected.length, 1, `${ui.name}: exactly one connected RTCPeerConnection: ${JSON.stringify(pcs.all)}`);
      }
      await chatBothWays(uiA, uiB, 'glare');
    });
  }

  // 5. Decline; timeouts with the right reason; Retry once the path is back.
  uiTest('decline: the requester is told', oneSubnet, async (lab, t) => {
    const { uiA, uiB } = await setUp(lab);
    await uiA.click('bob', 'Connect');
    await uiB.decline('alice');
    const text = await uiA.waitPeerText('bob', /declin/i, { what: 'bob\'s item to say the request was declined' });
    t.diagnostic(`alice sees: "${text}"`);
    assert.equal(await uiB.requestDialog('alice').count(), 0, 'bob\'s dialog is gone');
    assert.doesNotMatch(await uiB.peerText('alice'), word('Connected'));
  });

  uiTest(`timeout: the peer's browser is closed; the requester is told within ${kShortTimeoutMs / 1000} s; Retry works once it is back`,
    oneSubnet, async (lab, t) => {
      const { b, uiA } = await setUp(lab, { settings: { connectTimeoutMs: kShortTimeoutMs } });
      await b.closeBrowser();
      const clicked = Date.now();
      await uiA.click('bob', 'Connect');
      await uiA.waitPeerText('bob', /Waiting for bob|\bConnecting\b/, { timeout: 5000, what: 'bob\'s item to say it waits for bob' });
      const text = await uiA.waitPeerText('bob', word('Failed'), {
        timeout: kShortTimeoutMs + kTimeoutMarginMs, what: `bob's item to say Failed within ${kShortTimeoutMs} ms + margin`,
      });
      const after = Date.now() - clicked;
      t.diagnostic(`alice sees after ${after} ms: "${text}"`);
      assert.match(text, /did not answer|no answer|not respond/i, `the reason says bob did not answer: "${text}"`);
      assert.ok(after >= kShortTimeoutMs - 1000, `failed after ${after} ms, before the ${kShortTimeoutMs} ms timeout`);
      assert.equal(await uiA.button('bob', 'Retry').count(), 1, 'a Retry button');

      const uiB = new PeerDropUi(await b.openBrowser());
      await uiB.waitPeer('alice');
      await uiA.click('bob', 'Retry');
      await uiB.accept('alice', { timeout: kConnectMs }); // exactly one request: the stale one must not show up
      await Promise.all([uiA.waitConnected('bob', { timeout: kConnectMs }), uiB.waitConnected('alice', { timeout: kConnectMs })]);
      await chatBothWays(uiA, uiB, 'after retry');
    });

  uiTest(`timeout: UDP between the hosts is dropped; the requester is told ICE found no path; Retry works once it is back`,
    oneSubnet, async (lab, t) => {
      const { a, b, uiA, uiB } = await setUp(lab, { settings: { connectTimeoutMs: kShortTimeoutMs } });
      // Discovery and STUN (port 3001) still pass, and signaling is TCP: the request is accepted, ICE fails.
      const cut = await cutBetween(a, b, { protocol: 'udp', exceptPorts: [kPort] });
      const clicked = Date.now();
      await uiA.click('bob', 'Connect');
      await uiB.accept('alice');
      const text = await uiA.waitPeerText('bob', word('Failed'), {
        timeout: kShortTimeoutMs + kTimeoutMarginMs, what: `bob's item to say Failed within ${kShortTimeoutMs} ms + margin`,
      });
      const after = Date.now() - clicked;
      t.diagnostic(`alice sees after ${after} ms: "${text}"; bob sees "${await uiB.peerText('alice')}"; ` +
        `the cut dropped ${await cut.dropped()} packets`);
      assert.match(text, /\bICE\b|network path|no path|could not reach|no route/i, `the reason says no network path: "${text}"`);
      assert.ok(await cut.dropped() > 0, 'ICE tried (the cut dropped nothing)');

      await cut.restore();
      await uiA.click('bob', 'Retry');
      await uiB.accept('alice', { timeout: kConnectMs });
      await Promise.all([uiA.waitConnected('bob', { timeout: kConnectMs }), uiB.waitConnected('alice', { timeout: kConnectMs })]);
      await chatBothWays(uiA, uiB, 'after retry');
    });

  // 6. A network cut on an established connection heals without the user; messages typed meanwhile arrive.
  // Chromium's ICE reports "disconnected" about 6 s into a cut and, when the
  // path comes back within its consent timeout, "connected" again by itself;
  // the UI restarts ICE after 5 s of "disconnected" (issue 4). So a 10 s cut
  // (the figure) heals on its own before the restart is due; a 20 s
  // cut needs the ICE restart, and those variants assert that it happened.
  for (const { label, cutMs, options, restart } of [
    { label: 'all traffic', cutMs: kCutMs, options: { protocol: 'all' } },
    { label: 'UDP only: discovery and signaling keep working', cutMs: kCutMs, options: { protocol: 'udp', exceptPorts: [kPort] } },
    { label: 'all traffic, long enough to need an ICE restart', cutMs: 2 * kCutMs, options: { protocol: 'all' }, restart: true },
    {
      label: 'UDP only, long enough to need an ICE restart', cutMs: 2 * kCutMs,
      options: { protocol: 'udp', exceptPorts: [kPort] }, restart: true,
    },
  ]) {
    const how = restart ? 'recovers by an ICE restart' : 'recovers without the user';
    uiTest(`network cut for ${cutMs / 1000} s (${label}): ${how}; messages typed meanwhile arrive`,
      oneSubnet, async (lab, t) => {
        const { a, b, uiA, uiB } = await setUp(lab);
        await connect(uiA, uiB);
        await chatBothWays(uiA, uiB, 'before');

        const cut = await cutBetween(a, b, options);
        const cutAt = Date.now();
        const duringA = 'typed by alice during the cut';
        const duringB = 'typed by bob during the cut';
        await uiA.send('bob', duringA);
        await uiB.send('alice', duringB, { enter: true });
        const clicksDuring = [(await uiA.browser.clicks()).length, (await uiB.browser.clicks()).length];
        // Hold the cut for cutMs, recording what alice's page shows meanwhile.
        const seen = await uiA.holds('bob', cutMs - (Date.now() - cutAt), () => true);
        await cut.restore();
        const restoredAt = Date.now();
        t.diagnostic(`during the cut alice's item showed: ${JSON.stringify(seen)}`);

        await Promise.all([uiA.waitConnected('bob', { timeout: 30_000 }), uiB.waitConnected('alice', { timeout: 30_000 })]);
        await Promise.all([uiB.waitMessage('alice', duringA, { timeout: 30_000 }), uiA.waitMessage('bob', duringB, { timeout: 30_000 })]);
        t.diagnostic(`Connected and both messages through ${Date.now() - restoredAt} ms after the path came back`);
        const clicksAfter = [(await uiA.browser.clicks()).length, (await uiB.browser.clicks()).length];
        assert.deepEqual(clicksAfter, clicksDuring, 'nobody clicked anything after sending (recovery without the user)');
        for (const ui of [uiA, uiB]) {
          const pcs = await connectedPcs(ui);
          const timeline = pcs.all.flatMap((pc) => pc.events).filter((e) => e.at >= cutAt && !e.what.startsWith('signaling'))
            .map((e) => `${((e.at - cutAt) / 1000).toFixed(1)} s ${e.what}`);
          t.diagnostic(`${ui.name}: ${describePcs(pcs)}; ICE restarts ${pcs.all.map((pc) => pc.iceRestarts)}; ` +
            `after the cut (restored at ${((restoredAt - cutAt) / 1000).toFixed(1)} s): ${timeline.join(', ')}`);
          assert.equal(pcs.connected.length, 1, `${ui.name}: one connected RTCPeerConnection: ${JSON.stringify(pcs.all)}`);
          assert.equal(pcs.all.length, 1, `${ui.name}: the same RTCPeerConnection recovered, no new one`);
          if (restart) assert.ok(pcs.all[0].iceRestarts >= 1, `${ui.name}: ICE was restarted: ${timeline.join(', ')}`);
        }
        if (restart) {
          assert.ok(seen.some((text) => word('Reconnecting').test(text)),
            `alice's item said "Reconnecting" while the restart was under way: ${JSON.stringify(seen)}`);
        }
        await uiA.waitDelivered('bob', duringA);
        await uiB.waitDelivered('alice', duringB);
        await chatBothWays(uiA, uiB, 'after');
      });
  }
});
