#!/usr/bin/env node
// Runs the lab scenarios (default: every lab/scenarios/*.test.mjs).
//   node lab/run.mjs [files…] [node --test flags, e.g. --test-name-pattern=replay]
// Where the lab cannot run (not root, no ip netns) it prints
// "lab: SKIPPED (needs root and ip netns): <reason>" and exits 0, or 1 when CI=true.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { kSkipBanner, labRequired, labUnsupportedReason } from './lib/preflight.mjs';
import { kLabDir } from './lib/paths.mjs';

const reason = await labUnsupportedReason();
if (reason !== undefined) {
  console.log(`${kSkipBanner}: ${reason}`);
  process.exit(labRequired() ? 1 : 0);
}

const args = process.argv.slice(2);
const flags = args.filter((arg) => arg.startsWith('-'));
const files = args.filter((arg) => !arg.startsWith('-'));
const child = spawn(process.execPath, ['--test', ...flags, ...(files.length ? files : [path.join(kLabDir, 'scenarios')])], {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
