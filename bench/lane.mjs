// The transfer lane (issue 15): files daemon to daemon over the channel,
// measured against a plain TCP copy between the same two lab hosts.
//
// One lab, one subnet: alice 198.51.100.10 and bob 198.51.100.11, each with
// peerdropd (--no-scan --log-level info); bob's daemon trusts alice
// (PUT /api/settings autoAccept), so nothing asks. Every figure comes from
// the one run:
//   1. big file: `peerdrop send FILE --to bob` of a random file of `mib` MiB
//      on alice, timed from the command's start to its exit (it exits once
//      bob verified the SHA-256 and the file landed, fdatasync'd), against
//      `socat -u OPEN:FILE TCP:bob:PORT` into `socat -u TCP-LISTEN:PORT
//      OPEN:copy,creat,trunc` followed by `sync` on bob (timed from the
//      sender's start to the end of the sync). `repeats` pairs, alternated
//      (PeerDrop first in even pairs, socat first in odd ones), twice: with
//      alice's eth0 limited to 1 Gbit/s (tc tbf) and unlimited. Per run: the
//      CPU time (/proc/PID/stat utime+stime) of each daemon, or of each
//      socat (the shell's `times`); for PeerDrop the peak RSS of each daemon
//      (VmHWM, reset through clear_refs before the run). The landed file's
//      SHA-256 is checked against the source after every PeerDrop run.
//      Every run starts after a `sync`, so no run pays for its predecessor's
//      write-back.
//   2. flatness: one unlimited PeerDrop run of `smallMib` MiB, with the peaks.
//   3. where the CPU goes: one more unlimited PeerDrop run (not counted
//      above) under `perf record -g` on both daemons; the top symbols.
//   4. many small files: a folder of `fileCount` files of 10 KiB, sent with
//      `peerdrop send FOLDER --to bob`; files per second, every file checked.
//   5. the page: see lane_page.mjs (a 1 GiB file picked in alice's page,
//      PUT to her daemon and forwarded, against a raw data channel between
//      the same two browsers).
//   6. messages: `kMessageRoundTrips` messages alice → bob, one at a time;
//      the daemon round trip is deliveredAt - sentAt of alice's own record
//      (both her clock: queued, sent over the channel, stored by bob, acked
//      back), and what a client sees: POST until GET /api/messages/ID says
//      delivered (polled every 1 ms).

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { randomBytes, createHash } from 'node:crypto';
import path from 'node:path';
import { Lab, kSubnetA, putSettings, sha256File, waitForPeer, writeRandomFile } from '../lab/lib/index.mjs';
import { run } from '../lab/lib/exec.mjs';
import { kRepoDir } from '../lab/lib/paths.mjs';
import { msBetween, now, sleep } from './lib/clock.mjs';
import { clockTicksPerSecond } from './lib/machine.mjs';
import { cpuTicks, procStatus } from './lib/proc.mjs';

export const kMiB = 1024 * 1024;
const kCli = process.env.PEERDROP || path.join(kRepoDir, 'build', 'peerdrop');
const kDaemonArgs = ['--no-scan', '--log-level', 'info'];
export const kSocatPort = 5001;
export const kTbf = ['tbf', 'rate', '1gbit', 'burst', '1mb', 'latency', '50ms'];
const kSmallFileBytes = 10 * 1024;
const kHz = clockTicksPerSecond();
/**
 * Milliseconds allowed for moving `bytes` in `files` (10 MiB/s and 50 files/s
 * at worst: each file landing waits for an fdatasync, which a busy disk makes slow).
 */
const deadlineFor = (bytes, files = 1) => Math.round(60_000 + (bytes / kMiB) * 100 + files * 20);

// ---- the pair ----

/** alice and bob on one subnet, verified both ways, bob trusting alice: what every lane benchmark starts from. */
export async function setUpLanePair(lab) {
  const alice = await lab.addHost('alice', { subnet: 'a', ip: '198.51.100.10' });
  const bob = await lab.addHost('bob', { subnet: 'a', ip: '198.51.100.11' });
  await alice.startDaemon(kDaemonArgs);
  await bob.startDaemon(kDaemonArgs);
  await Promise.all([
    waitForPeer(alice, bob, { verified: true, timeout: 10_000 }),
    waitForPeer(bob, alice, { verified: true, timeout: 10_000 }),
  ]);
  await putSettings(bob, { autoAccept: [alice.id] });
  return { alice, bob };
}

/** Sets VmHWM of `pid` to its current RSS: the next VmHWM is the peak from now on. */
async function resetPeak(pid) {
  await writeFile(`/proc/${pid}/clear_refs`, '5');
}

