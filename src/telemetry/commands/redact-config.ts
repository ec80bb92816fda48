// The running configuration for the `config` command: every secret removed, not masked, and the
// removed paths listed so an operator sees a secret is set without seeing it.
import type { Config } from '../../config/schema.ts';
import { scrubValue } from '../../log/secrets.ts';

const SECRET_KEY = /(password|passwd|secret|token|passphrase|credentials?)$/i;

export function redactConfig(cfg: Config): { config: unknown; redacted: string[] } {
  const redacted: string[] = [];
  const walk = (node: unknown, path: string): unknown => {
    if (Array.isArray(node)) return node.map((v, i) => walk(v, `${path}[${i}]`));
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) {
        const p = path ? `${path}.${k}` : k;
        if (SECRET_KEY.test(k) && v !== undefined) redacted.push(p);
        else out[k] = walk(v, p);
      }
      return out;
    }
    return node;
  };
  // scrubValue then removes URL userinfo and any registered secret value left in ordinary strings.
  return { config: scrubValue(walk(cfg, '')), redacted };
}
