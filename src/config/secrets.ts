// ${NAME} references in the configuration, resolved from systemd's credentials directory
// ($CREDENTIALS_DIRECTORY/NAME, see systemd.exec LoadCredential=) and then the environment.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerSecret } from '../log/secrets.ts';

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface SecretProblem {
  path: (string | number)[];
  /** The reference's name, e.g. MQTT_PASSWORD. */
  name: string;
  /** Where it was looked for, in order: the credential file, then the environment variable. */
  lookedIn: string[];
  message: string;
}

export interface SecretSource {
  credentialsDir?: string | undefined;
  env: NodeJS.ProcessEnv;
}

function lookup(name: string, src: SecretSource): string | undefined {
  if (src.credentialsDir) {
    try {
      // A credential file written by an editor ends with a newline that is not part of the secret.
      return readFileSync(join(src.credentialsDir, name), 'utf8').replace(/\r?\n$/, '');
    } catch {
      /* fall through to the environment */
    }
  }
  return src.env[name];
}

/**
 * Returns a copy of the parsed document with every ${NAME} replaced. Each resolved value is
 * registered with the log scrubber. Unresolvable references are reported, never left in place.
 */
export function resolveSecrets(
  doc: unknown,
  src: SecretSource = { credentialsDir: process.env.CREDENTIALS_DIRECTORY, env: process.env },
): { value: unknown; problems: SecretProblem[] } {
  const problems: SecretProblem[] = [];
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') {
      const missing = new Set<string>();
      return node.replace(REF, (_m, name: string) => {
        const v = lookup(name, src);
        if (v === undefined || v === '') {
          // "${A}:${A}" is one missing secret at this path, not two.
          if (!missing.has(name)) {
            const file = src.credentialsDir ? join(src.credentialsDir, name) : null;
            const lookedIn = [...(file ? [file] : []), `environment variable ${name}`];
            problems.push({
              path,
              name,
              lookedIn,
              message: `secret \${${name}} is not set (looked in ${file ? `${file}, then ` : ''}the environment)`,
            });
          }
          missing.add(name);
          return '';
        }
        registerSecret(v);
        return v;
      });
    }
    if (Array.isArray(node)) return node.map((v, i) => walk(v, [...path, i]));
    if (node && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return node;
  };
  return { value: walk(doc, []), problems };
}

/**
 * An opaque fingerprint of a set of credentials, so a rejected set can be recognised without
 * keeping the password itself (core/auth-holds.ts): the same for every module that logs in.
 */
export function credentialsKey(c: { username: string; password: string }): string {
  return createHash('sha256').update(`${c.username}\0${c.password}`).digest('hex');
}
