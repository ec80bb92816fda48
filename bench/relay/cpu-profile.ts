// Where a daemon's main thread spent its time, from a profile written by `bench:relay --cpu-prof DIR`
// (node --cpu-prof): busy time in % of one core, then functions by self and by inclusive time,
// optionally only between two offsets from the profile's start (the measured window, not start-up).
// Usage: npx tsx bench/relay/cpu-profile.ts FILE.cpuprofile [fromSeconds] [toSeconds]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, fromArg, toArg] = process.argv.slice(2);
if (!file) {
  console.log('usage: npx tsx bench/relay/cpu-profile.ts FILE.cpuprofile [fromSeconds] [toSeconds]');
  process.exit(64);
}
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const from = Number(fromArg ?? 0) * 1e6;
const to = toArg === undefined ? p.endTime - p.startTime : Number(toArg) * 1e6;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n: ProfileNode) =>
  `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let at = 0;
let total = 0;
let idle = 0;
for (let i = 0; i < p.samples.length; i++) {
  const dt = p.timeDeltas[i] ?? 0;
  at += dt;
  if (at < from || at > to) continue;
  total += dt;
  const leaf = byId.get(p.samples[i]!)!;
  if (leaf.callFrame.functionName === '(idle)') {
    idle += dt;
    continue;
  }
  self.set(name(leaf), (self.get(name(leaf)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
    const k = name(byId.get(id)!);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
  }
}
const seconds = (to - from) / 1e6;
const ms = (us: number) => (us / 1000).toFixed(1).padStart(8);
console.log(
  `${seconds.toFixed(1)} s profiled, busy ${ms(total - idle).trim()} ms: ${((total - idle) / 1e4 / seconds).toFixed(2)} % of one core`,
);
const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
console.log('\nself, ms');
for (const [k, t] of top(self, 25)) console.log(ms(t), k);
console.log('\ninclusive, ms');
for (const [k, t] of top(inclusive, 40)) console.log(ms(t), k);
