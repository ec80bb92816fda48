// bench/discovery: time to discover AND read N simulated cameras with `edge-gateway discover`,
// beside the `onvif` package driven with one Cam per camera in parallel (onvif-peer.ts), on the
// same site in the same run. Needs root: the cameras live in network namespaces on a real bridge
// so multicast, addresses and the standard port 3702 are real.
//   npm run bench:discovery [-- --cameras 32 --window 3 --runs 3 --slow-ms 0 --bundle]
// --slow-ms T makes the last camera (a Hikvision) answer every call T ms late (issue 12, item 7).
// --bundle times the release build (npm run build: dist/edge-gateway.mjs, as installed) rather
// than the checkout run through tsx (bin/edge-gateway.js), which pays for compiling at start-up.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gwInterface, startSite, type Personality, type SimCameraSpec } from '../../test/sim/site.ts';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('cameras', 32);
const WINDOW_S = arg('window', 3);
const RUNS = arg('runs', 3);
const SLOW_MS = arg('slow-ms', 0);
const BUNDLE = process.argv.includes('--bundle');
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(
  new URL(BUNDLE ? '../../dist/edge-gateway.mjs' : '../../bin/edge-gateway.js', import.meta.url),
);
if (BUNDLE) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
const PEER = fileURLToPath(new URL('./onvif-peer.ts', import.meta.url));

if (process.getuid?.() !== 0) {
  console.error('bench/discovery needs root (network namespaces for real multicast).');
  process.exit(2);
}

const personalities: Personality[] = ['hikvision', 'dahua', 'axis', 'noname'];
const specs: SimCameraSpec[] = Array.from({ length: N }, (_, i) => ({
  id: `cam-${i}`,
  personality: personalities[i % personalities.length]!,
  rtsp: false,
  // Cheap cameras answer slowly; a realistic site is not all instant.
  responseDelayMs: SLOW_MS > 0 && i === N - 1 ? SLOW_MS : i % 4 === 0 ? 300 : 50,
}));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(
  `bench/discovery: ${N} simulated cameras in network namespaces, probe window ${WINDOW_S} s, ${RUNS} runs` +
    (SLOW_MS > 0 ? `, the last (${specs[N - 1]!.personality}) ${SLOW_MS} ms late on every call` : ''),
);
console.log(`machine: ${execFileSync('nproc').toString().trim()} cores, node ${process.version}`);
console.log(
  `ours: ${BUNDLE ? 'the release build (dist/edge-gateway.mjs)' : 'the checkout through tsx (bin/edge-gateway.js)'}`,
);
const site = await startSite({ cameras: specs, mode: 'netns' });
try {
  const ns = site.gwNamespace!;
  const iface = gwInterface(site);
  const ours: { ms: number; found: number; usable: number }[] = [];
  const peer: { ms: number; found: number; usable: number; lost: number; errors: number }[] = [];
  for (let run = 0; run < RUNS; run++) {
    // Ours from spawn to exit, the peer from its start to its last read: each pays for Node and tsx.
    const t0 = performance.now();
    const r = spawnSync(
      'ip',
      [
        'netns',
        'exec',
        ns,
        process.execPath,
        BIN,
        'discover',
        '--json',
        '--interface',
        iface,
        '--timeout',
        String(WINDOW_S),
        '--username',
        'admin',
        '--password-file',
        '-',
      ],
      { input: 'Secret-123\n', timeout: 300_000 },
    );
    const ms = performance.now() - t0;
    if (r.status !== 0 && r.stdout.length === 0) throw new Error(`discover failed: ${r.stderr.toString()}`);
    const out = JSON.parse(r.stdout.toString()) as {
      cameras: { error: unknown; profiles: { streamUri: string | null }[] }[];
    };
    ours.push({
      ms,
      found: out.cameras.length,
      usable: out.cameras.filter((c) => c.error === null && c.profiles.some((p) => p.streamUri)).length,
    });
    const b = spawnSync(
      'ip',
      [
        'netns',
        'exec',
        ns,
        process.execPath,
        '--import',
        'tsx',
        PEER,
        iface,
        String(WINDOW_S * 1000),
        'admin',
      ],
      { timeout: 300_000, env: { ...process.env, PEER_PASSWORD: 'Secret-123' } },
    );
    if (b.status !== 0 || b.stdout.length === 0) throw new Error(`the peer failed: ${b.stderr.toString()}`);
    const parsed = JSON.parse(b.stdout.toString().trim().split('\n').pop() ?? '{}') as {
      found: number;
      usable: number;
      lastReadMs: number;
      lost: number;
      errors: number;
    };
    // Until its last usable read (from its process start): a device whose read it lost would
    // otherwise count the peer's 60 s wait for it.
    peer.push({ ...parsed, ms: parsed.lastReadMs });
  }
  const oursMs = median(ours.map((o) => o.ms));
  const peerMs = median(peer.map((b) => b.ms));
  const row = (name: string, s: number, found: number, usable: number) =>
    `${name.padEnd(36)}${(s / 1000).toFixed(2).padStart(8)}   ${String(found).padStart(5)}   ${usable}`;
  console.log('');
  console.log(`${''.padEnd(36)}median s   found   usable (profiles + stream URI)`);
  console.log(
    row('edge-gateway discover', oursMs, median(ours.map((o) => o.found)), median(ours.map((o) => o.usable))),
  );
  console.log(
    row(
      'onvif Cam per camera, in parallel',
      peerMs,
      median(peer.map((b) => b.found)),
      median(peer.map((b) => b.usable)),
    ),
  );
  console.log(`ratio ours / peer: ${(oursMs / peerMs).toFixed(2)}`);
  if (SLOW_MS > 0) {
    // Issue 12 item 7: read within four round trips of the slowest camera after its probe reply
    // (which comes within 0.5 s), plus process start-up.
    console.log(
      `four round trips of the slowest camera: ${((4 * SLOW_MS) / 1000).toFixed(1)} s after its probe reply`,
    );
  }
  console.log(
    `runs: ours ${ours.map((o) => (o.ms / 1000).toFixed(2)).join(', ')} s; peer ${peer.map((b) => (b.ms / 1000).toFixed(2)).join(', ')} s (peer: ${median(peer.map((b) => b.errors))} probe replies it could not parse, ${median(peer.map((b) => b.lost))} reads it lost)`,
  );
} finally {
  await site.stop();
}
