// The gateway as a user runs it: the real `edge-gateway` binary with a configuration written for
// the demo's rig: the `run` daemon in the background (it discovers the site itself), its log in a file.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GatewayStatus } from '../../src/core/status.ts';
import { fetchStatus } from '../../src/cli/status-command.ts';
import { CAMERA_PASSWORD, type Rig } from './rig.ts';

export const BIN = fileURLToPath(new URL('../../bin/edge-gateway.js', import.meta.url));
const SETPRIV = '/usr/bin/setpriv';

export interface GatewayFiles {
  dir: string;
  config: string;
  socket: string;
  db: string;
  spool: string;
  log: string;
}

export function gatewayFiles(dir: string): GatewayFiles {
  return {
    dir,
    config: join(dir, 'gateway.yaml'),
    socket: join(dir, 'status.sock'),
    db: join(dir, 'gateway.db'),
    spool: join(dir, 'spool'),
    log: join(dir, 'gateway.log'),
  };
}

/** Short intervals everywhere so that a few minutes show a day's worth of events. */
export function writeConfig(f: GatewayFiles, rig: Rig): void {
  const up = (name: string) => rig.uplink.port(name);
  const backfill = (name: string) => `{ url: "http://127.0.0.1:${up(name)}/{siteId}/{cameraId}/{start}.ts" }`;
  const yaml = [
    '# Written by the demo (scripts/demo): every far end is reached through the demo uplink.',
    'site: { id: demo, name: Demo facility }',
    'cameras:',
    `  - { id: corridor, name: Corridor (powered off), onvif: "${rig.offlineOnvifUrl}" }`,
    'discovery:',
    '  interfaces: [lo]',
    '  probeWindowSeconds: 2',
    '  callTimeoutSeconds: 4',
    `  multicastAddress: ${rig.site.discoveryGroup}`,
    `  multicastPort: ${rig.site.discoveryPort}`,
    '  username: admin',
    // A real site writes \${CAMERA_PASSWORD} and keeps the value in systemd's credentials; the
    // demo's is a simulated camera's, written here so that every command works with --config alone.
    `  password: ${CAMERA_PASSWORD}`,
    'destinations:',
    '  - id: national',
    `    url: "rtmp://127.0.0.1:${up('rtmp')}/live/{cameraId}"`,
    `    backfill: ${backfill('national')}`,
    '  - id: province',
    `    url: "rtsp://127.0.0.1:${up('rtsp')}/live/{cameraId}"`,
    `    backfill: ${backfill('province')}`,
    'relay:',
    `  statusSocket: ${f.socket}`,
    '  stallSeconds: 5',
    '  startGraceSeconds: 20',
    '  backoffSeconds: [1, 2, 4]',
    '  stopTimeoutSeconds: 3',
    `recording: { dir: ${f.spool}, segmentSeconds: 2, minFreeMb: 50 }`,
    'backfill: { retrySeconds: [1, 2, 4], timeoutSeconds: 5 }',
    `store: { path: ${f.db} }`,
    'mqtt:',
    `  url: "mqtt://127.0.0.1:${up('mqtt')}"`,
    '  heartbeatSeconds: 5',
    '  keepaliveSeconds: 5',
    '  connectTimeoutSeconds: 3',
    '  reconnectSeconds: [1, 2, 4]',
    'log: { level: info }',
    '',
  ].join('\n');
  writeFileSync(f.config, yaml);
}

/** Runs an edge-gateway command to its end; resolves with its output. */
export function runCommand(
  args: string[],
  signal: AbortSignal,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface GatewayProcess {
  pid: number;
  status(): Promise<GatewayStatus>;
  /** SIGTERM, and SIGKILL if it has not stopped within its own 10 s deadline and a margin. */
  stop(): Promise<void>;
}

/**
 * `edge-gateway run` in its own process group, so a Ctrl-C at the terminal reaches only the demo,
 * which stops the gateway first and in order; setpriv ends it if the demo itself is killed.
 */
export async function startGateway(f: GatewayFiles, signal: AbortSignal): Promise<GatewayProcess> {
  const argv = [BIN, 'run', '--config', f.config];
  const [file, args] = existsSync(SETPRIV)
    ? [SETPRIV, ['--pdeathsig', 'TERM', process.execPath, ...argv]]
    : [process.execPath, argv];
  const log = createWriteStream(f.log, { flags: 'a' });
  const child: ChildProcess = spawn(file, args, {
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const stop = async () => {
    if (!gone()) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 13_000);
    await exited;
    clearTimeout(killer);
    log.end();
  };
  // The status socket answers once the daemon's first modules are up.
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await fetchStatus(f.socket);
      break;
    } catch (err) {
      if (gone() || signal.aborted || Date.now() > deadline) {
        await stop();
        throw new Error(`the gateway did not start (see ${f.log}): ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { pid: child.pid!, status: () => fetchStatus(f.socket), stop };
}
