// What changed between two configurations, and which of it the daemon applies while running.
// Pure: the composition root applies the difference, this only names it.
import type { Config } from '../config/schema.ts';

/** Sections applied live: the relay reconciles with them. Any other change needs a restart. */
export const LIVE_SECTIONS = ['cameras', 'destinations', 'discovery', 'uplink', 'relay'] as const;

export interface ConfigDiff {
  /** Manual camera entries added, removed or changed. */
  cameras: string[];
  /** Destinations added, removed or changed. */
  destinations: string[];
  /** Every top-level section that differs. */
  sections: string[];
  /** The changed sections that only take effect at the next start. */
  restartNeeded: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function changedIds(a: { id: string }[], b: { id: string }[]): string[] {
  const before = new Map(a.map((x) => [x.id, x]));
  const after = new Map(b.map((x) => [x.id, x]));
  const ids = new Set([...before.keys(), ...after.keys()]);
  return [...ids].filter((id) => !same(before.get(id), after.get(id))).sort();
}

export function configDiff(a: Config, b: Config): ConfigDiff {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof Config>;
  const sections = [...keys].filter((k) => !same(a[k], b[k])).sort();
  const live = new Set<string>(LIVE_SECTIONS);
  return {
    cameras: changedIds(a.cameras, b.cameras),
    destinations: changedIds(a.destinations, b.destinations),
    sections,
    restartNeeded: sections.filter((s) => !live.has(s)),
  };
}
