// Entry of `npm run demo` (tsx scripts/demo/main.ts [options]); `edge-gateway demo` runs the same.
// Ctrl-C stops everything the demo started and removes its files; a second Ctrl-C ends at once.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { detectLang, setLang, t, type Lang } from '../../src/i18n/index.ts';
import { runDemo, type DemoOptions } from './demo.ts';

/** Options shared with `edge-gateway demo`: returns null on a usage error. */
export function demoOptions(v: {
  lang?: string | undefined;
  liveSeconds?: string | undefined;
  outageSeconds?: string | undefined;
  keepRunning?: boolean | undefined;
  manifest?: string | undefined;
}): Omit<DemoOptions, 'signal'> | null {
  const lang = (v.lang ?? detectLang(process.env.LC_ALL || process.env.LANG)) as Lang;
  const num = (s: string | undefined, def: number) => (s === undefined ? def : Number(s));
  const liveSeconds = num(v.liveSeconds, 20);
  const outageSeconds = num(v.outageSeconds, 40);
  const ok = (n: number) => Number.isFinite(n) && n >= 1 && n <= 3600;
  if (!['en', 'vi'].includes(lang) || !ok(liveSeconds) || !ok(outageSeconds)) return null;
  return { lang, liveSeconds, outageSeconds, keepRunning: v.keepRunning ?? false, manifest: v.manifest };
}

/** Runs the demo under this process's signals; resolves with the exit code. */
export async function runDemoProcess(opts: Omit<DemoOptions, 'signal'>): Promise<number> {
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(130); // exit hooks end the children and remove the files
    abort.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await runDemo({ ...opts, signal: abort.signal });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      lang: { type: 'string' },
      'live-seconds': { type: 'string' },
      'outage-seconds': { type: 'string' },
      'keep-running': { type: 'boolean' },
      manifest: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const opts = values.help
    ? null
    : demoOptions({
        lang: values.lang,
        liveSeconds: values['live-seconds'],
        outageSeconds: values['outage-seconds'],
        keepRunning: values['keep-running'],
        manifest: values.manifest,
      });
  if (!opts) {
    setLang(detectLang(values.lang ?? process.env.LC_ALL ?? process.env.LANG));
    process.stderr.write(t('demo.usage') + '\n');
    process.exitCode = values.help ? 0 : 64;
    return;
  }
  process.exitCode = await runDemoProcess(opts);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
