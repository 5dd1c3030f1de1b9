// End-to-end scenarios of file transfer (issue 5): two hosts on one subnet,
// alice and bob, connected through their pages (cases/transfer.mjs has the
// set-up and the helpers). The scenarios that move big files or a lossy link
// run here on small files (a few MiB) and at full size in soak/ (make soak):
// 300 MiB among 3 files, 1 GiB with bounded memory, 100 MiB over a lossy link.
// Run: node lab/run.mjs lab/scenarios/transfer.test.mjs   (one test: add --test-name-pattern=decline)

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import {
  ForgedPeer, compareReceived, dropFiles, labSuite, listFiles, removeLargeFiles, sha256File, uiTest, waitFor,
  writeRandomFile,
} from '../lib/index.mjs';
import {
  boundedMemoryTest, bothVerified, deadlineFor, exactly, filesAndFolderTest, kKiB, kMiB, lossyLinkTest, minutes,
  partialFiles, setUpTransfer, smallFileGoesThrough, waitEnded,
} from '../cases/transfer.mjs';

await labSuite('file transfer end to end', () => {
  filesAndFolderTest({ bigBytes: 8 * kMiB, timeoutMinutes: 4 });

  // 1b. Decline.
  uiTest('decline: alice\'s transfer says bob declined; nothing lands on bob\'s disk', minutes(3), async (lab, t) => {
    const setup = await setUpTransfer(lab, t);
    const { a, b, filesA, filesB } = setup;
    const file = await writeRandomFile(path.join(a.dir, 'out', 'unwanted.bin'), 2 * kMiB);
    await filesA.sendFiles('bob', [file.path]);
    await filesB.decline('alice');
    const aliceSees = await waitEnded(filesA, 'bob', exactly('To bob: unwanted.bin'), file.size);
    const bobSees = await waitEnded(filesB, 'alice', exactly('From alice: unwanted.bin'), file.size);
    t.diagnostic(`alice sees "${aliceSees}", bob sees "${bobSees}"`);
    assert.match(aliceSees, /\bbob declined\b/, 'alice is told in words that bob declined');
    assert.match(bobSees, /\bDeclined\b/);
    assert.equal(await filesB.dialog('alice').count(), 0, 'bob\'s dialog is gone');
    // What was sent before the next file has been handled: after it, only it is on bob's disk.
    await smallFileGoesThrough(setup, 'after-decline.txt');
    assert.deepEqual(await listFiles(b.downloadDir), ['after-decline.txt'], 'nothing of the declined file on bob\'s disk');
    assert.deepEqual(await partialFiles(b), []);
  });

  // 1c. Cancel mid-transfer, from either side.
  for (const side of ['bob', 'alice']) {
    const role = side === 'bob' ? 'the receiver' : 'the sender';
    uiTest(`cancel by ${role} (${side}) mid-transfer: both say cancelled, the partial file is discarded, the next file ` +
      'goes through', minutes(6), async (lab, t) => {
      const setup = await setUpTransfer(lab, t);
      const { a, b, filesA, filesB } = setup;
      const file = await writeRandomFile(path.join(a.dir, 'out', 'cancel-me.bin'), 200 * kMiB);
      await filesA.sendFiles('bob', [file.path]);
      await filesB.accept('alice');
      const [me, other] = side === 'bob'
        ? [{ files: filesB, peer: 'alice', title: exactly('From alice: cancel-me.bin') },
          { files: filesA, peer: 'bob', title: exactly('To bob: cancel-me.bin') }]
        : [{ files: filesA, peer: 'bob', title: exactly('To bob: cancel-me.bin') },
          { files: filesB, peer: 'alice', title: exactly('From alice: cancel-me.bin') }];
      await me.files.open(me.peer);
      const before = await me.files.ui.waitUntil(() => me.files.totalPercent(me.peer, me.title), {
        timeout: deadlineFor(file.size), interval: 50, what: '"Total progress" of cancel-me.bin to pass 10 %',
        until: (percent) => percent >= 10,
      });
      const partial = await partialFiles(b);
      assert.equal(partial.length, 1, `bob's daemon holds the partial file before the cancel: ${JSON.stringify(partial)}`);
      assert.ok(before <= 80, `the transfer is mid-way when ${side} cancels (Total progress ${before} %): the file is too small ` +
        'for this machine\'s speed');
      await me.files.cancel(me.peer, me.title);
      const [mine, theirs] = await Promise.all([
        waitEnded(me.files, me.peer, me.title, file.size), waitEnded(other.files, other.peer, other.title, file.size),
      ]);
      t.diagnostic(`${side} cancelled at ${before} %; ${side} sees "${mine}", ${other.peer === 'bob' ? 'alice' : 'bob'} sees ` +
        `"${theirs}"`);
      assert.match(mine, /^Cancelled\b/, `${side}'s page says Cancelled`);
      assert.match(theirs, new RegExp(`\\bCancelled by ${side}\\b`), `the other page says ${side} cancelled`);
      // docs/protocol.md: on xfer_cancel "the receiver discards partial files"; file_cancel "discards its partial files".
      await waitFor(() => partialFiles(b), {
        timeout: 10_000, what: 'bob\'s partial folder to be empty after the cancel', until: (list) => list.length === 0,
      });
      assert.equal(await sha256File(path.join(b.downloadDir, 'cancel-me.bin')), undefined, 'no cancel-me.bin on bob\'s disk');

      await smallFileGoesThrough(setup, 'after-cancel.txt');
      assert.deepEqual(await listFiles(b.downloadDir), ['after-cancel.txt'], 'only the next file is on bob\'s disk');
      assert.deepEqual(await partialFiles(b), [], 'and no partial file came back');
    });
  }

  // 1d. "Always accept connections and files from alice".
  uiTest('"Always accept connections and files from alice" ticked in the dialog: the next request from alice starts without a dialog',
    minutes(3), async (lab, t) => {
      const setup = await setUpTransfer(lab, t);
      const { a, b, filesA, filesB, uiB } = setup;
      const first = await writeRandomFile(path.join(a.dir, 'out', 'first.txt'), 10 * kKiB);
      await filesA.sendFiles('bob', [first.path]);
      await filesB.accept('alice', { always: true });
      await bothVerified(setup, 'first.txt', first.size);
      const box = filesB.panel('alice').getByRole('checkbox', { name: 'Always accept connections and files from alice', exact: true });
      await uiB.waitUntil(() => box.isChecked(), { what: 'the checkbox "Always accept connections and files from alice" in bob\'s files region' });
      const settings = (await b.fetch('/api/settings')).json;
      assert.ok(settings.autoAccept?.includes(a.id), `bob's daemon keeps alice in autoAccept: ${JSON.stringify(settings.autoAccept)}`);

      // Count every dialog that appears on bob's page from now on, however briefly.
      await uiB.page.evaluate(() => {
        window.__dialogsShown = 0;
        new MutationObserver((records) => {
          for (const r of records) {
            for (const node of r.addedNodes) {
              if (node.nodeType === 1 && (node.matches('[role=dialog]') || node.querySelector('[role=dialog]'))) window.__dialogsShown += 1;
            }
          }
        }).observe(document.body, { childList: true, subtree: true });
      });
      const clicks = (await uiB.browser.clicks()).length;
      const second = await writeRandomFile(path.join(a.dir, 'out', 'second.txt'), 20 * kKiB);
      await filesA.sendFiles('bob', [second.path]);
      await bothVerified(setup, 'second.txt', second.size);
      assert.equal(await uiB.page.evaluate(() => window.__dialogsShown), 0, 'no dialog appeared on bob\'s page');
      assert.equal((await uiB.browser.clicks()).length, clicks, 'bob clicked nothing');
      assert.deepEqual(await compareReceived(b.downloadDir, { 'first.txt': first.sha256, 'second.txt': second.sha256 }), []);
    });

  boundedMemoryTest({ bytes: 16 * kMiB, timeoutMinutes: 3 });
  lossyLinkTest({ bytes: 4 * kMiB, timeoutMinutes: 3 });

  // 5. Hostile names (3, resume, is in transfer_resume.test.mjs).
  uiTest('hostile names dropped on "Send files to bob": each is refused in words or stored under a sanitized name ' +
    'inside bob\'s download folder; nothing is written outside it', minutes(4), async (lab, t) => {
    const setup = await setUpTransfer(lab, t);
    await alwaysAccept(setup.filesB, 'alice');
    assert.deepEqual(await offerHostileNames(lab, t, setup, hostileCases()), []);
  });

  // Names bob's page cannot pass on to its daemon: a path over 4,096
  // characters (a drop can carry one) and a lone surrogate (no File can be
  // named so, but a modified sending page can offer it; JSON to the daemon
  // could not carry it). Bob's page declines the offer with bad_offer
  // (docs/protocol.md) and alice reads why; neither transfer may hang.
  uiTest('names bob\'s page cannot pass to its daemon (over 4,096 characters; a lone surrogate from a modified sender): ' +
    'refused in words within 30 s, and the next file goes through', minutes(3), async (lab, t) => {
    const setup = await setUpTransfer(lab, t);
    await alwaysAccept(setup.filesB, 'alice');
    const cases = [
      { name: `${`${'x'.repeat(250)}/`.repeat(17)}longer.txt`, refused: true }, // 4,277 characters
      { name: 'modified-sender-0.txt', wire: 'lone\ud800surrogate.txt' }, // refused, or stored under a repaired name
    ];
    await rewriteOffers(setup.uiA, cases);
    const problems = await offerHostileNames(lab, t, setup, cases, { timeout: 30_000 });
    assert.deepEqual(problems, []);
    await smallFileGoesThrough(setup, 'after-unusable-names.txt', { autoAccept: true });
  });

  // The daemon's sanitizer removes bidi controls because "photo\u202Egpj.exe"
  // reads as "photoexe.jpg"; the person decides on the dialog, which must not
  // show the disguise either (components/format.ts, displayName).
  uiTest('a name disguised by a bidi override ("photo\\u202Egpj.exe" reads "photoexe.jpg"): bob\'s dialog shows no bidi ' +
    'control, and the file lands without it', minutes(3), async (lab, t) => {
    const setup = await setUpTransfer(lab, t);
    const { b, filesA, filesB } = setup;
    const disguised = 'photo\u202Egpj.exe';
    await dropFiles(filesA, 'bob', [{ name: disguised, text: 'not a photo\n' }]);
    const request = await filesB.waitRequest('alice');
    const offered = await filesB.dialog('alice').getByRole('list', { name: 'Offered files', exact: true }).innerText();
    t.diagnostic(`bob's dialog lists ${JSON.stringify(offered)}`);
    const bidi = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;
    await filesB.accept('alice');
    await bothVerified(setup, 'photogpj.exe', 12); // the transfer's name is shown without the override too
    assert.deepEqual(await listFiles(b.downloadDir), ['photogpj.exe'], 'the file lands without the override');
    assert.doesNotMatch(request, bidi, `bob's dialog shows the disguised name as it came: ${JSON.stringify(offered)}`);
  });

  uiTest('hostile names at bob\'s daemon (file_open over the UI WebSocket from bob\'s page): refused with bad_name or ' +
    'stored sanitized inside the download folder, never replacing a file', minutes(3), async (lab, t) => {
    const b = await lab.addHost('bob', { subnet: 'a' });
    t.after(() => removeLargeFiles(b.dir));
    await b.startDaemon(['--no-scan']);
    const page = (await b.openBrowser()).page;
    const outside = await outsideSnapshot(lab, b);
    const sender = new ForgedPeer({ name: 'mallory' }).id;
    const cases = [
      ...hostileCases(),
      { name: `${`${'x'.repeat(200)}/`.repeat(21)}long.txt`, refused: true }, // 4,229 bytes
      // Not even JSON to the daemon's parser (Boost.JSON refuses a lone surrogate escape): an error without a ref.
      { name: 'lone\ud800surrogate.txt' },
      { name: 'trailing-slash/' , refused: undefined }, // the daemon decides; either way inside
      { name: 'same.txt', as: 'same.txt' },
      { name: 'same.txt', as: 'same (1).txt' }, // a taken name is never replaced
      { name: 'SAME.TXT' },
    ];
    cases.forEach((c, k) => {
      c.text = `daemon case ${k} ${JSON.stringify(c.name)}\n`;
      c.sha256 = createHash('sha256').update(c.text).digest('hex');
    });
    const results = await page.evaluate(storeThroughDaemon, {
      peer: sender, cases: cases.map(({ name, text, sha256 }) => ({ name, text, sha256 })),
    });
    const stored = await storedByContent(b);
    const report = [];
    const problems = [];
    cases.forEach((c, k) => {
      const r = results[k];
      const landed = stored.get(c.sha256) ?? [];
      report.push(`${short(JSON.stringify(c.name))}: ${short(JSON.stringify(r), 300)}; on disk ${short(JSON.stringify(landed))}`);
      if (r.error) {
        if (c.refused === false || c.as !== undefined) problems.push(`${JSON.stringify(c.name)} refused: ${JSON.stringify(r)}`);
        else if (c.refused && r.error.code !== 'bad_name') problems.push(`${JSON.stringify(c.name)}: refused with ${r.error.code}, want bad_name`);
        if (landed.length > 0) problems.push(`${JSON.stringify(c.name)} was refused yet landed as ${JSON.stringify(landed)}`);
        return;
      }
      if (c.refused) problems.push(`${JSON.stringify(c.name).slice(0, 80)} should be refused: ${JSON.stringify(r).slice(0, 200)}`);
      if (!r.finished?.ok) problems.push(`${JSON.stringify(c.name)} opened but not finished: ${JSON.stringify(r)}`);
      if (landed.length !== 1 || landed[0] !== r.finished?.name) {
        problems.push(`${JSON.stringify(c.name)}: file_finished names ${JSON.stringify(r.finished?.name)}, on disk ${JSON.stringify(landed)}`);
      }
      if (c.as !== undefined && r.finished?.name !== c.as) problems.push(`${JSON.stringify(c.name)} landed as ${r.finished?.name}, want ${c.as}`);
    });
    for (const line of report) t.diagnostic(line);
    problems.push(...await saneDownloads(b), ...await outsideProblems(outside));
    assert.deepEqual(problems, []);
  });
});

