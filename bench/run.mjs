#!/usr/bin/env node
// PeerDrop benchmarks (`make bench`): discovery latency and start-up time,
// subnet scan time, idle memory and CPU of peerdropd, signaling (cold and
// warm round trips, messages per second, outbox memory), the daemon channel
// (handshake against a TCP connect, an idle daemon with 50 standing channels),
// 50 daemons on one subnet (until all list all, idle packets, CPU and
// memory) and the web UI's connection time
// (Connect click to open data channel, headless Chromium per host) and the
// file transfer throughput (a file through the UI against a raw data channel)
// and a relayed data channel against a direct one (coturn run by peerdropd --turn),
// and the transfer lane (peerdrop send daemon to daemon against socat),
// and a page's upload to its own daemon (fetch PUT against the WebSocket),
// measured in the lab (network
// namespaces on 198.51.100.0/24, 203.0.113.0/24 and loopback inside a
// namespace; nothing leaves this machine). Prints a table and writes the
// "discovery", "signaling", "channel", "mesh", "connect", "transfer", "relay", "lane" and "upload" sections of docs/benchmarks.md.
//
//   sudo node bench/run.mjs [--runs N] [--reuse-runs N] [--poll-ms MS] [--scan-repeats K]
//                           [--idle-settle S] [--idle-window S] [--cold-runs N] [--round-trips N] [--flood N]
//                           [--handshakes N] [--channels N] [--channel-settle S] [--channel-window S]
//                           [--mesh-daemons N] [--mesh-joins N] [--mesh-settle S] [--mesh-window S] [--mesh-poll-ms MS]
//                           [--connect-runs N] [--transfer-runs N] [--transfer-mib M] [--transfer-nice N]
//                           [--relay-runs N] [--relay-mib M] [--lane-runs N] [--lane-mib M] [--lane-files N]
//                           [--upload-runs N] [--upload-mib M]
//                           [--only latency,scan,idle,signaling,channel,mesh,connect,transfer,relay,lane,upload] [--no-write]
//
// The discovery section is written only when latency, scan and idle all ran,
// every other section when its part ran; --no-write leaves the page alone. Exit code: 0 when every
// figure was measured (a missed target is reported, not an error), 1 otherwise.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { browserUnavailableReason, kDaemonBinary, labUnsupportedReason } from '../lab/lib/index.mjs';
import { kRepoDir } from '../lab/lib/paths.mjs';
import { discoveryLatency } from './discovery_latency.mjs';
import { idleFootprint } from './idle.mjs';
import { loadAverage, machineInfo } from './lib/machine.mjs';
import { writeSection } from './lib/page.mjs';
import { renderSection, resultRows } from './report.mjs';
import { scanSlash22, scanSlash24 } from './scan.mjs';
import { signalingBenchmarks } from './signaling.mjs';
import { connectTimeBenchmarks } from './connect_time.mjs';
import { connectRows, renderConnectSection } from './connect_report.mjs';
import { renderSignalingSection, signalingRows } from './signaling_report.mjs';
import { channelBenchmarks } from './channel.mjs';
import { channelRows, renderChannelSection } from './channel_report.mjs';
import { meshBenchmarks } from './mesh.mjs';
import { meshRows, renderMeshSection } from './mesh_report.mjs';
import { transferThroughput } from './transfer_throughput.mjs';
import { renderTransferSection, transferRows } from './transfer_report.mjs';
import { relayThroughput } from './relay_throughput.mjs';
import { relayRows, renderRelaySection } from './relay_report.mjs';
import { laneBenchmarks } from './lane.mjs';
import { lanePageBenchmarks } from './lane_page.mjs';
import { laneRows, renderLaneSection } from './lane_report.mjs';
import { pageUploadBenchmarks } from './page_upload.mjs';
import { renderUploadSection, uploadRows } from './page_upload_report.mjs';

