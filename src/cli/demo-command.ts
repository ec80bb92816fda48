// `edge-gateway demo`: runs scripts/demo (the simulated site, the central side and this gateway,
// all on loopback) from a checkout of the repository. An installed package ships without test/,
// where the simulated site lives, and says so.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { t } from '../i18n/index.ts';
import { ExitError, EXIT } from './exit-codes.ts';

interface DemoModule {
  demoOptions(v: Record<string, string | boolean | undefined>): object | null;
  runDemoProcess(opts: object): Promise<number>;
}

/** scripts/demo/main.ts of the checkout this code runs from (src/cli, or dist/ for the bundle). */
export function findDemo(from = fileURLToPath(import.meta.url)): string | null {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const entry = join(dir, 'scripts', 'demo', 'main.ts');
    if (existsSync(entry) && existsSync(join(dir, 'test', 'sim', 'site.ts'))) return entry;
    if (dirname(dir) === dir) return null;
  }
}

/** Imports TypeScript: bin/edge-gateway.js runs under tsx already; the bundle registers it first. */
async function importDemo(entry: string): Promise<DemoModule> {
  const url = pathToFileURL(entry).href;
  try {
    return (await import(url)) as DemoModule;
  } catch {
    // Plain node cannot load .ts (ERR_UNKNOWN_FILE_EXTENSION, or a syntax error on older Nodes).
    const { register } = await import('tsx/esm/api');
    register();
    // A failed import stays in the module map: ask again under another URL.
    return (await import(`${url}?tsx`)) as DemoModule;
  }
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(t('demo.cli.description'))
    .option('--live-seconds <n>', t('demo.cli.liveSeconds'))
    .option('--outage-seconds <n>', t('demo.cli.outageSeconds'))
    .option('--keep-running', t('demo.cli.keepRunning'))
    .option('--manifest <file>', t('demo.cli.manifest'))
    .action(
      async (
        flags: { liveSeconds?: string; outageSeconds?: string; keepRunning?: boolean; manifest?: string },
        cmd: Command,
      ) => {
        const entry = findDemo();
        if (!entry) throw new ExitError(t('demo.noCheckout'), EXIT.unavailable);
        const demo = await importDemo(entry);
        const opts = demo.demoOptions({ ...flags, lang: cmd.optsWithGlobals<{ lang?: string }>().lang });
        if (!opts) throw new ExitError(t('demo.usage'), EXIT.usage);
        process.exitCode = await demo.runDemoProcess(opts);
      },
    );
}
