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
  /** The catalogue key and parameters of the hint, so a report can say it in another language. */
  hintKey?: string | null;
  hintParams?: Record<string, string | number>;
}

export type Verdict = 'pass' | 'warn' | 'fail';

export function verdictOf(checks: Check[]): Verdict {
  if (checks.some((c) => c.status === 'fail')) return 'fail';
  if (checks.some((c) => c.status === 'warn')) return 'warn';
  return 'pass';
}

/** Clock skew beyond which recordings carry visibly wrong times. */
export const SKEW_WARN_SECONDS = 10;

export type DurationUnit = 's' | 'min' | 'h' | 'days' | 'years';

/** A duration rounded to the unit a person would say it in (sign dropped). */
export function durationParts(seconds: number): { n: number; unit: DurationUnit } {
  const s = Math.abs(Math.round(seconds));
  if (s < 120) return { n: s, unit: 's' };
  if (s < 7200) return { n: Math.round(s / 60), unit: 'min' };
  if (s < 172800) return { n: Math.round(s / 3600), unit: 'h' };
  if (s < 63072000) return { n: Math.round(s / 86400), unit: 'days' };
  return { n: Math.round(s / 31536000), unit: 'years' };
}

export function formatDuration(seconds: number): string {
  const { n, unit } = durationParts(seconds);
  return `${n} ${unit}`;
}