/** Flushes every dirty page (so a run does not pay for the one before). */
async function settleDisk(host) {
  await host.exec(['sync'], { timeout: 120_000 });
}

// ---- PeerDrop: peerdrop send ----

/**
 * `peerdrop send PATHS --to bob` on alice (`files` of `bytes` in all);
 * resolves with { seconds, cpu, memory, out }.
 */
export async function peerdropSend(pair, paths, { bytes, files = 1 }) {
  const { alice, bob } = pair;
  const pids = { alice: alice.daemon.pid, bob: bob.daemon.pid };
  const rssBefore = {};
  for (const [name, pid] of Object.entries(pids)) {
    await resetPeak(pid);
    rssBefore[name] = procStatus(pid).vmRssKiB;
  }
  const ticks0 = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuTicks(pid)]));
  const t0 = now();
  const out = await alice.exec([kCli, '--data-dir', alice.dataDir, 'send', ...paths, '--to', 'bob'], { timeout: deadlineFor(bytes, files) });
  const seconds = msBetween(t0, now()) / 1000;
  const cpu = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, (cpuTicks(pid) - ticks0[name]) / kHz]));
  const memory = {};
  for (const [name, pid] of Object.entries(pids)) {
    const status = procStatus(pid);
    if (status.comm !== 'peerdropd') throw new Error(`pid ${pid} is ${status.comm}, not peerdropd`);
    memory[name] = { rssBeforeKiB: rssBefore[name], peakKiB: status.vmHwmKiB };
  }
  return { seconds, mibps: bytes / kMiB / seconds, cpu, memory, out };
}

/** One PeerDrop run of `source` ({ path, size, sha256 }); the landed file is checked, then removed. */
async function peerdropFileRun(pair, source) {
  await settleDisk(pair.bob);
  const run = await peerdropSend(pair, [source.path], { bytes: source.size });
  const landed = path.join(pair.bob.downloadDir, path.basename(source.path));
  const sha256 = await sha256File(landed);
  if (sha256 !== source.sha256) throw new Error(`${landed}: SHA-256 ${sha256 ?? '(no such file)'}, the source's ${source.sha256}`);
  await rm(landed, { force: true });
  return run;
}

// ---- socat ----

/** `times` of a POSIX shell: the second line is its children's user and system time. */
function childSeconds(timesOutput) {
  const lines = timesOutput.trim().split('\n');
  const children = lines[lines.length - 1].match(/(\d+)m([\d.]+)s/g) ?? [];
  return children.reduce((sum, t) => {
    const [, m, s] = /(\d+)m([\d.]+)s/.exec(t);
    return sum + Number(m) * 60 + Number(s);
  }, 0);
}

/** One socat copy of `source` from alice to bob's disk, with sync; resolves with { seconds, cpu }. */
async function socatRun(pair, source) {
  const { alice, bob } = pair;
  await settleDisk(bob);
  const copy = path.join(bob.dir, 'socat-copy.bin');
  const timeout = deadlineFor(source.size);
  const receiving = bob.exec(['sh', '-c',
    `socat -u TCP-LISTEN:${kSocatPort},reuseaddr OPEN:${copy},creat,trunc && times && sync`], { timeout });
  receiving.catch(() => {});
  await waitListening(bob, kSocatPort);
  const t0 = now();
  const sent = await alice.exec(['sh', '-c', `socat -u OPEN:${source.path} TCP:${bob.ip}:${kSocatPort} && times`], { timeout });
  const received = await receiving;
  const seconds = msBetween(t0, now()) / 1000;
  const size = statSync(copy).size;
  if (size !== source.size) throw new Error(`socat copied ${size} of ${source.size} bytes`);
  await rm(copy, { force: true });
  return { seconds, mibps: source.size / kMiB / seconds, cpu: { alice: childSeconds(sent), bob: childSeconds(received) } };
}

async function waitListening(host, port) {
  for (let i = 0; i < 200; i++) {
    if ((await host.exec(['ss', '-Hltn', `sport = :${port}`])).trim() !== '') return;
    await sleep(10);
  }
  throw new Error(`nothing listens on ${host.name}:${port}`);
}

// ---- perf ----

/**
 * Starts `perf record -g` on `pid`; the returned function stops it (SIGINT)
 * and resolves with its profile (see perfProfile).
 */
