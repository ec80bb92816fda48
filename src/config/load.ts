// Loads a YAML (or JSON) configuration file, resolves secrets and validates it against the schema.
// Every problem is reported at once as `path: what is wrong (got value)`.
import { readFileSync, statSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.ts';
import { resolveSecrets, type SecretProblem, type SecretSource } from './secrets.ts';
import { registerSecret, scrubValue } from '../log/secrets.ts';

export class ConfigError extends Error {
  /** Every problem, secrets included, as `path: what is wrong`. */
  readonly problems: string[];
  constructor(
    readonly file: string,
    /** What is wrong with the file itself (syntax, schema). */
    readonly structural: string[],
    /** ${NAME} references with no value: not a fault of the file (the secrets may not be installed yet). */
    readonly secrets: SecretProblem[] = [],
  ) {
    const problems = [...secrets.map((p) => `${formatPath(p.path)}: ${p.message}`), ...structural];
    super(
      `${file}: ${problems.length} configuration problem${problems.length === 1 ? '' : 's'}\n  ${problems.join('\n  ')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const MAX_CONFIG_BYTES = 1024 * 1024;
const SECRET_PATH = /(password|token|secret)$/i;

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    '',
  );
}

function shown(path: readonly PropertyKey[], input: unknown): string {
  if (input === undefined) return 'nothing';
  const last = path[path.length - 1];
  if (typeof last === 'string' && SECRET_PATH.test(last)) return '***';
  // A parent object or a URL can carry a secret too: show the value as the log scrubber would.
  const s = JSON.stringify(scrubValue(input)) ?? `(${typeof input})`;
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export function formatIssues(issues: z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => `${formatPath([...issue.path, k])}: unknown key`);
    }
    const message =
      issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
    return [`${formatPath(issue.path) || '(top level)'}: ${message} (got ${shown(issue.path, issue.input)})`];
  });
}

/** Validates an already-parsed document. Used by the loader and by tests. */
export function validateConfig(doc: unknown, file: string, secrets?: SecretSource): Config {
  const resolved = resolveSecrets(doc, secrets);
  const problems: string[] = [];
  const result = configSchema.safeParse(resolved.value, { reportInput: true });
  // A missing secret is reported once, not again as "too small" by the schema.
  const unresolved = new Set(resolved.problems.map((p) => formatPath(p.path)));
  if (!result.success) {
    problems.push(...formatIssues(result.error.issues.filter((i) => !unresolved.has(formatPath(i.path)))));
  }
  if (problems.length > 0 || resolved.problems.length > 0 || !result.success)
    throw new ConfigError(file, problems, resolved.problems);
  // Literal passwords written in the file are secrets too, in whichever section declares them.
  registerSecretValues(result.data);
  return result.data;
}

function registerSecretValues(node: unknown, key = ''): void {
  if (typeof node === 'string') {
    if (SECRET_PATH.test(key)) registerSecret(node);
  } else if (Array.isArray(node)) {
    node.forEach((v) => registerSecretValues(v, key));
  } else if (node && typeof node === 'object') {
    Object.entries(node).forEach(([k, v]) => registerSecretValues(v, k));
  }
}

export function loadConfig(file: string, secrets?: SecretSource): Config {
  return validateConfig(readConfigDocument(file), file, secrets);
}

/** Reads and parses the file, secrets unresolved; a file that cannot be read or parsed is a ConfigError. */
export function readConfigDocument(file: string): unknown {
  let text: string;
  try {
    const st = statSync(file);
    if (st.isDirectory())
      throw new ConfigError(file, ['is a directory; give the path of the configuration file']);
    if (!st.isFile()) throw new ConfigError(file, ['is not a regular file']);
    if (st.size > MAX_CONFIG_BYTES)
      throw new ConfigError(file, [`is ${st.size} bytes; the limit is ${MAX_CONFIG_BYTES}`]);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(file, [
      `cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    ]);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        // prettyErrors appends " at line L, column C:" to the message; the position already leads the line.
        const message = (e.message.split('\n')[0] ?? e.code).replace(/ at line \d+, column \d+:?$/, '');
        return `${pos ? `line ${pos.line}, column ${pos.col}` : 'syntax'}: ${message}`;
      }),
    );
  }
  return doc.toJS({ maxAliasCount: 100 }) as unknown;
}