const kPagePath = path.join(kRepoDir, 'docs', 'benchmarks.md');
const kWatchdogMs = 20 * 60_000;
const kTransferWatchdogMs = 25 * 60_000; // added when the transfer benchmark runs
const kRelayWatchdogMs = 15 * 60_000; // added when the relay benchmark runs
const kMeshWatchdogMs = 15 * 60_000; // added when the mesh benchmark runs
const kLaneWatchdogMs = 15 * 60_000; // added when the lane benchmark runs
const kUploadWatchdogMs = 10 * 60_000; // added when the upload benchmark runs

const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '30' },
    'reuse-runs': { type: 'string', default: '10' },
    'poll-ms': { type: 'string', default: '5' },
    'scan-repeats': { type: 'string', default: '5' },
    'idle-settle': { type: 'string', default: '30' },
    'idle-window': { type: 'string', default: '60' },
    'cold-runs': { type: 'string', default: '5' },
    'round-trips': { type: 'string', default: '200' },
    flood: { type: 'string', default: '3000' },
    handshakes: { type: 'string', default: '200' },
    channels: { type: 'string', default: '50' },
    'channel-settle': { type: 'string', default: '20' },
    'channel-window': { type: 'string', default: '30' },
    'mesh-daemons': { type: 'string', default: '50' },
    'mesh-joins': { type: 'string', default: '3' },
    'mesh-settle': { type: 'string', default: '30' },
    'mesh-window': { type: 'string', default: '60' },
    'mesh-poll-ms': { type: 'string', default: '100' },
    'connect-runs': { type: 'string', default: '20' },
    'transfer-runs': { type: 'string', default: '3' },
    'transfer-mib': { type: 'string', default: '500' },
    'transfer-nice': { type: 'string', default: '-10' },
    'relay-runs': { type: 'string', default: '3' },
    'relay-mib': { type: 'string', default: '200' },
    'lane-runs': { type: 'string', default: '3' },
    'lane-mib': { type: 'string', default: '1024' },
    'lane-files': { type: 'string', default: '10000' },
    'upload-runs': { type: 'string', default: '3' },
    'upload-mib': { type: 'string', default: '1024' },
    only: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const config = {
  runs: Number(options.runs),
  reuseRuns: Number(options['reuse-runs']),
  pollMs: Number(options['poll-ms']),
  scanRepeats: Number(options['scan-repeats']),
  idleSettleS: Number(options['idle-settle']),
  idleWindowS: Number(options['idle-window']),
  coldRuns: Number(options['cold-runs']),
  signalingRoundTrips: Number(options['round-trips']),
  signalingWarmup: 5,
  signalingFlood: Number(options.flood),
  handshakes: Number(options.handshakes),
  channels: Number(options.channels),
  channelSettleS: Number(options['channel-settle']),
  channelWindowS: Number(options['channel-window']),
  meshDaemons: Number(options['mesh-daemons']),
  meshJoins: Number(options['mesh-joins']),
  meshSettleS: Number(options['mesh-settle']),
  meshWindowS: Number(options['mesh-window']),
  meshPollMs: Number(options['mesh-poll-ms']),
  connectRuns: Number(options['connect-runs']),
  transferRuns: Number(options['transfer-runs']),
  transferMiB: Number(options['transfer-mib']),
  transferNice: Number(options['transfer-nice']),
  relayRuns: Number(options['relay-runs']),
  relayMiB: Number(options['relay-mib']),
  laneRuns: Number(options['lane-runs']),
  laneMiB: Number(options['lane-mib']),
  laneFiles: Number(options['lane-files']),
  uploadRuns: Number(options['upload-runs']),
  uploadMiB: Number(options['upload-mib']),
};
const valid = Number.isInteger(config.runs) && config.runs >= 1 && config.runs <= 1000 &&
  Number.isInteger(config.reuseRuns) && config.reuseRuns >= 0 && config.reuseRuns <= 1000 &&
  config.pollMs >= 1 && config.pollMs <= 100 && Number.isInteger(config.scanRepeats) &&
  config.scanRepeats >= 1 && config.scanRepeats <= 50 &&
  config.idleSettleS >= 0 && config.idleSettleS <= 600 && config.idleWindowS >= 1 && config.idleWindowS <= 600 &&
  Number.isInteger(config.signalingRoundTrips) && config.signalingRoundTrips >= 1 && config.signalingRoundTrips <= 5000 &&
  Number.isInteger(config.signalingFlood) && config.signalingFlood >= 250 && config.signalingFlood <= 6000 &&
  Number.isInteger(config.coldRuns) && config.coldRuns >= 1 && config.coldRuns <= 100 &&
  Number.isInteger(config.handshakes) && config.handshakes >= 20 && config.handshakes <= 5000 &&
  Number.isInteger(config.channels) && config.channels >= 1 && config.channels <= 200 &&
  config.channelSettleS >= 0 && config.channelSettleS <= 600 && config.channelWindowS >= 1 && config.channelWindowS <= 600 &&
  Number.isInteger(config.meshDaemons) && config.meshDaemons >= 2 && config.meshDaemons <= 200 &&
  Number.isInteger(config.meshJoins) && config.meshJoins >= 0 && config.meshJoins <= 50 &&
  config.meshSettleS >= 0 && config.meshSettleS <= 600 && config.meshWindowS >= 1 && config.meshWindowS <= 600 &&
  config.meshPollMs >= 10 && config.meshPollMs <= 1000 &&
  Number.isInteger(config.connectRuns) && config.connectRuns >= 1 && config.connectRuns <= 500 &&
  Number.isInteger(config.transferRuns) && config.transferRuns >= 1 && config.transferRuns <= 20 &&
  Number.isInteger(config.transferMiB) && config.transferMiB >= 1 && config.transferMiB <= 4096 &&
  Number.isInteger(config.transferNice) && config.transferNice >= -20 && config.transferNice <= 0 &&
  Number.isInteger(config.relayRuns) && config.relayRuns >= 1 && config.relayRuns <= 20 &&
  Number.isInteger(config.relayMiB) && config.relayMiB >= 1 && config.relayMiB <= 4096 &&
  Number.isInteger(config.laneRuns) && config.laneRuns >= 1 && config.laneRuns <= 20 &&
  Number.isInteger(config.laneMiB) && config.laneMiB >= 16 && config.laneMiB <= 8192 &&
  Number.isInteger(config.laneFiles) && config.laneFiles >= 1 && config.laneFiles <= 100_000 &&
  Number.isInteger(config.uploadRuns) && config.uploadRuns >= 1 && config.uploadRuns <= 20 &&
  Number.isInteger(config.uploadMiB) && config.uploadMiB >= 1 && config.uploadMiB <= 8192;
