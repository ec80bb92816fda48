// bench/discovery: time to discover AND profile N simulated cameras with `edge-gateway discover`,
// beside the onvif package's Discovery.probe (which only collects probe replies) on the same
// site in the same run. Needs root: the cameras live in network namespaces on a real bridge so
// multicast, addresses and the standard port 3702 are real.
//   npm run bench:discovery [-- --cameras 32 --window 3 --runs 3]
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
const BIN = fileURLToPath(new URL('../../bin/edge-gateway.js', import.meta.url));
const PROBE = fileURLToPath(new URL('./onvif-probe.ts', import.meta.url));

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
  responseDelayMs: i % 4 === 0 ? 300 : 50,
}));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(
  `bench/discovery: ${N} simulated cameras in network namespaces, probe window ${WINDOW_S} s, ${RUNS} runs`,
);
console.log(`machine: ${execFileSync('nproc').toString().trim()} cores, node ${process.version}`);
const site = await startSite({ cameras: specs, mode: 'netns' });
try {
  const ns = site.gwNamespace!;
  const iface = gwInterface(site);
  const ours: { ms: number; found: number; usable: number }[] = [];
  const base: { ms: number; found: number; errors: number }[] = [];
  for (let run = 0; run < RUNS; run++) {
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
      ['netns', 'exec', ns, process.execPath, '--import', 'tsx', PROBE, iface, String(WINDOW_S * 1000)],
      {
        timeout: 120_000,
      },
    );
    const parsed = JSON.parse(b.stdout.toString().trim().split('\n').pop() ?? '{}') as {
      found: number;
      ms: number;
      errors: number;
    };
    base.push({ ms: parsed.ms, found: parsed.found, errors: parsed.errors });
  }
  const oursMs = median(ours.map((o) => o.ms));
  const baseMs = median(base.map((b) => b.ms));
  console.log('');
  console.log('                                   median s   found   usable (profiles + stream URI)');
  console.log(
    `edge-gateway discover (probe+read) ${(oursMs / 1000).toFixed(2).padStart(8)}   ${String(median(ours.map((o) => o.found))).padStart(5)}   ${median(ours.map((o) => o.usable))}`,
  );
  console.log(
    `onvif Discovery.probe (probe only) ${(baseMs / 1000).toFixed(2).padStart(8)}   ${String(median(base.map((b) => b.found))).padStart(5)}   - (does not read devices; ${median(base.map((b) => b.errors))} parse errors)`,
  );
  console.log(
    `ratio ours / baseline: ${(oursMs / baseMs).toFixed(2)} (ours includes reading every device's profiles and URIs)`,
  );
  console.log(
    `runs: ours ${ours.map((o) => (o.ms / 1000).toFixed(2)).join(', ')} s; baseline ${base.map((b) => (b.ms / 1000).toFixed(2)).join(', ')} s`,
  );
} finally {
  await site.stop();
}
