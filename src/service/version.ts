// The version is package.json's, read once: the tsx entry (src/), the bundle (dist/, dist/chunks/)
// and the installed archive (/opt/edge-gateway) all sit below the package.json they came with.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

/** Looks up from `from` for the package.json named edge-gateway. */
export function findVersion(from: string): string {
  for (let dir = from, up = 0; up < 6; dir = dirname(dir), up++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'edge-gateway' && pkg.version) return pkg.version;
    } catch {
      /* not here: one level up */
    }
  }
  return 'unknown';
}

export function version(): string {
  cached ??= findVersion(dirname(fileURLToPath(import.meta.url)));
  return cached;
}
