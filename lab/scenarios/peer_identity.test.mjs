// Peers you can tell apart (issue 16, item 3): a name is a claim, a key is not.
//   - two daemons named "kitchen" seen by a third (alice): alice's page lists
//     both, each with its own fingerprint and a warning about the name; the
//     real kitchen's own page shows the same fingerprint for itself and marks
//     the impostor as another device using its name;
//   - the verification code: alice's and kitchen's daemons and pages show the
//     same 6 digits for each other, the impostor's pair with alice another;
//   - "Mark as verified" on alice's page: the real kitchen's card says
//     Verified, the impostor's warning says it is not the verified one, and
//     alice's daemon keeps that across a restart.
// Run: node lab/run.mjs lab/scenarios/peer_identity.test.mjs

import assert from 'node:assert/strict';
import { PeerDropUi, findPeer, kSubnetA, labSuite, uiScenarioSkip, uiTest, waitFor, waitForPeer } from '../lib/index.mjs';

const skip = await uiScenarioSkip('the peer identity scenarios');

/** The fingerprint a person compares: the id's first 12 characters in groups of 4 (docs/protocol.md). */
function fingerprint(id) {
  return id.slice(0, 12).match(/.{4}/g).join(' ');
}

/** The peer card showing `fp` as its own fingerprint (another card's warning may quote it too). */
function cardOf(ui, fp) {
  return ui.peerList().getByRole('listitem').filter({ has: ui.page.getByText(`Fingerprint ${fp}`, { exact: true }) });
}

/** Selects the peer of that card and reads the verification code its detail shows (digits only). */
async function codeShown(ui, peerName, fp) {
  await cardOf(ui, fp).getByRole('button', { name: `Show ${peerName}`, exact: true }).click();
  const panel = ui.page.getByRole('region', { name: `Verify ${peerName}`, exact: true });
  await ui.waitUntil(() => panel.allInnerTexts(), {
    what: `the details of ${peerName} with fingerprint ${fp}`, until: (texts) => texts.join(' ').includes(`fingerprint ${fp}`),
    show: 'page',
  });
  const code = await panel.getByLabel('Verification code', { exact: true }).allInnerTexts();
  assert.equal(code.length, 1, `one verification code in the details of ${peerName}: ${code}`);
  return code[0].replace(/\s/g, '');
}