// ---- hostile names ----

/**
 * Names a sender could offer: `refused` ones must be refused, the others
 * stored, under `as` where docs/protocol.md ("Names") fixes the result.
 */
function hostileCases() {
  return [
    { name: '../../etc/passwd', refused: true },
    { name: '/abs', refused: true },
    { name: '..', refused: true },
    { name: '...', refused: true },
    { name: 'a/../../b', refused: true },
    { name: 'dir\\..\\..\\evil.txt', refused: true },
    { name: 'C:\\Windows\\evil.txt', refused: true },
    { name: '.peerdrop-partial/../../x', refused: true },
    { name: 'CON', as: '_CON' },
    { name: 'con.txt', as: '_con.txt' },
    { name: 'nul\u0000byte.txt', as: 'nulbyte.txt' },
    { name: 'ctrl\u0001\u001b[31m\u007f.txt', as: 'ctrl[31m.txt' },
    { name: 'bidi\u202Etxt.exe', as: 'biditxt.exe' },
    { name: `${'L'.repeat(296)}.txt`, as: `${'L'.repeat(251)}.txt` },
    { name: `${'é'.repeat(150)}.txt`, as: `${'é'.repeat(125)}.txt` },
    { name: '.hidden', as: 'hidden' },
    { name: '.peerdrop-partial/x', as: 'peerdrop-partial/x' },
    { name: './sub/./file.txt', as: 'sub/file.txt' },
    { name: 'q<>:"|?*.txt', as: 'q_______.txt' },
    { name: 'trailing. . ', as: 'trailing' },
    { name: `${'d/'.repeat(32)}deep.txt`, refused: true }, // 33 components
    // 4,408 bytes as sent, 2,769 once each component is cut to 255 bytes: kept.
    { name: `${`${'é'.repeat(200)}/`.repeat(11)}long.txt`, as: `${`${'é'.repeat(127)}/`.repeat(11)}long.txt` },
    // 1,472 characters, 4,362 bytes once sanitized (3-byte characters): over the daemon's 4,096.
    { name: `${`${'日'.repeat(85)}/`.repeat(17)}longer.txt`, refused: true },

  ];
}

