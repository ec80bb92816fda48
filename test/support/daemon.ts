// Runs the real `edge-gateway run` daemon as a child process and reads its status socket.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { GatewayStatus } from '../../src/app/status-model.ts';
import { BIN } from './cli.ts';
import { alive, waitFor } from './wait.ts';

export interface Daemon {
  proc: ChildProcess;
  log(): string;
  status(): Promise<GatewayStatus>;
  /** SIGTERM and wait; resolves with the time it took. */
  stop(): Promise<number>;
}

export function statusOf(socketPath: string): Promise<GatewayStatus> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath, path: '/status', timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as GatewayStatus);
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('status timeout')));
    req.on('error', reject);
  });
}

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
