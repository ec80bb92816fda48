// Blank and factory-default passwords (QCVN 135:2024/BTTTT, Decision 724/QĐ-BTTTT). The rules that
// keep a camera safe: each credential at most once, at most two logins per camera in all, and not
// one login against a camera that has already rejected one in this run (no lock-out, ever).
import { defaultTries, knownIsDefault, MAX_DEFAULT_TRIES } from '../core/default-credentials.ts';
import type { DeviceReport } from '../core/device-report.ts';
import { tryLoginOnce } from '../onvif/login-check.ts';
import type { Credentials } from '../onvif/transport.ts';
import type { Diagnosis } from '../diagnose/ladder.ts';
import type { NotCheckedWhy, PasswordFinding } from '../report/model.ts';

export interface PasswordCheck {
  finding: PasswordFinding;
  /** The blank or default credentials the camera accepted, to finish reading it. Never reported. */
  accepted: Credentials | null;
}

const notChecked = (why: NotCheckedWhy, attempts = 0): PasswordCheck => ({
  finding: { status: 'not-checked', attempts, why },
  accepted: null,
});

/** Why the camera must not be tried, or null when it may be. */
export function mustNotTry(report: DeviceReport, diagnosis: Diagnosis | null): NotCheckedWhy | null {
  const e = report.error;
  if (e?.kind === 'locked') return 'locked';
  if (e?.kind === 'not-authorized') return 'login-rejected';
  if (e && (e.step === 'connect' || e.step === 'time'))
    return e.kind === 'not-onvif' || e.kind === 'malformed' ? 'not-onvif' : 'unreachable';
  if (e?.kind === 'timeout') return 'unreachable';
  // A login rejected by the RTSP server or the snapshot URL counts against the account too.
  for (const c of diagnosis?.checks ?? []) {
    if (c.hintKey === 'hint.rtsp.unauthorized') return 'login-rejected';
    if (c.id === 'snapshot' && c.status !== 'pass' && /\b401\b|unauthori[sz]ed/i.test(c.summary))
      return 'login-rejected';
    if (c.id === 'tcp' && c.status === 'fail') return 'unreachable';
  }
  return null;
}

export async function checkPasswords(
  report: DeviceReport,
  diagnosis: Diagnosis | null,
  known: Credentials | null,
  vendor: string | null,
  timeoutMs: number,
): Promise<PasswordCheck> {
  const why = mustNotTry(report, diagnosis);
  if (why) return notChecked(why);
  const loggedIn = report.error?.step !== 'auth' && report.auth !== null;
  if (loggedIn && report.auth === 'none')
    return { finding: { status: 'blank', attempts: 0, why: null }, accepted: null };
  if (loggedIn && known) {
    const kind = knownIsDefault(vendor, known);
    if (kind) return { finding: { status: kind, attempts: 0, why: null }, accepted: null };
  }
  let attempts = 0;
  for (const x of defaultTries(vendor, loggedIn ? known : null)) {
    if (attempts >= MAX_DEFAULT_TRIES) break;
    const outcome = await tryLoginOnce(
      report.onvifUrl,
      { username: x.username, password: x.password },
      timeoutMs,
    );
    if (outcome !== 'unreachable') attempts++;
    if (outcome === 'accepted')
      return {
        finding: { status: x.kind, attempts, why: null },
        accepted: { username: x.username, password: x.password },
      };
    if (outcome === 'locked') return notChecked('locked', attempts);
    if (outcome === 'error' || outcome === 'unreachable') return notChecked('unreachable', attempts);
  }
  return { finding: { status: 'not-default', attempts, why: null }, accepted: null };
}