if (!valid) {
  console.error(`bench: bad options ${JSON.stringify(options)} (runs 1-1000, reuse-runs 0-1000, poll-ms 1-100, scan-repeats 1-50, idle-settle 0-600, idle-window 1-600, cold-runs 1-100, round-trips 1-5000, flood 250-6000, handshakes 20-5000, channels 1-200, channel-settle 0-600, channel-window 1-600, mesh-daemons 2-200, mesh-joins 0-50, mesh-settle 0-600, mesh-window 1-600, mesh-poll-ms 10-1000, connect-runs 1-500, transfer-runs 1-20, transfer-mib 1-4096, transfer-nice -20-0, relay-runs 1-20, relay-mib 1-4096, lane-runs 1-20, lane-mib 16-8192, lane-files 1-100000, upload-runs 1-20, upload-mib 1-8192)`);
  process.exit(2);
}
const kParts = ['latency', 'scan', 'idle', 'signaling', 'channel', 'mesh', 'connect', 'transfer', 'relay', 'lane', 'upload'];
const only = options.only ? new Set(options.only.split(',')) : undefined;
if (only && [...only].some((name) => !kParts.includes(name))) {
  console.error(`bench: --only takes a comma-separated list of ${kParts.join(', ')}`);
  process.exit(2);
}
const wanted = (name) => !only || only.has(name);
const writeDiscovery = ['latency', 'scan', 'idle'].every(wanted) && !options['no-write'];

