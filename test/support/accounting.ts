// The product's own accounting, read as a technician would (`backlog --json`), and the invariant
// every fault test ends on: live + backfilled + owed + lost = the seconds a destination was
// configured, within a segment.
import type { CameraAccount } from '../../src/buffer/accounts.ts';
import type { DestinationAccount } from '../../src/core/accounting.ts';
import { runCli } from './cli.ts';
import { waitFor } from './wait.ts';

export interface Backlog {
  pending: unknown[];
  openOutages: unknown[];
  accounting: CameraAccount[];
}

export async function readBacklog(config: string, env: NodeJS.ProcessEnv = {}): Promise<Backlog> {
  const r = await runCli(['backlog', '--json', '--config', config], { env });
  return JSON.parse(r.stdout) as Backlog;
}

export function destinationAccount(
  b: Backlog,
  cameraId: string,
  destinationId: string,
): { camera: CameraAccount; d: DestinationAccount; sum: number } {
  const camera = b.accounting.find((x) => x.cameraId === cameraId)!;
  const d = camera.destinations.find((x) => x.destinationId === destinationId)!;
  return { camera, d, sum: d.liveSeconds + d.backfilledSeconds + d.owedSeconds + d.lostSeconds };
}

/** One line a reader can check the invariant by: configured, live, backfilled, owed, lost, unaccounted. */
export function describeAccount(label: string, d: DestinationAccount, sum: number): string {
  return (
    `${label}: configured ${d.configuredSeconds} s = live ${d.liveSeconds} s + backfilled ${d.backfilledSeconds} s + ` +
    `owed ${d.owedSeconds} s + lost ${d.lostSeconds} s ${JSON.stringify(d.lostByReason)} = ${sum.toFixed(1)} s ` +
    `(unaccounted ${d.unaccountedSeconds} s)`
  );
}

/** Waits for an empty backlog (nothing pending, no open outage, nothing owed) and returns it. */
export async function settledBacklog(
  config: string,
  env: NodeJS.ProcessEnv,
  cameraId: string,
  destinationId: string,
  ready: (b: Backlog) => boolean = () => true,
): Promise<Backlog> {
  let last: Backlog | null = null;
  await waitFor(
    async () => {
      last = await readBacklog(config, env);
      const d = last.accounting
        .find((x) => x.cameraId === cameraId)
        ?.destinations.find((x) => x.destinationId === destinationId);
      return (
        last.pending.length === 0 && last.openOutages.length === 0 && d?.owedSeconds === 0 && ready(last)
      );
    },
    'an empty backlog',
    120_000,
    1000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${JSON.stringify(last, null, 1)}`);
  });
  return readBacklog(config, env);
}
