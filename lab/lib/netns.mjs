// Network namespace naming, creation and deletion. Every lab namespace is
// named `pdl<pid>x<seq>-<role>`, so the namespaces of a run whose process died
// can be recognised and removed by the next run.

import { run, runSync } from './exec.mjs';

const kOwnedName = /^pdl(\d+)x\d+-/;
let sequence = 0;
const owned = new Set(); // namespaces this process created and has not deleted yet

/** A prefix unique to this process and call: `pdl<pid>x<seq>`. */
export function newPrefix() {
  return `pdl${process.pid}x${sequence++}`;
}

/** Names of all network namespaces on this machine. */
export async function listNamespaces() {
  const out = await run(['ip', 'netns', 'list']);
  return parseNamespaceList(out);
}

export function parseNamespaceList(text) {
  return text.split('\n').map((line) => line.trim().split(/\s+/)[0]).filter(Boolean);
}

/** pid of the lab process that owns a namespace name, or undefined. */
export function ownerPid(name) {
  const match = kOwnedName.exec(name);
  return match ? Number(match[1]) : undefined;
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

export async function createNamespace(name) {
  installExitHandlers();
  owned.add(name); // before creating, so a signal arriving meanwhile still removes it
  await run(['ip', 'netns', 'add', name]);
  await run(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
  // The lab is IPv4 only; IPv6 would add link-local noise (DAD, MLD, RS).
  await sysctl(name, 'net.ipv6.conf.all.disable_ipv6', 1);
  await sysctl(name, 'net.ipv6.conf.default.disable_ipv6', 1);
}

export function sysctl(namespace, key, value) {
  return run(['ip', 'netns', 'exec', namespace, 'sysctl', '-q', '-w', `${key}=${value}`]);
}

/** pids of the processes living in a namespace (ip netns pids). */
export async function namespacePids(name) {
  const out = await run(['ip', 'netns', 'pids', name]).catch(() => '');
  return out.split('\n').map(Number).filter((pid) => pid > 0);
}

/** Kills (SIGKILL, by pid) whatever still runs in the namespace, then deletes it. A missing one is fine. */
export async function deleteNamespace(name) {
  for (const pid of await namespacePids(name)) killQuietly(pid, 'SIGKILL');
  try {
    await run(['ip', 'netns', 'del', name]);
  } catch (error) {
    if (!/No such file/.test(error.message)) throw error;
  }
  owned.delete(name);
}

export function deleteNamespaceSync(name) {
  let pids = [];
  try {
    pids = runSync(['ip', 'netns', 'pids', name]).split('\n').map(Number).filter((pid) => pid > 0);
  } catch { /* namespace already gone */ }
  for (const pid of pids) killQuietly(pid, 'SIGKILL');
  try {
    runSync(['ip', 'netns', 'del', name]);
  } catch { /* best effort at exit */ }
  owned.delete(name);
}

export function killQuietly(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch { /* already gone */ }
}

/**
 * Deletes the lab namespaces left by runs whose process is dead (a crash, a
 * SIGKILL). Namespaces of live processes, including concurrent runs, are kept.
 * Returns the names it deleted.
 */
export async function cleanupStaleNamespaces() {
  const stale = (await listNamespaces()).filter((name) => {
    const pid = ownerPid(name);
    return pid !== undefined && pid !== process.pid && !isAlive(pid);
  });
  for (const name of stale) await deleteNamespace(name);
  return stale;
}

let exitHandlersInstalled = false;

/**
 * On exit and on SIGINT/SIGTERM/SIGHUP, deletes every namespace this process
 * still owns (killing what runs inside by pid). Lab.destroy() is the normal
 * path; this is the safety net for a crash or Ctrl-C.
 */
function installExitHandlers() {
  if (exitHandlersInstalled) return;
  exitHandlersInstalled = true;
  const deleteAll = () => {
    for (const name of [...owned].reverse()) deleteNamespaceSync(name);
  };
  process.on('exit', deleteAll);
  for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]]) {
    process.on(signal, () => {
      deleteAll();
      process.exit(128 + number);
    });
  }
}