const reason = await labUnsupportedReason();
if (reason !== undefined) {
  console.error(`bench: cannot run: the benchmarks need the lab (root and ip netns): ${reason}`);
  process.exit(1);
}
if (!existsSync(kDaemonBinary)) {
  console.error(`bench: ${kDaemonBinary} does not exist; run make build (or make bench)`);
  process.exit(1);
}
if (wanted('connect') || wanted('transfer') || wanted('relay') || wanted('lane') || wanted('upload')) {
  const missing = await browserUnavailableReason();
  if (missing !== undefined) {
    console.error(`bench: the connect, transfer, relay, lane and upload benchmarks need a browser: ${missing}`);
    process.exit(1);
  }
}

// A bound on the whole run: a wedged step must not hang `make bench`
// (exiting runs the lab's exit handlers, which delete its namespaces).
const watchdogMs = kWatchdogMs + (wanted('transfer') ? kTransferWatchdogMs : 0) + (wanted('relay') ? kRelayWatchdogMs : 0) +
  (wanted('mesh') ? kMeshWatchdogMs : 0) + (wanted('lane') ? kLaneWatchdogMs : 0) +
  (wanted('upload') ? kUploadWatchdogMs : 0);
setTimeout(() => {
  console.error(`bench: still running after ${watchdogMs / 60_000} min; giving up`);
  process.exit(1);
}, watchdogMs).unref();

const log = (line) => console.log(line);
const machine = machineInfo({ repoDir: kRepoDir });
const loadBefore = loadAverage();
log(`bench: ${machine.date}, ${machine.nproc} × ${machine.cpuModel}, ${machine.memory}, kernel ${machine.kernel}, ` +
  `peerdropd ${machine.peerdropdVersion}, load ${loadBefore}`);
const startedAt = Date.now();
const results = { config, machine, partS: {} };
/** Runs one part and notes how long it took (results.partS[name], seconds). */
async function timed(name, fn) {
  const t0 = Date.now();
  const value = await fn();
  results.partS[name] = (Date.now() - t0) / 1000;
  return value;
}

