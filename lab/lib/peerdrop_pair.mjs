// Two PeerDrop hosts, alice and bob, each with a daemon and a browser on its
// own daemon's page, and the connection between them made through the UI:
// the set-up the UI scenarios share (scenarios/ui.test.mjs,
// scenarios/transfer.test.mjs).

import assert from 'node:assert/strict';
import { blockNewConnections } from './faults.mjs';
import { waitForPeer } from './peers.mjs';
import { PeerDropUi } from './peerdrop_ui.mjs';

const kPort = 3001;
/** Click on Connect → "Connected", generous for a loaded 2-core machine. */
export const kConnectMs = 20_000;

/**
 * Two hosts with daemons and browsers: 'same' (both on subnet a), 'cross'
 * (a and b behind the router, each daemon told the other's address) or
 * 'one-way' (alice on a cannot open anything to bob on b; bob knows alice's
 * address, alice learns bob from bob's probes). `settings` is PUT to both
 * daemons before the pages open; `extra` names more hosts on subnet a with a
 * daemon only. Resolves with { a, b, uiA, uiB, oneWay, others }.
 */
export async function setUpPair(lab, { topology = 'same', settings, extra = [], localStorage } = {}) {
  const cross = topology !== 'same';
  const a = await lab.addHost('alice', { subnet: 'a' });
  const b = await lab.addHost('bob', { subnet: cross ? 'b' : 'a' });
  const oneWay = topology === 'one-way' ? await blockNewConnections(a, b) : undefined;
  const aArgs = ['--no-scan', ...(topology === 'cross' ? ['--peer', `${b.ip}:${kPort}`] : [])];
  const bArgs = ['--no-scan', ...(cross ? ['--peer', `${a.ip}:${kPort}`] : [])];
  await a.startDaemon(aArgs);
  await b.startDaemon(bArgs);
  const others = [];
  for (const name of extra) {
    const host = await lab.addHost(name, { subnet: 'a' });
    await host.startDaemon(['--no-scan']);
    others.push(host);
  }
  await Promise.all([waitForPeer(a, b, { timeout: 8000 }), waitForPeer(b, a, { timeout: 8000 })]);
  if (settings) for (const host of [a, b]) await putSettings(host, settings);
  const [uiA, uiB] = await Promise.all([a, b].map(async (host) => new PeerDropUi(await host.openBrowser({ localStorage }))));
  await Promise.all([uiA.waitPeer('bob'), uiB.waitPeer('alice')]);
  return { a, b, uiA, uiB, oneWay, others };
}

/** PUT /api/settings on the host's own daemon; fails the test unless it answers 200. */
export async function putSettings(host, settings) {
  const res = await host.fetch('/api/settings', { method: 'PUT', body: settings });
  assert.equal(res.status, 200, `PUT /api/settings ${JSON.stringify(settings)} on ${host.name}: ${res.status} ${res.body}`);
}

/**
 * `from` clicks Connect on `to`'s item (unless `click` is false: it did
 * already), `to` accepts the request: both show Connected. Resolves with ms to Connected.
 */
export async function connectPair(from, to, { accept = true, click = true } = {}) {
  const started = Date.now();
  if (click) await from.click(to.name, 'Connect');
  if (accept) await to.accept(from.name, { timeout: kConnectMs });
  await Promise.all([from.waitConnected(to.name, { timeout: kConnectMs }), to.waitConnected(from.name, { timeout: kConnectMs })]);
  return Date.now() - started;
}
