// bench:relay harness: cleanup of everything the bench starts, and small helpers.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

// ---------------------------------------------------------------------------------------------
// Cleanup: every process this bench starts is stopped on success, failure, Ctrl-C or SIGTERM.

export type Cleanup = () => unknown;
export const cleanups: Cleanup[] = [];
/** Synchronous undo steps that must run even on process.exit (the nftables black hole). */
export const exitUndo = new Set<() => void>();

export function onCleanup(fn: Cleanup): () => void {
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (e) {
      console.error(`cleanup failed: ${(e as Error).message}`);
    }
  }
  for (const undo of exitUndo) undo();
}

process.on('exit', () => {
  for (const undo of exitUndo) undo();
});
export let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (interrupted) process.exit(130); // second signal: process.ts's exit hook SIGKILLs the rest
    interrupted = true;
    console.error(`\n${sig}: stopping every process of the bench...`);
    void runCleanups().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
// Small helpers

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const now = () => performance.now();
export const MB = 1024 * 1024;
export const fmt = (n: number | null | undefined, digits = 1) =>
  n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);
export const median = (xs: number[]) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
export const log = (msg: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
    )
    .join('\n');
}

export function machine(): { cores: number; model: string; ffmpeg: string; node: string } {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  const ffmpeg = execFileSync('ffmpeg', ['-hide_banner', '-version']).toString().split('\n')[0]!.trim();
  return { cores: availableParallelism(), model, ffmpeg, node: process.version };
}