function perfRecord(pid, file) {
  const libcrypto = readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')
    .map((line) => line.split(/\s+/)[5]).find((name) => /\/libcrypto\.so/.test(name ?? ''));
  const child = spawn('perf', ['record', '-g', '-q', '-o', file, '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return async () => {
    child.kill('SIGINT');
    await exited;
    if (!existsSync(file)) throw new Error(`perf record on ${pid} wrote nothing: ${stderr.trim()}`);
    return perfProfile(file, libcrypto);
  };
}

/** Rows of `perf report --stdio` sorted by `sort` (self time): [{ percent, columns }]. */
async function perfReport(file, sort) {
  const report = await run(['perf', 'report', '-i', file, '--stdio', '--no-children', '-g', 'none', '--sort', sort,
    '--percent-limit', '0.01'], { timeout: 180_000 });
  return report.split('\n').filter((line) => /^\s+[\d.]+%/.test(line)).map((line) => {
    const [percent, ...columns] = line.trim().split(/\s{2,}/);
    return { percent: Number(percent.replace('%', '')), columns };
  });
}

/**
 * Classifies libcrypto's code by the instructions around each address:
 * Debian's libcrypto has no symbols for its assembly (SHA-256 with the SHA
 * extensions, AES-GCM with AES-NI), which perf shows as bare addresses.
 * Addresses within 256 bytes of each other share one objdump window.
 * Resolves with a Map from address to group.
 */
async function classifyCrypto(library, addresses) {
  const groups = new Map();
  const sorted = [...new Set(addresses)].sort((x, y) => x - y);
  const ranges = [];
  for (const address of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && address - last.to < 256) {
      last.to = address;
      last.members.push(address);
    } else {
      ranges.push({ from: address, to: address, members: [address] });
    }
  }
  for (const range of ranges) {
    let listing = '';
    if (library) {
      listing = await run(['objdump', '-d', '--no-show-raw-insn', `--start-address=0x${Math.max(0, range.from - 96).toString(16)}`,
        `--stop-address=0x${(range.to + 96).toString(16)}`, library], { timeout: 30_000 }).catch(() => '');
    }
    let group = 'libcrypto, other';
    if (/\bsha256/.test(listing)) group = 'SHA-256 (libcrypto, SHA extensions)';
    else if (/\bv?aes(enc|dec)/.test(listing) || /\bv?pclmul/.test(listing)) group = 'AES-GCM (libcrypto, AES-NI)';
    for (const address of range.members) groups.set(address, group);
  }
  return groups;
}

/**
 * A profile's self time in shares of its samples: `dsos` (by shared
 * object), `groups` (SHA-256, AES-GCM, the rest of libcrypto, memcpy, page
 * faults, the rest of the kernel, peerdropd, other) and `top` (the 12
 * largest symbols, libcrypto's addresses named by their group).
 */
async function perfProfile(file, libcrypto) {
  const dsos = (await perfReport(file, 'dso')).map((r) => ({ dso: r.columns[0], percent: r.percent }));
  const rows = (await perfReport(file, 'dso,sym')).map(({ percent, columns: [dso, symbol = ''] }) => {
    const name = symbol.replace(/^\[.\]\s+/, '');
    return { percent, dso, name, bare: /libcrypto/.test(dso) && /^0x[0-9a-f]+$/.test(name) };
  });
  const crypto = await classifyCrypto(libcrypto, rows.filter((r) => r.bare).map((r) => parseInt(r.name, 16)));
  const groups = {};
  const symbols = {};
  for (const { percent, dso, name, bare } of rows) {
    let group;
    if (bare) group = crypto.get(parseInt(name, 16));
    else if (/libcrypto/.test(dso)) group = /sha256/i.test(name) ? 'SHA-256 (libcrypto, SHA extensions)' : 'libcrypto, other';
    else if (/^__mem(move|cpy)/.test(name)) group = 'memcpy (libc)';
    else if (/kernel/.test(dso)) {
      group = /page_fault|handle_mm_fault|anonymous_page|clear_page|unmap_page|zap_|free_pages|folio/.test(name)
        ? 'kernel: page faults and unmapping' : 'kernel: the rest (TCP, files, scheduling)';
    } else if (dso === 'peerdropd') group = 'peerdropd';
    else group = 'other';
    groups[group] = (groups[group] ?? 0) + percent;
    const key = bare ? group : `${name} (${dso})`;
    symbols[key] = (symbols[key] ?? 0) + percent;
  }
  const sorted = (map) => Object.entries(map).sort((x, y) => y[1] - x[1]).map(([name, percent]) => ({ name, percent }));
  return { dsos, groups: sorted(groups), top: sorted(symbols).slice(0, 12) };
}

