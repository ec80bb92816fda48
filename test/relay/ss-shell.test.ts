import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { socketInodes } from '../../src/relay/process-sockets.ts';
import { SsShell } from '../../src/relay/ss-shell.ts';
import { readTcpTable, TABLE_ARGS } from '../../src/relay/tcp-table.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Pids of processes whose command line contains `marker`. */
function processesWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** A stand-in for ss running `body`, at a path unique to the test. */
function standIn(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'egw-ss-'));
  dirs.push(dir);
  const file = join(dir, 'ss');
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** One that never answers (a hung netlink dump). */
const hangingSs = () => standIn('exec sleep 60');

describe('SsShell: ss run by one long-lived shell', () => {
  it('reads the same table as a one-shot ss, from one shell across looks', async () => {
    const server = createServer((peer) => peer.on('data', () => {}));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client: Socket = connect((server.address() as { port: number }).port, '127.0.0.1');
    await once(client, 'connect');
    const shell = new SsShell(TABLE_ARGS);
    try {
      const mine = new Set(socketInodes(process.pid));
      const viaShell = await readTcpTable(shell);
      const oneShot = await readTcpTable();
      expect(viaShell, 'ss ran in the shell').not.toBeNull();
      const ours = (t: { keys(): Iterable<string> }) => [...t.keys()].filter((i) => mine.has(i)).sort();
      expect(ours(viaShell!)).toHaveLength(2);
      expect(ours(viaShell!)).toEqual(ours(oneShot!));
      const shells = processesWith('#ss-end');
      // Three more looks, concurrently asked: answered one after the other by the same shell.
      const more = await Promise.all([readTcpTable(shell), readTcpTable(shell), readTcpTable(shell)]);
      for (const t of more) expect(ours(t!)).toEqual(ours(viaShell!));
      expect(processesWith('#ss-end')).toEqual(shells);
    } finally {
      shell.close();
      client.destroy();
      server.close();
    }
  });

  it('gives up on a hung ss after its timeout and leaves neither it nor the shell running', async () => {
    const command = hangingSs();
    const shell = new SsShell(TABLE_ARGS, { command, timeoutMs: 500 });
    const t0 = Date.now();
    expect(await shell.run()).toBeNull();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
    expect(await until(() => processesWith(command).length === 0, 3000), 'hung ss and its shell killed').toBe(
      true,
    );
    // The next look starts a new shell (and gives up again).
    expect(await shell.run()).toBeNull();
    shell.close();
    expect(await until(() => processesWith(command).length === 0, 3000)).toBe(true);
  });

  it('answers null when ss cannot run, at every look', async () => {
    const shell = new SsShell(TABLE_ARGS, { command: '/nonexistent/ss' });
    expect(await shell.run()).toBeNull();
    expect(await shell.run()).toBeNull();
    shell.close();
  });

  it('ends with the process that owns it, even killed with SIGKILL, and so does the ss it runs', async () => {
    // An ss still writing its answer when the owner dies: it then writes to a closed pipe.
    const command = standIn('exec yes 0 0 127.0.0.1:1 127.0.0.1:2 ino:1');
    // The owner: a node process whose shell is running that ss when the owner is killed.
    const owner = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import { SsShell } from ${JSON.stringify(join(process.cwd(), 'src/relay/ss-shell.ts'))};
         const s = new SsShell([], { command: ${JSON.stringify(command)}, timeoutMs: 60000 });
         void s.run(); setInterval(() => {}, 1000);`,
      ],
      { stdio: 'ignore' },
    );
    try {
      expect(await until(() => processesWith(command).length >= 2, 10_000), 'shell and ss running').toBe(
        true,
      );
      owner.kill('SIGKILL');
      await once(owner, 'close');
      expect(await until(() => processesWith(command).length === 0, 5000), 'shell and hung ss gone').toBe(
        true,
      );
    } finally {
      owner.kill('SIGKILL');
      for (const p of processesWith(command)) process.kill(p, 'SIGKILL');
    }
  });
});
