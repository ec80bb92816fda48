// Keeping a camera's ffmpeg and its threads on one CPU under SCHED_BATCH: CPU lists, the
// round-robin, and a real multi-threaded ffmpeg placed from outside.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allowedCpus, CpuRoundRobin, parseCpuList, placeProcess } from '../../src/relay/cpu-placement.ts';

describe('CPU lists', () => {
  it('reads the kernel list form', () => {
    expect(parseCpuList('0-3,6,8-9\n')).toEqual([0, 1, 2, 3, 6, 8, 9]);
    expect(parseCpuList('2')).toEqual([2]);
    expect(() => parseCpuList('0-x')).toThrow(/not a CPU list: "0-x"/);
  });

  it('spreads cameras over the CPUs in turn, and does nothing with one CPU', () => {
    const rr = new CpuRoundRobin([0, 2, 3]);
    expect([rr.next(), rr.next(), rr.next(), rr.next()]).toEqual([0, 2, 3, 0]);
    expect(new CpuRoundRobin([1]).next()).toBeNull();
    expect(new CpuRoundRobin([]).next()).toBeNull();
  });

  it('knows the CPUs this process may use', () => {
    expect(allowedCpus().length).toBeGreaterThan(0);
  });
});

/** Per thread: the CPUs it may run on and its scheduling policy (3 is SCHED_BATCH). */
function threads(pid: number): { cpus: string; policy: number }[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { cpus: /^Cpus_allowed_list:\s*(\S+)/m.exec(status)![1]!, policy: Number(fields[38]) };
  });
}

describe('placeProcess', () => {
  it.skipIf(allowedCpus().length < 2)(
    'moves every thread of a running ffmpeg (its fifo writers too) to one CPU under SCHED_BATCH',
    async () => {
      const cpu = allowedCpus().at(-1)!;
      // A tee with a fifo per slave: writer threads like the relay's camera process.
      const ff = spawn(
        'ffmpeg',
        [
          ...['-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25'],
          ...['-map', '0:v', '-c:v', 'mpeg2video', '-f', 'tee', '-use_fifo', '1'],
          '[f=null]/dev/null|[f=null]/dev/null',
        ],
        { stdio: 'ignore' },
      );
      try {
        expect(await placeProcess(ff.pid!, cpu)).toBeNull();
        // Wait for ffmpeg to open its outputs (their writer threads), however loaded the machine.
        let all = threads(ff.pid!);
        for (let i = 0; i < 300 && all.length < 3; i++) {
          await new Promise((r) => setTimeout(r, 100));
          all = threads(ff.pid!);
        }
        expect(all.length, 'main thread plus fifo writers').toBeGreaterThanOrEqual(3);
        expect(all).toEqual(all.map(() => ({ cpus: String(cpu), policy: 3 })));
      } finally {
        ff.kill('SIGKILL');
      }
    },
  );

  it('says why when the process is gone', async () => {
    const gone = spawn('true');
    await new Promise((r) => gone.once('exit', r));
    expect(await placeProcess(gone.pid!, 0)).toMatch(/./);
  });
});
