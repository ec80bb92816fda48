// bench:relay options: what to measure, parsed from the command line.

export interface Options {
  cameras: number[];
  seconds: number;
  settleSeconds: number;
  faults: boolean;
  /** Local recording on in the gateway (the production default), and a segment output in the baseline's tee. */
  record: boolean;
  /** Measure the tsx source entry (bin/edge-gateway.js) instead of the production bundle. */
  tsx: boolean;
  /** Gateway and baseline windows alternate this many times per camera count. */
  rounds: number;
  /** Write a V8 CPU profile of every daemon run into this directory (node --cpu-prof). */
  cpuProfDir: string | null;
}

export function usage(code: number): never {
  console.log(`usage: npm run bench:relay -- [--cameras 1,8,16,32] [--seconds 30] [--rounds 2] [--settle 5] [--no-faults] [--no-record] [--tsx] [--cpu-prof DIR]

  --cameras LIST  camera counts to measure, in order (default 8,16,32: the counts of issue 16, 16
                  for the memory targets)
  --seconds N     measurement window for the gateway and for the baseline, each (default 30)
  --rounds N      gateway and baseline windows alternate N times per camera count, so a machine
                  that slows down or speeds up during the run weighs on both alike (default 2)
  --settle N      wait after every stream is live before the window opens (default 5)
  --no-faults     skip the stall-to-restart measurement
  --no-record     the relay alone: the gateway's local recording off, and the baseline's tee
                  without its segment output; by default both record 4 s segments, as a site does
                  (recording.enabled is on by default)
  --tsx           measure the TypeScript entry run through tsx (bin/edge-gateway.js) instead of the
                  production bundle; by default the daemon is dist/edge-gateway.mjs (built with
                  npm run build when missing or older than src/) run by node with the node flags
                  of the ExecStart of systemd/edge-gateway.service, as the service runs it
  --cpu-prof DIR  also give the daemon node's --cpu-prof, writing a profile of each of its runs
                  into DIR (open in Chrome's DevTools, or summarise: bench/relay/README.md)`);
  process.exit(code);
}

export function parseOptions(argv: string[]): Options {
  const o: Options = {
    cameras: [8, 16, 32],
    seconds: 30,
    settleSeconds: 5,
    faults: true,
    record: true,
    tsx: false,
    rounds: 2,
    cpuProfDir: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(64);
      return v;
    };
    const positive = (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) usage(64);
      return n;
    };
    if (a === '--cameras') o.cameras = value().split(',').map(positive);
    else if (a === '--seconds') o.seconds = positive(value());
    else if (a === '--settle') o.settleSeconds = Number(value());
    else if (a === '--no-faults') o.faults = false;
    else if (a === '--record') o.record = true;
    else if (a === '--no-record') o.record = false;
    else if (a === '--tsx') o.tsx = true;
    else if (a === '--rounds') o.rounds = positive(value());
    else if (a === '--cpu-prof') o.cpuProfDir = value();
    else if (a === '--help' || a === '-h') usage(0);
    else usage(64);
  }
  if (!Number.isFinite(o.settleSeconds) || o.settleSeconds < 0) usage(64);
  return o;
}