async function perfAvailable() {
  try {
      await run(['perf', '--version']);
    return true;
  } catch {
    return false;
  }
}

// ---- many small files ----

/** A folder of `count` random files of 10 KiB: { dir, hashes: Map(relative → sha256) }. */
async function makeSmallFiles(root, count) {
  const dir = path.join(root, 'small');
  await mkdir(dir, { recursive: true });
  const hashes = new Map();
  for (let i = 0; i < count; i++) {
    const name = `f${String(i).padStart(5, '0')}.bin`;
    const data = randomBytes(kSmallFileBytes);
    await writeFile(path.join(dir, name), data);
    hashes.set(name, createHash('sha256').update(data).digest('hex'));
  }
  return { dir, hashes };
}

async function smallFilesRun(pair, small) {
  await settleDisk(pair.bob);
  const run = await peerdropSend(pair, [small.dir], { bytes: small.hashes.size * kSmallFileBytes, files: small.hashes.size });
  const landedDir = path.join(pair.bob.downloadDir, path.basename(small.dir));
  const names = (await readdir(landedDir)).sort();
  if (names.length !== small.hashes.size) throw new Error(`${names.length} of ${small.hashes.size} small files landed`);
  for (const name of names) {
    const sha256 = createHash('sha256').update(readFileSync(path.join(landedDir, name))).digest('hex');
    if (sha256 !== small.hashes.get(name)) throw new Error(`${name} landed with other bytes`);
  }
  await rm(landedDir, { recursive: true, force: true });
  return { ...run, files: names.length, filesPerSecond: names.length / run.seconds };
}

// ---- the benchmark ----

/** `repeats` alternated pairs of (PeerDrop, socat) in one setting; tbf on alice's eth0 when `limited`. */
async function sideBySide(pair, source, { repeats, limited, log }) {
  const peerdrop = [];
  const socat = [];
  if (limited) await pair.alice.tc(['qdisc', 'replace', 'dev', 'eth0', 'root', ...kTbf]);
  try {
    for (let k = 0; k < repeats; k++) {
      const order = k % 2 === 0 ? ['peerdrop', 'socat'] : ['socat', 'peerdrop'];
      for (const kind of order) {
        if (kind === 'peerdrop') {
          const r = await peerdropFileRun(pair, source);
          peerdrop.push(r);
          log(`    PeerDrop ${r.mibps.toFixed(1)} MiB/s (${r.seconds.toFixed(2)} s), CPU alice ${r.cpu.alice.toFixed(2)} s, bob ${r.cpu.bob.toFixed(2)} s; ` +
            `peak RSS alice ${(r.memory.alice.peakKiB / 1024).toFixed(1)} MiB, bob ${(r.memory.bob.peakKiB / 1024).toFixed(1)} MiB`);
        } else {
          const r = await socatRun(pair, source);
          socat.push(r);
          log(`    socat    ${r.mibps.toFixed(1)} MiB/s (${r.seconds.toFixed(2)} s), CPU alice ${r.cpu.alice.toFixed(2)} s, bob ${r.cpu.bob.toFixed(2)} s`);
        }
      }
    }
  } finally {
    if (limited) await pair.alice.tc(['qdisc', 'del', 'dev', 'eth0', 'root']).catch(() => {});
  }
  return { peerdrop, socat };
}

/** One more unlimited run under perf record on both daemons: { mibps, cpu, alice, bob } or { missing }. */
async function profiledRun(pair, source, { mib, log }) {
  if (!(await perfAvailable())) return { missing: 'perf is not installed' };
  log(`  one more unlimited ${mib} MiB run under perf record -g on both daemons (not counted above)`);
  const stops = ['alice', 'bob'].map((name) => perfRecord(pair[name].daemon.pid, path.join(pair[name].dir, 'perf.data')));
  await sleep(1000); // perf attaches
  const run = await peerdropFileRun(pair, source);
  const [alice, bob] = [await stops[0](), await stops[1]()];
  log(`    ${run.mibps.toFixed(1)} MiB/s under perf; alice: ${perfText(alice)}`);
  log(`    bob: ${perfText(bob)}`);
  return { mibps: run.mibps, cpu: run.cpu, alice, bob };
}