/** Makes alice's page a modified sender: its offers carry each case's `wire` path instead of the dropped file's name. */
async function rewriteOffers(ui, cases) {
  const map = Object.fromEntries(cases.filter((c) => c.wire !== undefined).map((c) => [JSON.stringify(c.name), JSON.stringify(c.wire)]));
  await ui.page.evaluate((rewrites) => {
    const send = RTCDataChannel.prototype.send;
    RTCDataChannel.prototype.send = function rewritingSend(data) {
      let out = data;
      if (this.label === 'control' && typeof out === 'string' && out.includes('"t":"xfer_offer"')) {
        for (const [from, to] of Object.entries(rewrites)) out = out.split(`"path":${from}`).join(`"path":${to}`);
      }
      return send.call(this, out);
    };
  }, map);
}

/**
 * alice drops one file per case on "Send files to bob" (bob accepts
 * everything from alice); resolves with the problems found, in words: a
 * `refused` case that landed or whose refusal the pages do not put in words,
 * a stored one that did not land exactly once (as `as`, when given), any
 * transfer not over within `timeout`, an insane name in bob's download folder
 * or "Received files", anything new outside bob's download folder.
 */
async function offerHostileNames(lab, t, { b, filesA, filesB }, cases, { timeout = 60_000 } = {}) {
  const outside = await outsideSnapshot(lab, b);
  const known = new Set();
  for (const c of cases) {
    c.text = `hostile case ${JSON.stringify(c.wire ?? c.name)}\n`;
    c.sha256 = createHash('sha256').update(c.text).digest('hex');
    await dropFiles(filesA, 'bob', [{ name: c.name, text: c.text }]);
    const entry = await filesA.waitHook((h) => h.direction === 'out' && !known.has(h.tid), {
      what: `alice's transfer of ${JSON.stringify(c.name)}`,
    });
    known.add(entry.tid);
    c.tid = entry.tid;
  }
  const problems = [];
  // Every transfer is over on both pages (refused, or stored); what is not is a problem too.
  const over = (list, c) => ['done', 'failed', 'declined', 'cancelled'].includes(list.find((h) => h.tid === c.tid)?.state);
  const hooks = {};
  // alice's first; then bob's, where an offer refused before anyone was asked has no transfer at all.
  const ended = (list, c) => over(list, c) || (list === hooks.bob && !list.some((h) => h.tid === c.tid) && over(hooks.alice, c));
  const started = Date.now();
  for (const [name, files] of [['alice', filesA], ['bob', filesB]]) {
    hooks[name] = await waitFor(() => files.hook(), {
      timeout: timeout + 10_000, interval: 200, what: `${name}'s transfers`,
      until: (list) => {
        hooks[name] = list;
        return cases.every((c) => ended(list, c)) || Date.now() - started >= timeout;
      },
    });
  }
  const report = [];
  const [shownA, shownB] = [await articleTexts(filesA, 'bob'), await articleTexts(filesB, 'alice')];
  const stored = await storedByContent(b);
  for (const c of cases) {
    const offered = c.wire ?? c.name;
    const label = JSON.stringify(offered);
    const stateA = hooks.alice.find((h) => h.tid === c.tid)?.state;
    const stateB = hooks.bob.find((h) => h.tid === c.tid)?.state;
    const textA = shownA.get(`To bob: ${c.name}`.toWellFormed()) ?? '(no transfer shown)';
    const textB = shownB.get(`From alice: ${offered}`.toWellFormed()) ?? '(no transfer shown)';
    const landed = stored.get(c.sha256) ?? [];
    report.push(`${short(label)}: alice ${stateA} "${oneLine(textA)}"; bob ${stateB} "${oneLine(textB)}"; on disk ${short(JSON.stringify(landed))}`);
    if (!ended(hooks.alice, c) || !ended(hooks.bob, c)) {
      problems.push(`${short(label)} not over after ${timeout / 1000} s: alice ${stateA} "${oneLine(textA)}", bob ${stateB} "${oneLine(textB)}"`);
      continue;
    }
    if (c.refused ?? landed.length === 0) {
      if (landed.length > 0) problems.push(`${label} should be refused but landed as ${JSON.stringify(landed)}`);
      if (stateB === 'done' || stateA === 'done') problems.push(`${label} is refused, yet a page says done: alice ${stateA}, bob ${stateB}`);
      // bob's page says so, unless it refused the offer before asking bob (then only alice's page shows it).
      const noTransferAtBob = !hooks.bob.some((h) => h.tid === c.tid);
      if (!noTransferAtBob && !/cannot be used/.test(textB)) problems.push(`bob's page does not say ${label} cannot be used: "${oneLine(textB)}"`);
      if (!/could not accept|cannot be used/.test(textA)) problems.push(`alice's page does not say why ${label} failed: "${oneLine(textA)}"`);
    } else {
      if (stateA !== 'done' || stateB !== 'done') problems.push(`${label} did not finish: alice ${stateA}, bob ${stateB}`);
      if (landed.length !== 1) problems.push(`${label} landed ${landed.length} times: ${JSON.stringify(landed)}`);
      else if (c.as !== undefined && landed[0] !== c.as) {
        problems.push(`${label} landed as ${JSON.stringify(landed[0])}, want ${JSON.stringify(c.as)}`);
      }
    }
  }
  for (const line of report) t.diagnostic(line);
  problems.push(...await saneDownloads(b), ...await outsideProblems(outside));
  for (const name of await filesB.receivedNames()) {
    if (insanity(name)) problems.push(`"Received files" shows ${JSON.stringify(name)}: ${insanity(name)}`);
  }
  return problems;
}

