// Best-effort cleanup when a test process exits without calling stop(): kill the children we started
// and delete the namespaces we made. (Children also exit by themselves when their stdin closes.)
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';

const children = new Set<ChildProcess>();
const namespaces = new Set<string>();
let installed = false;

/** Synchronously kill what is inside a namespace and delete it (stop() uses it too). */
export function killNamespace(ns: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
  for (const pid of pids.split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  spawnSync('ip', ['netns', 'del', ns]);
}

function onExit(): void {
  for (const c of children) c.kill('SIGKILL');
  for (const ns of namespaces) killNamespace(ns);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
}

export function trackChild(child: ChildProcess): void {
  install();
  children.add(child);
  child.once('exit', () => children.delete(child));
}

export function trackNamespace(ns: string): void {
  install();
  namespaces.add(ns);
}

export function untrackNamespace(ns: string): void {
  namespaces.delete(ns);
}
