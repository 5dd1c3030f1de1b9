// node:test glue: one lab per test, always torn down, logs shown on failure.

import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Lab } from './lab.mjs';
import { kSkipBanner, labRequired, labUnsupportedReason } from './preflight.mjs';

export const kSubnetA = Object.freeze({ name: 'a', cidr: '198.51.100.0/24' });
export const kSubnetB = Object.freeze({ name: 'b', cidr: '203.0.113.0/24' });
const kLogTailLines = 40;

/**
 * describe() that skips (exit 0) with a clear banner where the lab cannot
 * run, and fails instead when CI=true.
 */
export async function labSuite(name, fn) {
  const reason = await labUnsupportedReason();
  if (reason === undefined) return describe(name, fn);
  console.log(`${kSkipBanner}: ${reason}`);
  if (labRequired()) {
    return test(name, () => { throw new Error(`${kSkipBanner}: ${reason}; CI=true requires the lab to run`); });
  }
  return describe(name, { skip: `${kSkipBanner}: ${reason}` }, () => {});
}

/**
 * A test with its own lab: labTest('name', { subnets, timeout }, async (lab, t) => …).
 * The lab is destroyed after the test whatever happens; if the test did not
 * pass, the daemon logs (tail and path) are printed first and the run dir is kept.
 */
export function labTest(name, { subnets = [kSubnetA], timeout = 60_000, ...options }, fn) {
  return test(name, { timeout, ...options }, async (t) => {
    const lab = await Lab.create({ subnets });
    t.after(async () => {
      if (!lab.succeeded) printLogs(lab);
      await lab.destroy();
    });
    await fn(lab, t);
    lab.succeeded = true;
  });
}

function printLogs(lab) {
  const parts = [`lab ${lab.prefix} failed; run dir kept: ${lab.runDir}`];
  for (const host of lab.hosts.values()) {
    if (!host.daemon) continue;
    const tail = host.daemon.logTail(kLogTailLines);
    const cores = readdirSync(host.dir).filter((name) => name.startsWith('core'));
    const coreNote = cores.length ? ` (core dump: ${cores.map((c) => `${host.dir}/${c}`).join(', ')})` : '';
    parts.push(`--- ${host.name} (${host.ip}) ${host.daemon.logPath}${coreNote}, last ${kLogTailLines} lines:\n${tail}`);
  }
  for (const host of lab.hosts.values()) {
    for (const browser of host.browsers) {
      parts.push(`--- ${host.name} ${browser.label} page log ${browser.logPath}, last ${kLogTailLines} lines:\n` +
        browser.logTail(kLogTailLines));
    }
  }
  console.error(parts.join('\n'));
}