/** Why `rel` (a path under the download folder) is not a sane name, or '' when it is. */
function insanity(rel) {
  const parts = rel.split('/');
  if (parts.length > 32) return 'over 32 components';
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..') return `component "${part}"`;
    if (Buffer.byteLength(part) > 255) return 'a component over 255 bytes';
    if (part.startsWith('.')) return 'hidden';
    if (/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069<>:"|?*\\]/.test(part)) return 'a control, bidi or reserved character';
    if (/[. ]$/.test(part)) return 'a trailing dot or space';
    if (/^(CON|PRN|AUX|NUL|COM\d|LPT\d|CONIN\$|CONOUT\$)( *)(\.|$)/i.test(part)) return 'a Windows device name';
  }
  return '';
}

/** Problems with the files under bob's download folder: any insane name, anything left in the partial folder. */
async function saneDownloads(host) {
  const problems = [];
  for (const rel of await listFiles(host.downloadDir)) {
    const why = insanity(rel);
    if (why) problems.push(`${JSON.stringify(rel)} in bob's download folder: ${why}`);
  }
  const partial = await partialFiles(host);
  if (partial.length > 0) problems.push(`left in the partial folder: ${JSON.stringify(partial)}`);
  return problems;
}

/** sha256 → [paths relative to the download folder] of every file there. */
async function storedByContent(host) {
  const stored = new Map();
  for (const rel of await listFiles(host.downloadDir)) {
    const sha = await sha256File(path.join(host.downloadDir, rel));
    stored.set(sha, [...(stored.get(sha) ?? []), rel]);
  }
  return stored;
}