const kMessageRoundTrips = 200;

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Messages alice → bob one at a time: { count, daemon: {p50, p95}, api: {p50, p95} } in ms. */
async function messageRoundTrips(pair, count) {
  const daemon = [];
  const api = [];
  for (let i = 0; i < count; i++) {
    const started = now();
    const posted = await pair.alice.fetch('/api/messages', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: pair.bob.id, text: `round trip ${i}` }),
    });
    if (posted.status !== 201) throw new Error(`POST /api/messages: ${posted.status} ${posted.body}`);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const got = await pair.alice.fetch(`/api/messages/${posted.json.id}`);
      if (got.json?.state === 'delivered') {
        api.push(msBetween(started, now()));
        daemon.push(got.json.deliveredAt - got.json.sentAt);
        break;
      }
      if (Date.now() > deadline) throw new Error(`message ${i} not delivered in 10 s: ${got.body}`);
      await sleep(1);
    }
  }
  const stats = (values) => {
    const sorted = [...values].sort((x, y) => x - y);
    return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
  };
  return { count, daemon: stats(daemon), api: stats(api) };
}

/**
 * Resolves with { mib, smallMib, repeats, limited, unlimited, flat, perf,
 * small, messages, pageErrors }; `parts` picks among 'big', 'small', 'perf', 'messages'.
 */
export async function laneBenchmarks({ mib = 1024, smallMib = 256, repeats = 3, fileCount = 10_000, log, parts }) {
  const wanted = (name) => !parts || parts.includes(name);
  if (wanted('big')) {
    await run(['socat', '-V']).catch(() => {
      throw new Error('socat is not installed (Debian: apt-get install socat); the lane is measured against it');
    });
  }
  const lab = await Lab.create({ subnets: [kSubnetA] });
  const cleanup = [];
  const result = { mib, smallMib, repeats, fileCount, tbf: kTbf.join(' ') };
  try {
    const pair = await setUpLanePair(lab);
    const sendDir = path.join(pair.alice.dir, 'send');
    cleanup.push(sendDir, pair.bob.downloadDir);
    if (wanted('big') || wanted('perf')) {
      const source = await writeRandomFile(path.join(sendDir, 'lane-bench.bin'), mib * kMiB);
      if (wanted('big')) {
        log(`  ${mib} MiB source written; ${repeats} × (PeerDrop, socat) alternated, with alice's eth0 at 1 Gbit/s (tc ${kTbf.join(' ')})`);
        result.limited = await sideBySide(pair, source, { repeats, limited: true, log });
        log('  the same, unlimited');
        result.unlimited = await sideBySide(pair, source, { repeats, limited: false, log });
        const flatSource = await writeRandomFile(path.join(sendDir, 'lane-bench-small.bin'), smallMib * kMiB);
        log(`  ${smallMib} MiB, unlimited, for the peaks`);
        result.flat = await peerdropFileRun(pair, flatSource);
        log(`    PeerDrop ${result.flat.mibps.toFixed(1)} MiB/s, peak RSS alice ${(result.flat.memory.alice.peakKiB / 1024).toFixed(1)} MiB, ` +
          `bob ${(result.flat.memory.bob.peakKiB / 1024).toFixed(1)} MiB`);
        await rm(flatSource.path, { force: true });
      }
      if (wanted('perf')) result.perf = await profiledRun(pair, source, { mib, log });
      await rm(source.path, { force: true });
    }
    if (wanted('small')) {
      log(`  ${fileCount} files of 10 KiB in one folder`);
      const small = await makeSmallFiles(sendDir, fileCount);
      result.small = [];
      for (let k = 0; k < Math.min(repeats, 2); k++) {
        const r = await smallFilesRun(pair, small);
        result.small.push(r);
        log(`    ${r.filesPerSecond.toFixed(0)} files/s (${r.seconds.toFixed(2)} s), CPU alice ${r.cpu.alice.toFixed(2)} s, bob ${r.cpu.bob.toFixed(2)} s`);
      }
    }
    if (wanted('messages')) {
      log(`  ${kMessageRoundTrips} messages alice → bob, one at a time`);
      result.messages = await messageRoundTrips(pair, kMessageRoundTrips);
      log(`    daemon round trip p50 ${result.messages.daemon.p50.toFixed(2)} ms, p95 ${result.messages.daemon.p95.toFixed(2)} ms; ` +
        `as POST + polling sees it p50 ${result.messages.api.p50.toFixed(2)} ms`);
    }
    lab.succeeded = true;
    return result;
  } catch (error) {
    error.message += `\n(lab run dir kept: ${lab.runDir})`;
    throw error;
  } finally {
    for (const file of cleanup) await rm(file, { force: true, recursive: true }).catch(() => {});
    await lab.destroy();
  }
}

/** A perf profile's groups, one line. */
export function perfText(profile) {
  return profile.groups.map((g) => `${g.name} ${g.percent.toFixed(1)} %`).join(', ');
}
