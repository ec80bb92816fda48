// One camera of the report from what discover read, what the ladder saw and the password check.
import type { Check } from '../core/diagnosis.ts';
import { verdictOf } from '../core/diagnosis.ts';
import { deviceMac, type DeviceReport } from '../core/device-report.ts';
import { chooseProfile } from '../core/relay-plan.ts';
import { scopeValue } from '../core/scopes.ts';
import type { Diagnosis } from '../diagnose/ladder.ts';
import { msg, type CameraProblem, type PasswordFinding, type SurveyCamera } from '../report/model.ts';

/** The vendor before any login: GetDeviceInformation, else the WS-Discovery name scope. */
export function vendorOf(r: DeviceReport): string | null {
  return r.info?.manufacturer || scopeValue(r.scopes, 'name')?.split(' ')[0] || null;
}

function measuredOf(d: Diagnosis): SurveyCamera['measured'] {
  const m = d.measured;
  return m
    ? { codec: m.codec, width: m.width, height: m.height, fps: m.fps, bitrateKbps: m.bitrateKbps }
    : null;
}

function problemOf(c: Check): CameraProblem {
  const key = c.hintKey ?? 'hint.rtsp.other';
  return {
    step: c.id,
    status: c.status === 'warn' ? 'warn' : 'fail',
    reason: msg(`survey.reason.${key.replace(/^hint\./, '')}`),
    fix: msg(key, c.hintParams ?? {}),
    detail: c.summary,
  };
}

export function surveyCamera(
  id: string,
  report: DeviceReport,
  diagnosis: Diagnosis,
  password: PasswordFinding,
  arp: Map<string, string>,
): SurveyCamera {
  const checks = diagnosis.checks;
  const failed = checks.find((c) => c.status === 'fail');
  const step = (id: Check['id']) => checks.find((c) => c.id === id);
  const main = chooseProfile(report.profiles, 'main');
  const url = new URL(report.onvifUrl);
  const onvifAnswered = report.clockSkewSeconds !== null || report.info !== null || report.auth !== null;
  const rtsp = step('rtsp');
  return {
    id,
    address: report.address,
    port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
    source: report.source,
    mac: deviceMac(report, arp),
    manufacturer: vendorOf(report),
    model: report.info?.model || scopeValue(report.scopes, 'hardware'),
    firmware: report.info?.firmware || null,
    onvif: onvifAnswered
      ? true
      : report.error?.kind === 'not-onvif' || report.error?.kind === 'malformed'
        ? false
        : null,
    mediaVersion: report.mediaVersion,
    auth: report.auth,
    profiles: report.profiles
      .filter((p) => p.encoding !== null)
      .map((p) => ({
        token: p.token,
        name: p.name,
        encoding: p.encoding,
        width: p.width,
        height: p.height,
        fps: p.fps,
        bitrateKbps: p.bitrateKbps,
        main: p === main,
      })),
    measured: measuredOf(diagnosis),
    rtsp: !rtsp || rtsp.status === 'skip' ? 'not-tested' : rtsp.status === 'fail' ? 'failed' : 'ok',
    clockSkewSeconds: report.clockSkewSeconds,
    verdict: verdictOf(checks),
    problem: failed ? problemOf(failed) : null,
    warnings: checks.filter((c) => c.status === 'warn').map(problemOf),
    password,
  };
}

/** A configured camera with only an RTSP URL: what the ladder could check without ONVIF. */
export function rtspOnlyCamera(
  id: string,
  streamUri: string,
  diagnosis: Diagnosis,
  arp: Map<string, string>,
): SurveyCamera {
  const u = new URL(streamUri);
  const checks = diagnosis.checks;
  const failed = checks.find((c) => c.status === 'fail');
  const rtsp = checks.find((c) => c.id === 'rtsp');
  return {
    id,
    address: u.hostname,
    port: Number(u.port) || 554,
    source: 'manual',
    mac: arp.get(u.hostname) ?? null,
    manufacturer: null,
    model: null,
    firmware: null,
    onvif: null,
    mediaVersion: null,
    auth: null,
    profiles: [],
    measured: measuredOf(diagnosis),
    rtsp: !rtsp || rtsp.status === 'skip' ? 'not-tested' : rtsp.status === 'fail' ? 'failed' : 'ok',
    clockSkewSeconds: null,
    verdict: verdictOf(checks),
    problem: failed ? problemOf(failed) : null,
    warnings: checks.filter((c) => c.status === 'warn').map(problemOf),
    password: { status: 'not-checked', attempts: 0, why: 'no-onvif-address' },
  };
}
