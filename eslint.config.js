// Lint rules that catch what bites a long-running daemon: floating and misused promises above all,
// and the house's import rules (src/*/README.md): each library has its one importer, the core
// imports no I/O, and nothing but the process shell and the CLI imports the composition root.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Each library (or I/O builtin) and the only places that may import it. */
const OWNERS = {
  'better-sqlite3': ['store'],
  mqtt: ['telemetry'],
  'node-cron': ['schedule'],
  // service/notify.ts runs systemd-notify: Node cannot write to the notification socket itself.
  child_process: ['relay', 'service/notify.ts'],
  // Builds and spawns every ffmpeg of the relay (its ffmpeg path is the launcher beside it).
  'fluent-ffmpeg': ['relay/ffmpeg-process.ts'],
  onvif: ['onvif'],
  // relay/udp-ports.ts finds free loopback ports for the UDP taps by binding them.
  dgram: ['onvif', 'relay/udp-ports.ts'],
  systeminformation: ['health'],
  'fast-xml-parser': ['onvif'],
  pino: ['log'],
  yaml: ['config'],
  commander: ['cli'],
};
const BUILTINS = new Set(['child_process', 'dgram']);
/** Every folder of src/, so a new one gets the rules too. */
const FOLDERS = readdirSync(join(import.meta.dirname, 'src'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
/** Folders that may import src/app (the composition root). */
const APP_IMPORTERS = new Set(['app', 'cli']);

function restrictions(place) {
  const folder = place.split('/')[0];
  const paths = [];
  const deep = [];
  for (const [lib, owners] of Object.entries(OWNERS)) {
    if (owners.includes(place) || owners.includes(folder)) continue;
    const message = `only src/${owners.join(', src/')} may import ${lib}`;
    for (const name of BUILTINS.has(lib) ? [lib, `node:${lib}`] : [lib]) paths.push({ name, message });
    // A deep import (`lib/sub/file.js`) is the library too.
    if (!BUILTINS.has(lib)) deep.push({ group: [`${lib}/*`], message });
  }
  const patterns = [...deep];
  if (!APP_IMPORTERS.has(folder))
    patterns.push({ group: ['**/app/*'], message: 'nothing but src/main.ts and src/cli imports src/app' });
  if (folder === 'core') {
    patterns.push({ group: ['node:*'], message: 'src/core is pure: no I/O module' });
    patterns.push({
      group: FOLDERS.filter((f) => !['core', 'log', 'config', 'i18n'].includes(f)).map((f) => `../${f}/*`),
      message: 'src/core is pure: it imports only core, and types from log and config',
    });
  }
  return ['error', { paths, patterns }];
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**', 'bin/**', '.tmp/**', 'dist/**', 'release/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
    },
  },
  // Later entries win for the files they match: the file exception comes after its folder.
  ...FOLDERS.map((f) => ({
    files: [`src/${f}/**/*.ts`],
    rules: { 'no-restricted-imports': restrictions(f) },
  })),
  {
    files: ['src/relay/udp-ports.ts'],
    rules: { 'no-restricted-imports': restrictions('relay/udp-ports.ts') },
  },
  {
    files: ['src/relay/ffmpeg-process.ts'],
    rules: { 'no-restricted-imports': restrictions('relay/ffmpeg-process.ts') },
  },
  {
    files: ['src/service/notify.ts'],
    rules: { 'no-restricted-imports': restrictions('service/notify.ts') },
  },
  {
    files: ['eslint.config.js', 'test/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
