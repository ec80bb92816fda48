// A 4G-like uplink for bench:backfill:live --shaped-kbps (issue 15 item 6). The bench runs itself
// again inside a network namespace of its own (every server, camera and the daemon on that
// namespace's loopback), and there traffic *to* the ingest's and the backfill receiver's ports,
// i.e. the site's uplink, goes through tbf: the rate, and a bounded queue as a 4G router has (its
// delay grows to the bound, then it drops). This kernel has no netem (nor prio, fq_codel), so
// no added delay or random loss: queueing delay and tail drops are the link's only faults.
// Everything else, the cameras' pull included, is not shaped; only the data direction is: the
// platforms' ACKs come back at once, as on a link whose downlink is far wider than its uplink.
import { execFileSync, spawn } from 'node:child_process';
import { killNamespace } from '../../test/sim/cleanup.ts';

const ENV = 'BENCH_BACKFILL_NETNS';

export interface Shape {
  kbps: number;
  /** How long tbf may queue a packet before dropping it, ms (a 4G router's buffer). */
  queueMs: number;
}

/** The namespace this process runs in when it is the re-run, else null. */
export function benchNamespace(): string | null {
  return process.env[ENV] ?? null;
}

/**
 * Runs this same command again inside a new namespace with its loopback up at a 1500-byte MTU
 * (as on a real link, so tbf and netem see packets, not 64 KB loopback frames) and resolves with
 * its exit code; the namespace and anything left in it are removed afterwards.
 */
export async function rerunInNamespace(): Promise<number> {
  const ns = `benchup-${process.pid}`;
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  ip('netns', 'add', ns);
  try {
    ip('-n', ns, 'link', 'set', 'lo', 'mtu', '1500', 'up');
    const child = spawn(
      'ip',
      ['netns', 'exec', ns, process.execPath, ...process.execArgv, ...process.argv.slice(1)],
      { stdio: 'inherit', env: { ...process.env, [ENV]: ns } },
    );
    const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
    process.on('SIGINT', forward('SIGINT'));
    process.on('SIGTERM', forward('SIGTERM'));
    return await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  } finally {
    killNamespace(ns);
  }
}

/** Shapes traffic to `ports` on this namespace's loopback; returns the qdiscs as tc prints them. */
export function shapeUplink(ports: number[], s: Shape): string {
  const tc = (...args: string[]) => execFileSync('tc', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  // htb only sorts: class 1:10 (the default) is everything else, class 1:20 the uplink, chosen by
  // port; the tbf under it is the link: its rate, and a queue of at most queueMs, then drops.
  tc('qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', 'htb', 'default', '10', 'r2q', '100000');
  for (const id of ['1:10', '1:20'])
    tc('class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', id, 'htb', 'rate', '10gbit');
  // prettier-ignore
  tc('qdisc', 'add', 'dev', 'lo', 'parent', '1:20', 'handle', '20:', 'tbf',
    'rate', `${s.kbps}kbit`, 'burst', '4kb', 'latency', `${s.queueMs}ms`);
  for (const port of ports)
    // prettier-ignore
    tc('filter', 'add', 'dev', 'lo', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32',
      'match', 'ip', 'dport', String(port), '0xffff', 'flowid', '1:20');
  return execFileSync('tc', ['qdisc', 'show', 'dev', 'lo'], { encoding: 'utf8' }).trim();
}

/** Bytes and drops of the shaped band so far (tc -s), for the report. */
export function uplinkCounters(): { sentBytes: number; dropped: number } {
  const out = execFileSync('tc', ['-s', 'qdisc', 'show', 'dev', 'lo', 'parent', '1:20'], {
    encoding: 'utf8',
  });
  const m = /Sent (\d+) bytes \d+ pkt \(dropped (\d+)/.exec(out);
  return { sentBytes: Number(m?.[1] ?? 0), dropped: Number(m?.[2] ?? 0) };
}
