// The reference backfill receiver (scripts/backfill-receiver.ts) in its own process, so that a
// test can freeze it (SIGSTOP), kill it and start another on the same port and directory, as a
// hung central server would be handled.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alive } from './wait.ts';

const SCRIPT = fileURLToPath(new URL('../../scripts/backfill-receiver.ts', import.meta.url));

export interface ReceiverProcess {
  port: number;
  url: string;
  readonly pid: number;
  pause(): void;
  /** SIGKILL this one and start another on the same port and directory. */
  replace(): Promise<void>;
  /** SHA-256 of every file stored for one camera, by the segment start in the file name. */
  stored(siteId: string, cameraId: string): Map<string, string>;
  stop(): Promise<void>;
}

function launch(dir: string, port: number, token: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', SCRIPT, '--port', String(port), '--dir', dir, '--token', token],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const first = /^\{.*"port":(\d+).*\}$/m.exec(out);
      if (first) resolve({ child, port: Number(first[1]) });
    });
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => reject(new Error(`backfill receiver exited (${code}): ${out}`)));
  });
}

export async function startReceiverProcess(dir: string, token: string): Promise<ReceiverProcess> {
  const first = await launch(dir, 0, token);
  const { port } = first;
  let child = first.child;
  const kill = async () => {
    if (!alive(child.pid)) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  };
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get pid() {
      return child.pid!;
    },
    pause: () => child.kill('SIGSTOP'),
    replace: async () => {
      await kill();
      ({ child } = await launch(dir, port, token));
    },
    stored: (siteId, cameraId) => {
      const d = join(dir, siteId, cameraId);
      const out = new Map<string, string>();
      if (!existsSync(d)) return out;
      for (const f of readdirSync(d).filter((n) => n.endsWith('.ts')))
        out.set(
          f,
          createHash('sha256')
            .update(readFileSync(join(d, f)))
            .digest('hex'),
        );
      return out;
    },
    stop: kill,
  };
}
