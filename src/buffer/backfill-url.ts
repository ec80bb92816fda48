// The receiver's URL and headers for one segment (docs/backfill.md). Pure.

/** ISO-8601 basic format in UTC with milliseconds, safe in file names and URLs: 20261122T044700.000Z */
export function compactIso(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '');
}

export function backfillUrl(template: string, v: { siteId: string; cameraId: string; startMs: number }): URL {
  const url = template
    .replaceAll('{siteId}', encodeURIComponent(v.siteId))
    .replaceAll('{cameraId}', encodeURIComponent(v.cameraId))
    .replaceAll('{start}', encodeURIComponent(compactIso(v.startMs)));
  return new URL(url);
}

export interface SegmentHeaderInput {
  siteId: string;
  cameraId: string;
  startMs: number;
  endMs: number;
  bytes: number;
  sha256: string;
  token?: string | undefined;
}

export function backfillHeaders(s: SegmentHeaderInput): Record<string, string> {
  return {
    'Content-Type': 'video/mp2t',
    'Content-Length': String(s.bytes),
    'X-Content-SHA256': s.sha256,
    'X-Segment-Start': new Date(s.startMs).toISOString(),
    'X-Segment-End': new Date(s.endMs).toISOString(),
    'X-Camera-Id': s.cameraId,
    'X-Site-Id': s.siteId,
    ...(s.token ? { Authorization: `Bearer ${s.token}` } : {}),
  };
}

/**
 * Whose fault a failed upload is. "segment": the receiver refused this segment's content (bad
 * request, conflict, too large, wrong type, hash mismatch), so the pair moves on and this one is
 * retried later. "destination": anything else (network, timeout, 5xx, auth, rate limiting), so the
 * pair waits and retries the same segment, keeping its order.
 */
export function failureScope(status: number | null): 'segment' | 'destination' {
  return status !== null && [400, 409, 413, 415, 422].includes(status) ? 'segment' : 'destination';
}
