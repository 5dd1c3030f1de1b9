// Can this machine run the lab? It needs Linux, root and working `ip netns`.

import { existsSync } from 'node:fs';
import { test } from 'node:test';

import { run } from './exec.mjs';
import { createNamespace, deleteNamespace, newPrefix } from './netns.mjs';

export const kSkipBanner = 'lab: SKIPPED (needs root and ip netns)';

/** undefined if the lab can run here, otherwise the reason it cannot. */
export async function labUnsupportedReason() {
  if (process.platform !== 'linux') return `platform is ${process.platform}, not linux`;
  if (process.getuid() !== 0) return `not root (uid ${process.getuid()})`;
  try {
    await run(['ip', 'netns', 'list']);
  } catch (error) {
    return `ip netns is unavailable: ${error.message}`;
  }
  const probe = `${newPrefix()}-probe`;
  try {
    await createNamespace(probe);
  } catch (error) {
    return `cannot create a network namespace: ${error.message}`;
  } finally {
    await deleteNamespace(probe).catch(() => {});
  }
  return undefined;
}

let netemProbe;

/** Whether the kernel has the netem qdisc (probed once, on lo of a scratch namespace). */
export function netemAvailable() {
  netemProbe ??= (async () => {
    const probe = `${newPrefix()}-probe`;
    try {
      await createNamespace(probe);
      await run(['ip', 'netns', 'exec', probe, 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms']);
      return true;
    } catch {
      return false;
    } finally {
      await deleteNamespace(probe).catch(() => {});
    }
  })();
  return netemProbe;
}

/** True when a missing lab must fail instead of skip (CI=true). */
export function labRequired() {
  return process.env.CI === 'true';
}

/** Why `tools` cannot run here (which of them are not installed), or undefined when all are there. */
export function missingToolsReason(tools, packageName) {
  const missing = tools.filter((tool) => !existsSync(tool));
  if (missing.length === 0) return undefined;
  return `${packageName} is not installed (${missing.join(', ')} missing; make deps installs it)`;
}

/** Registers `name` as skipped for `reason`, or as a failing test when CI=true requires the whole lab. */
export function unavailableTest(name, reason) {
  if (labRequired()) test(name, () => { throw new Error(`${reason}; CI=true requires it`); });
  else test(name, { skip: reason }, () => {});
}