await labSuite('peer identity', () => {
  uiTest('two devices named "kitchen": told apart by fingerprint, warning and verification code', { skip, timeout: 120_000, subnets: [kSubnetA] }, async (lab, t) => {
    const alice = await lab.addHost('alice', { subnet: 'a' });
    const kitchen = await lab.addHost('kitchen', { subnet: 'a' });
    const impostor = await lab.addHost('impostor', { subnet: 'a' });
    await alice.startDaemon(['--no-scan']);
    await kitchen.startDaemon(['--no-scan']);
    await impostor.startDaemon(['--no-scan', '--name', 'kitchen']); // a fresh key that takes the name
    await Promise.all([
      waitForPeer(alice, kitchen, { verified: true, timeout: 10_000 }),
      waitForPeer(alice, impostor, { verified: true, timeout: 10_000 }),
      waitForPeer(kitchen, alice, { verified: true, timeout: 10_000 }),
      waitForPeer(impostor, alice, { verified: true, timeout: 10_000 }),
    ]);

    // The daemons: the same code on both sides of each pair, another one for the impostor's pair.
    const alicePeers = (await alice.fetch('/api/peers')).json;
    const asKitchen = findPeer(alicePeers, kitchen.daemon.id);
    const asImpostor = findPeer(alicePeers, impostor.daemon.id);
    assert.equal(asKitchen.name, 'kitchen');
    assert.equal(asImpostor.name, 'kitchen');
    assert.match(asKitchen.verificationCode, /^[0-9]{6}$/);
    const aliceAtKitchen = findPeer((await kitchen.fetch('/api/peers')).json, alice.daemon.id);
    const aliceAtImpostor = findPeer((await impostor.fetch('/api/peers')).json, alice.daemon.id);
    t.diagnostic(`codes: alice–kitchen ${asKitchen.verificationCode} / ${aliceAtKitchen.verificationCode}, ` +
      `alice–impostor ${asImpostor.verificationCode} / ${aliceAtImpostor.verificationCode}`);
    assert.equal(aliceAtKitchen.verificationCode, asKitchen.verificationCode, 'alice and kitchen see the same code');
    assert.equal(aliceAtImpostor.verificationCode, asImpostor.verificationCode, 'alice and the impostor see the same code');
    assert.notEqual(asImpostor.verificationCode, asKitchen.verificationCode, 'the impostor\'s code is another one');
    for (const peer of [asKitchen, asImpostor]) {
      assert.equal(peer.confirmed, false);
      assert.ok(Date.now() - peer.firstSeen < 120_000, `firstSeen is when alice's daemon met it: ${peer.firstSeen}`);
    }

    // Alice's page: two kitchens, each with its own fingerprint, both warned about, both new.
    const uiAlice = new PeerDropUi(await alice.openBrowser());
    const uiKitchen = new PeerDropUi(await kitchen.openBrowser());
    const realFp = fingerprint(kitchen.daemon.id);
    const fakeFp = fingerprint(impostor.daemon.id);
    assert.notEqual(realFp, fakeFp);
    await uiAlice.waitUntil(() => uiAlice.peerItem('kitchen').count(), {
      what: 'two items named kitchen', until: (n) => n === 2, show: 'page',
    });
    for (const fp of [realFp, fakeFp]) {
      const card = cardOf(uiAlice, fp);
      assert.equal(await card.count(), 1, `one card with fingerprint ${fp}`);
      const warning = (await card.getByRole('note', { name: 'Same name', exact: true }).allInnerTexts()).join(' ');
      assert.match(warning, /^Two devices are named .kitchen.\. To tell which is which, compare each one.s fingerprint/);
      assert.equal(await card.getByText('New today', { exact: true }).count(), 1, `${fp} is marked new`);
    }
    // What a person compares: kitchen's own page shows the fingerprint of the real one.
    const selfText = (await uiKitchen.page.getByRole('region', { name: 'This computer', exact: true }).allInnerTexts()).join(' ');
    assert.ok(selfText.includes(`fingerprint ${realFp}`), `kitchen's own card shows its fingerprint: ${selfText}`);
    assert.ok(!selfText.includes(fakeFp));
    // And kitchen's page says the other "kitchen" is not this computer.
    const ownName = cardOf(uiKitchen, fakeFp).getByRole('note', { name: 'Same name as this computer', exact: true });
    const ownNameText = await uiKitchen.waitUntil(() => ownName.allInnerTexts(), {
      what: 'the impostor marked as using this computer\'s name', until: (texts) => texts.length === 1, show: 'page',
    });
    assert.match(ownNameText[0], new RegExp(`calls itself .kitchen., as this computer does, but it is another device \\(fingerprint ${fakeFp}\\)`));

    // Both pages show the code the daemons have; the impostor's differs.
    await uiKitchen.waitPeer('alice');
    const onAlicesPage = await codeShown(uiAlice, 'kitchen', realFp);
    const onKitchensPage = await codeShown(uiKitchen, 'alice', fingerprint(alice.daemon.id));
    assert.equal(onAlicesPage, asKitchen.verificationCode);
    assert.equal(onKitchensPage, onAlicesPage, 'both pages show the same code');
    assert.equal(await codeShown(uiAlice, 'kitchen', fakeFp), asImpostor.verificationCode);

    // The codes match: alice marks the real kitchen as verified.
    await cardOf(uiAlice, realFp).getByRole('button', { name: 'Show kitchen', exact: true }).click();
    await uiAlice.page.getByRole('region', { name: 'Verify kitchen', exact: true })
      .getByRole('button', { name: 'Mark as verified', exact: true }).click();
    await uiAlice.waitUntil(() => cardOf(uiAlice, realFp).getByText('Verified \u2713', { exact: true }).count(), {
      what: 'the real kitchen marked Verified', until: (n) => n === 1, show: 'page',
    });
    assert.equal(await cardOf(uiAlice, fakeFp).getByText('Verified \u2713', { exact: true }).count(), 0);
    const fakeWarning = (await cardOf(uiAlice, fakeFp).getByRole('note', { name: 'Same name', exact: true }).allInnerTexts()).join(' ');
    assert.match(fakeWarning, new RegExp(`This one is not the kitchen you verified \\(that one has fingerprint ${realFp}\\)`));
    const realWarning = (await cardOf(uiAlice, realFp).getByRole('note', { name: 'Same name', exact: true }).allInnerTexts()).join(' ');
    assert.match(realWarning, new RegExp(`This one \\(fingerprint ${realFp}\\) is the one you verified`));

    // Alice's daemon keeps it: confirmed for the real one only, also after a restart.
    const confirmedAt = async () => {
      const peers = (await alice.fetch('/api/peers')).json;
      return [findPeer(peers, kitchen.daemon.id)?.confirmed, findPeer(peers, impostor.daemon.id)?.confirmed];
    };
    assert.deepEqual(await confirmedAt(), [true, false]);
    await alice.daemon.restart();
    await waitFor(confirmedAt, {
      timeout: 10_000, what: 'alice\'s daemon to list kitchen as confirmed after a restart',
      until: ([real]) => real === true,
    });
  });
});
