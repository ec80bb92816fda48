// The demo's uplink between the gateway and the central side (ingests, backfill receivers,
// broker): uplink_relay.py, a userspace TCP relay with one loopback listener per far end. cut()
// black-holes it the way a 4G link dies, without root: nothing is forwarded either way, every
// connection stays open, and the relay's small receive buffers make the kernel stop acknowledging
// after a few kilobytes; connections opened during the cut never reach the far end (as a SYN into
// a dead link) and are dropped when it returns; restore() lets the held ones carry on.
import { fileURLToPath } from 'node:url';
import { spawnManaged, terminate, type Managed } from '../../test/ingest/process.ts';

const SCRIPT = fileURLToPath(new URL('./uplink_relay.py', import.meta.url));
const PYTHON = '/usr/bin/python3';
const READY_MS = 10_000;

export interface FarEnd {
  name: string;
  host: string;
  port: number;
}

export interface Uplink {
  readonly pid: number;
  /** The loopback port the gateway uses for a far end. */
  port(name: string): number;
  readonly ports: number[];
  readonly isCut: boolean;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

interface Line {
  ready?: boolean;
  ports?: Record<string, number>;
  done?: string;
}

export async function startUplink(ends: FarEnd[]): Promise<Uplink> {
  let onLine: (msg: Line) => void = () => undefined;
  const proc: Managed = spawnManaged(PYTHON, [SCRIPT, '--ends', JSON.stringify(ends)], {
    stdin: true,
    onLine: (l) => l.startsWith('{') && onLine(JSON.parse(l) as Line),
  });
  const next = (what: (m: Line) => boolean, ms: number) =>
    new Promise<Line>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`uplink relay: no answer: ${proc.tail()}`)), ms);
      void proc.exited.then(() => reject(new Error(`uplink relay exited: ${proc.tail()}`)));
      onLine = (m) => {
        if (!what(m)) return;
        clearTimeout(timer);
        resolve(m);
      };
    });
  let ports: Record<string, number>;
  try {
    ports = (await next((m) => m.ready === true, READY_MS)).ports ?? {};
  } catch (err) {
    await terminate(proc);
    throw err;
  }
  let cut = false;
  const command = async (cmd: 'cut' | 'restore') => {
    const answered = next((m) => m.done === cmd, 5000);
    proc.child.stdin?.write(cmd + '\n');
    await answered;
    cut = cmd === 'cut';
  };
  return {
    pid: proc.pid,
    port: (name) => {
      const p = ports[name];
      if (p === undefined) throw new Error(`no uplink port for ${name}`);
      return p;
    },
    ports: Object.values(ports),
    get isCut() {
      return cut;
    },
    cut: () => command('cut'),
    restore: () => command('restore'),
    close: async () => {
      proc.child.stdin?.end();
      await terminate(proc, 3000);
    },
  };
}
