// The real daemon under the real sd_notify protocol: a unix datagram socket stands in for systemd
// (NOTIFY_SOCKET, WATCHDOG_USEC), as PID 1 would give them to a Type=notify unit with WatchdogSec=2.
// The broker is down all along: READY must not wait for it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../support/cli.ts';
import { waitFor } from '../support/wait.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const WATCHDOG_SEC = 2;
const PERIOD_MS = (WATCHDOG_SEC * 1000) / 2;

interface Message {
  ms: number;
  fields: Record<string, string>;
}

let dir: string;
let systemd: ChildProcess;
let daemon: ChildProcess;
let daemonLog = '';
let httpPort = 0;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
const messages: Message[] = [];
const now = () => performance.timeOrigin + performance.now();

const pings = (from = 0, to = Infinity) =>
  messages.filter((m) => m.fields.WATCHDOG === '1' && m.ms >= from && m.ms <= to);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edge-gw-notify-'));
  const socket = join(dir, 'notify.sock');
  systemd = spawn('python3', [join(HERE, 'notify_socket.py'), socket], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buf = '';
  let bound = false;
  // The receiver stamps messages with its monotonic clock; ours is performance.now(): re-stamp here.
  systemd.stdout!.on('data', (c: Buffer) => {
    buf += c.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = JSON.parse(buf.slice(0, i)) as { bound?: string; msg?: string };
      buf = buf.slice(i + 1);
      if (line.bound) bound = true;
      if (line.msg === undefined) continue;
      const fields = Object.fromEntries(
        line.msg
          .split('\n')
          .filter(Boolean)
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
      messages.push({ ms: now(), fields });
    }
  });
  await waitFor(() => bound, 'notify socket');

  httpPort = await freePort();
  const config = join(dir, 'gw.yaml');
  writeFileSync(
    config,
    [
      'site: {id: khu-a, name: Khu A}',
      `recording: {dir: ${join(dir, 'rec')}}`,
      `store: {path: ${join(dir, 'gw.db')}}`,
      // Nothing listens there: the broker is down from the start.
      'mqtt: {url: "mqtt://127.0.0.1:9"}',
      `relay: {statusSocket: ${join(dir, 'status.sock')}}`,
      `http: {port: ${httpPort}}`,
    ].join('\n'),
  );
  daemon = spawn(
    process.execPath,
    ['--import', join(HERE, 'block-loop.mjs'), BIN, 'run', '--config', config],
    {
      env: {
        ...process.env,
        NOTIFY_SOCKET: socket,
        WATCHDOG_USEC: String(WATCHDOG_SEC * 1_000_000),
        LANG: 'C.UTF-8',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  daemon.stdout!.on('data', (c: Buffer) => (daemonLog += c.toString()));
  daemon.stderr!.on('data', (c: Buffer) => (daemonLog += c.toString()));
});

afterAll(() => {
  if (daemon.exitCode === null) daemon.kill('SIGKILL');
  systemd.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('systemd notify protocol', () => {
  it('sends READY=1 with a status line once started, with the broker down', async () => {
    await waitFor(() => messages.some((m) => m.fields.READY === '1'), `READY=1\n${daemonLog}`, 30_000);
    const ready = messages.find((m) => m.fields.READY === '1')!;
    expect(ready.fields.STATUS).toBe('cameras live 0/0, destinations live 0/0, backlog 0 min');
    // Logged once systemd-notify has returned, which is after the message arrived.
    await waitFor(() => daemonLog.includes('told systemd we are ready'), 'the ready log line', 10_000);
  });

  it('answers /healthz and /metrics on its loopback port', async () => {
    const health = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^edge_gateway_build_info\{version="\d+\.\d+\.\d+",node="[\d.]+"\} 1$/m);
    expect(metrics).toMatch(/^edge_gateway_broker_connected 0$/m);
  });

  it('pings WATCHDOG=1 at half of WatchdogSec while healthy', async () => {
    const from = now();
    await new Promise((r) => setTimeout(r, 5 * PERIOD_MS + 300));
    const seen = pings(from);
    expect(seen.length).toBeGreaterThanOrEqual(4);
    const gaps = seen.slice(1).map((m, i) => m.ms - seen[i]!.ms);
    const median = gaps.sort((a, b) => a - b)[Math.floor(gaps.length / 2)]!;
    // The period, not its jitter: well under WatchdogSec, well over a busy loop.
    expect(median).toBeGreaterThan(PERIOD_MS * 0.7);
    expect(median).toBeLessThan(PERIOD_MS * 1.5);
    expect(seen.every((m) => m.fields.STATUS?.startsWith('cameras live'))).toBe(true);
  });

  it('withholds the pings while the event loop is blocked, and resumes after', async () => {
    const from = now();
    daemon.kill('SIGUSR2');
    await new Promise((r) => setTimeout(r, 4000));
    const blockedEnd = now();
    // The first period may still carry a ping judged before the blocks began.
    expect(pings(from + PERIOD_MS + 200, blockedEnd)).toEqual([]);
    await waitFor(() => pings(blockedEnd).length > 0, `pings after the block\n${daemonLog}`, 10_000);
    expect(daemonLog).toMatch(
      /"reasons":\["event loop lagged \d+ ms \(bound 500 ms\)"\],"msg":"unhealthy: watchdog ping withheld"/,
    );
    expect(daemonLog).toContain('healthy again: watchdog pings resume');
  });

  it('sends STOPPING=1 on SIGTERM and exits 0', async () => {
    const exited = new Promise<number | null>((r) => daemon.once('exit', (code) => r(code)));
    daemon.kill('SIGTERM');
    expect(await exited).toBe(0);
    await waitFor(() => messages.some((m) => m.fields.STOPPING === '1'), 'STOPPING=1', 5_000);
  });
});
