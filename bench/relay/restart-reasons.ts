// Why the daemon restarted an ffmpeg or reset a destination, from its log (pino JSON lines at
// warn): a run printed INVALID for restarts says what caused them (a camera, an ingest, a
// hung-server reset under overload) instead of leaving the reader to rerun with logs.

const MESSAGES = new Set([
  'ffmpeg failed',
  'destination stalled: resetting its connection',
  'destination down: ffmpeg reconnects it',
]);

/** Counts by message and reason, most frequent first, e.g. `3x ffmpeg failed: stalled (no progress)`. */
export function restartReasons(log: string, limit = 5): string[] {
  const counts = new Map<string, number>();
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    let rec: { msg?: string; reason?: unknown };
    try {
      rec = JSON.parse(line) as typeof rec;
    } catch {
      continue;
    }
    if (!rec.msg || !MESSAGES.has(rec.msg)) continue;
    const key = `${rec.msg}: ${typeof rec.reason === 'string' ? rec.reason.slice(0, 160) : '?'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([k, n]) => `${n}x ${k}`);
}