try {
  if (wanted('latency')) {
    log(`\n[1/4] discovery latency and start-up time: ${config.runs} starts of a third daemon, polled every ${config.pollMs} ms`);
    results.latency = await discoveryLatency({ runs: config.runs, reuseRuns: config.reuseRuns, pollMs: config.pollMs, log });
  }
  if (wanted('scan')) {
    log(`\n[2/4] subnet scan, /24 with 2 answering daemons (${config.scanRepeats} scans)`);
    results.scan24 = await scanSlash24({ repeats: config.scanRepeats, log });
    log(`\n[3/4] subnet scan, /22 on loopback with 4 answering daemons (${config.scanRepeats} scans)`);
    results.scan22 = await scanSlash22({ repeats: config.scanRepeats, log });
  }
  if (wanted('idle')) {
    log(`\n[4/4] idle memory and CPU (default announce interval), ${config.idleSettleS} s + ${config.idleWindowS} s`);
    results.idle = await idleFootprint({ settleS: config.idleSettleS, windowS: config.idleWindowS, log });
  }
  if (wanted('signaling')) {
    log(`\n[signaling] cold round trips (${config.coldRuns} per variant), warm round trips (${config.signalingRoundTrips} per variant), flood (3 × ${config.signalingFlood}), outbox_bench`);
    results.signaling = await timed('signaling', () => signalingBenchmarks({
      roundTrips: config.signalingRoundTrips, warmup: config.signalingWarmup, perSender: config.signalingFlood,
      coldRuns: config.coldRuns, log,
    }));
  }
  if (wanted('channel')) {
    log(`\n[channel] ${config.handshakes} handshakes against TCP connects and health requests; an idle daemon with ${config.channels} standing channels`);
    results.channel = await timed('channel', () => channelBenchmarks({
      handshakes: config.handshakes, channels: config.channels, settleS: config.channelSettleS,
      windowS: config.channelWindowS, log,
    }));
  }
  if (wanted('mesh')) {
    log(`\n[mesh] ${config.meshDaemons} daemons on one subnet: all at once, idle ${config.meshSettleS} s + ${config.meshWindowS} s, ${config.meshJoins} joins`);
    results.mesh = await timed('mesh', () => meshBenchmarks({
      count: config.meshDaemons, joins: config.meshJoins, settleS: config.meshSettleS, windowS: config.meshWindowS,
      pollMs: config.meshPollMs, log,
    }));
  }
  if (wanted('connect')) {
    log(`\n[connect] web UI: Connect click → open data channel, ${config.connectRuns} runs per variant`);
    results.connect = await connectTimeBenchmarks({ runs: config.connectRuns, log });
  }
  if (wanted('transfer')) {
    log(`\n[transfer] a ${config.transferMiB} MiB file through the web UI against a raw data channel, ${config.transferRuns} rounds`);
    results.transfer = await transferThroughput({ repeats: config.transferRuns, mib: config.transferMiB, nice: config.transferNice, log });
  }
  if (wanted('relay')) {
    log(`\n[relay] a data channel through coturn (peerdropd --turn) against a direct one, ${config.relayMiB} MiB, ${config.relayRuns} rounds`);
    results.relay = await relayThroughput({ repeats: config.relayRuns, mib: config.relayMiB, log });
  }
  if (wanted('lane')) {
    log(`\n[lane] peerdrop send of ${config.laneMiB} MiB against socat (1 Gbit/s and unlimited, ${config.laneRuns} pairs each), ${config.laneFiles} small files`);
    results.lane = await timed('lane', () => laneBenchmarks({
      mib: config.laneMiB, repeats: config.laneRuns, fileCount: config.laneFiles, log,
    }));
    log(`\n[lane] ${config.laneMiB} MiB picked in a web page and sent over the lane, against a raw data channel, ${config.laneRuns} rounds`);
    results.lane.page = await timed('lane page', () => lanePageBenchmarks({ mib: config.laneMiB, repeats: config.laneRuns, log }));
  }
  if (wanted('upload')) {
    log(`\n[upload] a ${config.uploadMiB} MiB File from a web page to its own daemon: fetch PUT against the WebSocket, ${config.uploadRuns} rounds`);
    results.upload = await timed('upload', () => pageUploadBenchmarks({ mib: config.uploadMiB, repeats: config.uploadRuns, log }));
  }
} catch (error) {
  console.error(`\nbench: FAILED: ${error.stack || error.message}`);
  process.exit(1);
}
results.loadBefore = loadBefore;
results.loadAfter = loadAverage();
results.totalS = (Date.now() - startedAt) / 1000;

printTable([
  ...resultRows(results), ...signalingRows(results), ...channelRows(results), ...meshRows(results), ...connectRows(results),
  ...transferRows(results), ...relayRows(results), ...laneRows(results), ...uploadRows(results),
]);
log(`\nload average (1/5/15 min) before ${results.loadBefore}, after ${results.loadAfter}; took ${results.totalS.toFixed(0)} s`);
const pageName = path.relative(process.cwd(), kPagePath) || kPagePath;
if (writeDiscovery) {
  const how = writeSection(kPagePath, 'discovery', renderSection(results));
  log(`bench: ${how} the discovery section of ${pageName}`);
} else {
  log(`bench: the discovery section of ${pageName} left alone (--only without all of latency,scan,idle, or --no-write)`);
}
// Every other section is its part's own: [part and section name, renderer].
for (const [name, render] of [
  ['signaling', renderSignalingSection], ['channel', renderChannelSection], ['mesh', renderMeshSection],
  ['connect', renderConnectSection], ['transfer', renderTransferSection], ['relay', renderRelaySection],
  ['lane', renderLaneSection], ['upload', renderUploadSection],
]) {
  if (wanted(name) && !options['no-write']) {
    const how = writeSection(kPagePath, name, render(results));
    log(`bench: ${how} the ${name} section of ${pageName}`);
  } else {
    log(`bench: the ${name} section of ${pageName} left alone (--only without ${name}, or --no-write)`);
  }
}
process.exit(0);

function printTable(rows) {
  const header = ['figure', 'result', 'target', 'verdict'];
  const all = [header, ...rows.map((r) => [r.figure, r.result, r.target, r.verdict])];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  const line = (row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(line([row.figure, row.result, row.target, row.verdict]));
}
