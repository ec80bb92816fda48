// Where a camera's ffmpeg runs. Its tee hands every packet to one writer thread per destination
// (the fifo that keeps destinations apart); when those threads wake up on another CPU, each hand-off
// costs an inter-processor wake-up, which on a virtual machine is the dearest part of the relay
// (bench:relay:fifo at 16 cameras: the fifo cost 9-12 % of the bare tee's CPU, 1-4 % placed). So each
// camera's processes are kept on one CPU, cameras spread round-robin over the CPUs this daemon may
// use, under SCHED_BATCH: a woken writer then waits for the puller to block on its next read
// instead of preempting it. Latency of a few milliseconds is nothing to a relay. Done from outside
// with util-linux's taskset and chrt (no privilege needed); new threads inherit both.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** CPU numbers of a list such as "0-3,6" (the kernel's Cpus_allowed_list). */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.trim().split(',')) {
    if (!part) continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`not a CPU list: "${list}"`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let c = from; c <= to; c++) cpus.push(c);
  }
  return cpus;
}

/** The CPUs this process may run on (a systemd CPUAffinity= or a cpuset narrows them). */
export function allowedCpus(statusFile = '/proc/self/status'): number[] {
  try {
    const m = /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(statusFile, 'utf8'));
    return m ? parseCpuList(m[1]!) : [];
  } catch {
    return [];
  }
}

/** Hands out CPUs in turn; null when there is nothing to spread over (one CPU, or placement off). */
export class CpuRoundRobin {
  private turn = 0;
  constructor(private readonly cpus: number[]) {}

  next(): number | null {
    if (this.cpus.length < 2) return null;
    return this.cpus[this.turn++ % this.cpus.length]!;
  }
}

function run(file: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) =>
    execFile(file, args, { timeout: 3000 }, (err, _out, stderr) =>
      resolve(err ? (stderr.trim() || err.message).split('\n')[0]! : null),
    ),
  );
}

/**
 * Pins every thread of `pid` to `cpu` and puts them under SCHED_BATCH. Resolves null when done, or
 * why not (tool missing, process gone): the relay works the same either way, only dearer.
 */
export async function placeProcess(pid: number, cpu: number): Promise<string | null> {
  const pinned = await run('taskset', ['--all-tasks', '--cpu-list', '--pid', String(cpu), String(pid)]);
  const batch = await run('chrt', ['--all-tasks', '--batch', '--pid', '0', String(pid)]);
  return pinned ?? batch;
}
