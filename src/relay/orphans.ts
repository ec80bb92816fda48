// ffmpeg children carry an owner marker in their environment. After a SIGKILL or a power cut
// the daemon's children may outlive it; the next start finds them by that marker and ends them.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

export const OWNER_VAR = 'EDGE_GATEWAY_OWNER';

/** One gateway per status socket, so two gateways on one box (or two test runs) never end each other's children. */
export function ownerKeyFor(statusSocket: string): string {
  return createHash('sha256').update(statusSocket).digest('hex').slice(0, 16);
}

/** Marks every child spawned from now on (children inherit the environment). */
export function markChildren(owner: string): void {
  process.env[OWNER_VAR] = owner;
}

export function findOwned(owner: string, procDir = '/proc'): number[] {
  const marker = `${OWNER_VAR}=${owner}\0`;
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync(procDir);
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (`${readFileSync(`${procDir}/${entry}/environ`, 'latin1')}\0`.includes(marker))
        found.push(Number(entry));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return found;
}

export function killOrphans(owner: string): number[] {
  const pids = findOwned(owner);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  return pids;
}