/** Trusts only the listing: every file of the lab's run dir outside bob's downloads, browsers' profiles, data dirs and logs. */
async function runDirFiles(lab, host) {
  const skip = (rel) => rel.startsWith(`${host.name}/downloads/`) || /(^|\/)browser-\d+\//.test(rel) || /(^|\/)data\//.test(rel) ||
    rel.endsWith('.log');
  return (await listFiles(lab.runDir, { partial: true })).filter((rel) => !skip(rel));
}

/** What must not change: the run dir outside bob's download folder, and a few absolute targets. */
async function outsideSnapshot(lab, host) {
  const targets = ['/abs', '/x', '/b', path.join(lab.runDir, 'b'), path.join(lab.runDir, 'x'), path.join(lab.runDir, 'etc/passwd'),
    path.join(host.dir, 'b'), path.join(host.dir, 'etc/passwd'), path.join(host.dir, 'evil.txt')];
  return {
    lab, host, targets,
    files: await runDirFiles(lab, host),
    exists: targets.filter((p) => existsSync(p)),
    passwd: await sha256File('/etc/passwd'),
    parent: (await readdir(path.dirname(host.downloadDir))).sort(),
  };
}

async function outsideProblems(before) {
  const problems = [];
  const files = await runDirFiles(before.lab, before.host);
  const added = files.filter((f) => !before.files.includes(f));
  if (added.length > 0) problems.push(`new files outside bob's download folder: ${JSON.stringify(added)}`);
  const exists = before.targets.filter((p) => existsSync(p) && !before.exists.includes(p));
  if (exists.length > 0) problems.push(`created outside: ${JSON.stringify(exists)}`);
  if (await sha256File('/etc/passwd') !== before.passwd) problems.push('/etc/passwd changed');
  const parent = (await readdir(path.dirname(before.host.downloadDir))).sort();
  const newEntries = parent.filter((e) => !before.parent.includes(e) && !/^core/.test(e));
  if (newEntries.length > 0) problems.push(`new entries next to bob's download folder: ${JSON.stringify(newEntries)}`);
  return problems;
}

