// Runs the real `edge-gateway run` daemon as a child process and reads its status socket.
import { spawn, type ChildProcess } from 'node:child_process';
import type { GatewayStatus } from '../../src/core/status.ts';
import { fetchStatus } from '../../src/cli/status-command.ts';
import { BIN } from './cli.ts';
import { alive, waitFor } from './wait.ts';

export interface Daemon {
  proc: ChildProcess;
  log(): string;
  status(): Promise<GatewayStatus>;
  /** SIGTERM and wait; resolves with the time it took. */
  stop(): Promise<number>;
}

/** The `discovery:` section that finds a loopback simulated site (test/sim), as YAML lines. */
export function simDiscovery(
  site: { discoveryGroup: string; discoveryPort: number },
  password: string,
): string[] {
  return [
    'discovery:',
    '  interfaces: [lo]',
    `  multicastAddress: ${site.discoveryGroup}`,
    `  multicastPort: ${site.discoveryPort}`,
    '  probeWindowSeconds: 0.5',
    '  callTimeoutSeconds: 3',
    '  username: admin',
    `  password: ${password}`,
  ];
}

/** The daemon's status, read the way `edge-gateway status` reads it. */
export const statusOf = fetchStatus;

export async function startDaemon(
  config: string,
  socketPath: string,
  env: NodeJS.ProcessEnv = {},
): Promise<Daemon> {
  const proc = spawn(process.execPath, [BIN, 'run', '--config', config], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-200_000)));
  proc.stderr.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-200_000)));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  await waitFor(() => statusOf(socketPath), `the daemon's status socket\n${out}`, 30_000);
  return {
    proc,
    log: () => out,
    status: () => statusOf(socketPath),
    stop: async () => {
      const t0 = Date.now();
      if (alive(proc.pid)) proc.kill('SIGTERM');
      await exited;
      return Date.now() - t0;
    },
  };
}
