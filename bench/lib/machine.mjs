// What the figures were measured on.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { kDaemonBinary } from '../../lab/lib/index.mjs';

function sh(argv, fallback = 'unknown') {
  try {
    return execFileSync(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).toString().trim();
  } catch {
    return fallback;
  }
}

export function loadAverage() {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}

export function clockTicksPerSecond() {
  return Number(sh(['getconf', 'CLK_TCK'], '100')) || 100;
}

export function machineInfo({ repoDir }) {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  const memKiB = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  const commit = sh(['git', '-C', repoDir, 'rev-parse', '--short', 'HEAD']);
  const dirty = sh(['git', '-C', repoDir, 'status', '--porcelain', '--', 'src'], '') !== '' ? ' (src/ has uncommitted changes)' : '';
  return {
    date: sh(['date', '-u']),
    nproc: sh(['nproc']),
    cpuModel: model,
    memory: `${(memKiB / 1024 / 1024).toFixed(1)} GiB`,
    kernel: sh(['uname', '-r']),
    os: sh(['sh', '-c', '. /etc/os-release && echo "$PRETTY_NAME"']),
    peerdropdVersion: sh([kDaemonBinary, '--version']),
    binary: kDaemonBinary,
    commit: `${commit}${dirty}`,
    node: process.version,
    hostname: os.hostname(),
    clockTicks: clockTicksPerSecond(),
  };
}
