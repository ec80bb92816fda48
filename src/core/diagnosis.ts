// The diagnose ladder's result model. Pure.
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export type CheckId = 'tcp' | 'time' | 'auth' | 'profiles' | 'stream-uri' | 'rtsp' | 'keyframe' | 'snapshot';

export const CHECK_ORDER: readonly CheckId[] = [
  'tcp',
  'time',
  'auth',
  'profiles',
  'stream-uri',
  'rtsp',
  'keyframe',
  'snapshot',
];

export interface Check {
  id: CheckId;
  status: CheckStatus;
  summary: string;
  hint: string | null;
}

export type Verdict = 'pass' | 'warn' | 'fail';

export function verdictOf(checks: Check[]): Verdict {
  if (checks.some((c) => c.status === 'fail')) return 'fail';
  if (checks.some((c) => c.status === 'warn')) return 'warn';
  return 'pass';
}

/** Clock skew beyond which recordings carry visibly wrong times. */
export const SKEW_WARN_SECONDS = 10;

export function formatDuration(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  if (s < 63072000) return `${Math.round(s / 86400)} days`;
  return `${Math.round(s / 31536000)} years`;
}
