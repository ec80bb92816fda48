// Shared plumbing for commands: the optional configuration file and credentials from a file.
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { t } from '../i18n/index.ts';
import { registerSecret } from '../log/secrets.ts';
import { configProblem } from './config-text.ts';
import { EXIT, ExitError } from './exit-codes.ts';
import type { Io } from './output.ts';

export const DEFAULT_CONFIG = '/etc/edge-gateway/gateway.yaml';

/** The configuration file named by --config, $EDGE_GATEWAY_CONFIG or the default path, if any. */
export function configPath(file?: string): string | undefined {
  return file ?? process.env.EDGE_GATEWAY_CONFIG ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
}

/** The configuration named by --config, $EDGE_GATEWAY_CONFIG or the default path, if any. */
export function optionalConfig(io: Io, file?: string): Config | null {
  const path = configPath(file);
  if (!path) return null;
  try {
    return loadConfig(path);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(t('config.problems', { file: path, count: err.problems.length }));
      for (const p of err.problems) io.err(`  ${configProblem(p)}`);
      throw new ExitError(t('err.invalidConfig', { file: path }), EXIT.config);
    }
    throw err;
  }
}

/** Reads a password from a file (or '-' for standard input); passwords never go on the command line. */
export function readPasswordFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new ExitError(
      t('err.passwordFileRead', { file, code: (err as NodeJS.ErrnoException).code ?? 'error' }),
      EXIT.usage,
    );
  }
  const password = text.replace(/\r?\n$/, '');
  if (!password) throw new ExitError(t('err.passwordFileEmpty', { file }), EXIT.usage);
  registerSecret(password);
  return password;
}

export function credentialsFrom(
  opts: { username?: string; passwordFile?: string },
  fallback: { username?: string | undefined; password?: string | undefined } | undefined,
): { username: string; password: string } | null {
  if (opts.passwordFile && !opts.username && !fallback?.username) {
    throw new ExitError(t('err.passwordNeedsUser'), EXIT.usage);
  }
  if (opts.username) {
    const password = opts.passwordFile ? readPasswordFile(opts.passwordFile) : (fallback?.password ?? '');
    return { username: opts.username, password };
  }
  if (fallback?.username) return { username: fallback.username, password: fallback.password ?? '' };
  return null;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
