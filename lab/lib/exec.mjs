// Running short commands (ip, tc, iptables, sysctl) with errors that show the
// command line and its stderr, so a failed lab step explains itself.

import { execFile, execFileSync } from 'node:child_process';

const kDefaultTimeoutMs = 10_000;

export class CommandError extends Error {
  constructor(argv, { code, signal, stderr, stdout, cause }) {
    const status = signal ? `signal ${signal}` : `exit code ${code}`;
    const detail = String(stderr || stdout || cause?.message || '').trim();
    super(`command failed (${status}): ${formatArgv(argv)}${detail ? `\n  ${detail}` : ''}`);
    this.name = 'CommandError';
    Object.assign(this, { argv, code, signal, stderr, stdout });
  }
}

export function formatArgv(argv) {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${String(a).replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * Runs argv[0] with argv[1..]; resolves with stdout (a string, or a Buffer
 * with encoding 'buffer'), rejects with a CommandError.
 */
export function run(argv, { timeout = kDefaultTimeoutMs, input, encoding = 'utf8' } = {}) {
  return new Promise((resolve, reject) => {
    const child = execFile(argv[0], argv.slice(1), { timeout, encoding, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error) {
        const code = typeof error.code === 'number' ? error.code : undefined;
        reject(new CommandError(argv, { code, signal: error.signal, stderr, stdout, cause: error }));
      } else {
        resolve(stdout);
      }
    });
    if (input !== undefined) child.stdin.end(input);
  });
}

/** Synchronous variant for exit handlers, where nothing asynchronous runs any more. */
export function runSync(argv, { timeout = kDefaultTimeoutMs } = {}) {
  try {
    return execFileSync(argv[0], argv.slice(1), { timeout, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  } catch (error) {
    throw new CommandError(argv, {
      code: error.status, signal: error.signal, stderr: error.stderr?.toString(), cause: error,
    });
  }
}

/** Splits "a b  c" into ['a', 'b', 'c']; arrays pass through. */
export function toArgs(args) {
  return Array.isArray(args) ? args.map(String) : String(args).trim().split(/\s+/);
}