/** bob ticks "Always accept connections and files from alice" in alice's files region: requests from alice start unasked. */
async function alwaysAccept(files, peer) {
  await files.open(peer);
  const box = files.panel(peer).getByRole('checkbox', { name: `Always accept connections and files from ${peer}`, exact: true });
  // A controlled checkbox: it shows the daemon's setting, so it ticks once the PUT is answered (not at the click).
  if (!(await box.isChecked())) await box.click();
  await files.ui.waitUntil(() => box.isChecked(), { what: `"Always accept connections and files from ${peer}" to be ticked` });
}

/** label → state and text of every transfer article in the files region with `peer` (raw DOM: names may hold controls). */
async function articleTexts(files, peer) {
  await files.open(peer);
  const entries = await files.panel(peer).evaluate((region) => [...region.querySelectorAll('article')].map((article) =>
    [article.getAttribute('aria-label'), article.innerText]));
  return new Map(entries.map(([label, text]) => [label.toWellFormed(), text]));
}

function oneLine(text) {
  return short(text.replace(/\s+/g, ' ').trim());
}

/** Long names cut for reports: "xxxx…(4,277 chars)…xt". */
function short(text, max = 160) {
  return text.length <= max ? text : `${text.slice(0, max - 40)}…(${text.length} chars)…${text.slice(-20)}`;
}

