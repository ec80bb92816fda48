// Output for technicians and machines. Everything printed passes the secret scrubber.
import { t, type MessageKey } from '../i18n/index.ts';
import { scrubText, scrubValue } from '../log/secrets.ts';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Progress lines, shown only when stderr is a terminal. */
  progress: (text: string) => void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(scrubText(text) + '\n'),
  err: (text) => process.stderr.write(scrubText(text) + '\n'),
  progress: (text) => {
    if (process.stderr.isTTY) process.stderr.write(scrubText(text) + '\n');
  },
};

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(scrubValue(value), null, 2));
}

/** A plain text table, headers from the catalogue; columns sized to their widest cell. */
export function table(
  headerKeys: readonly MessageKey[],
  rows: (string | number | null | undefined)[][],
): string {
  const headers = headerKeys.map((k) => t(k));
  const cells = [
    headers,
    ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c)))),
  ];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (c ?? '').padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