/**
 * Runs in bob's page: opens its own WebSocket to its daemon (as a second tab
 * would) and stores each case as a file from `peer` (docs/protocol.md,
 * "Between a page and its own daemon"): file_open, one binary frame, then
 * file_finish (with the SHA-256 computed here: an http page has no
 * crypto.subtle). Resolves with [{ opened, finished } or { error }] per case.
 */
async function storeThroughDaemon({ peer, cases }) {
  const token = localStorage.getItem('peerdrop.controlToken'); // the page kept it from the daemon's link
  const socket = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/ws?token=${token}`);
  socket.binaryType = 'arraybuffer';
  let pending; // the one request waiting for its answer: { ref, resolve }
  let welcomed;
  const welcome = new Promise((resolve) => { welcomed = resolve; });
  const others = [];
  socket.onmessage = (event) => {
    if (typeof event.data !== 'string') return;
    const message = JSON.parse(event.data);
    if (message.type === 'welcome') welcomed();
    // One request at a time: its answer echoes its ref, or is an error without one (a message the daemon could not parse).
    if (pending && (message.ref === pending.ref || (message.type === 'error' && message.ref === undefined))) pending.resolve(message);
    else if (!['welcome', 'peers', 'files', 'file_progress', 'settings'].includes(message.type)) others.push(event.data.slice(0, 300));
  };
  const closed = new Promise((_, reject) => { socket.onclose = (e) => reject(new Error(`daemon WebSocket closed (${e.code})`)); });
  const ask = (message) => Promise.race([closed, new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${JSON.stringify(message).slice(0, 200)} in 10 s; ` +
      `other messages: ${others.join(' | ')}`)), 10_000);
    pending = {
      ref: message.ref,
      resolve: (answer) => {
        clearTimeout(timer);
        pending = undefined;
        resolve(answer);
      },
    };
    socket.send(JSON.stringify(message));
  })]);
  await Promise.race([closed, welcome]);
  const results = [];
  let ref = 0;
  for (const [k, { name, text, sha256 }] of cases.entries()) {
    const bytes = new TextEncoder().encode(text);
    const tid = `hostile-case-${String(k).padStart(3, '0')}-${'x'.repeat(10)}`;
    const opened = await ask({ type: 'file_open', ref: ++ref, peer, tid, i: 0, path: name, size: bytes.length });
    if (opened.type !== 'file_opened') {
      results.push({ error: { code: opened.code, error: opened.error, ref: opened.ref } });
      continue;
    }
    const frame = new Uint8Array(12 + bytes.length);
    const view = new DataView(frame.buffer);
    view.setUint32(0, opened.handle);
    view.setUint32(4, 0);
    view.setUint32(8, 0);
    frame.set(bytes, 12);
    socket.send(frame);
    const finished = await ask({ type: 'file_finish', ref: ++ref, handle: opened.handle, size: bytes.length, sha256 });
    results.push({ opened: { name: opened.name, offset: opened.offset }, finished: { ok: finished.ok, name: finished.name, code: finished.code } });
  }
  socket.close();
  return results;
}
