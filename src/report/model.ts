// The site survey report (khảo sát hiện trạng) as data: what was found, in no language. Sentences
// are catalogue keys with parameters, so one survey renders in Vietnamese or English alike.
// docs/survey/report.schema.json publishes the JSON form (the model plus each sentence's text).
import type { MediaProfile } from '../core/camera.ts';
import type { CheckId, CheckStatus } from '../core/diagnosis.ts';

export const REPORT_VERSION = 1;

/** A sentence from the catalogue: key and parameters (the text is added when rendered). */
export interface Msg {
  key: string;
  params: Record<string, string | number>;
}

export interface BoxInfo {
  hostname: string;
  /** Board or product name (Raspberry Pi 4 Model B Rev 1.4, a DMI product name), if the kernel says. */
  model: string | null;
  /** PRETTY_NAME of /etc/os-release. */
  os: string | null;
  kernel: string;
  arch: string;
  /** Free bytes where recordings go (recording.dir, or the working directory without configuration). */
  freeDiskBytes: number | null;
  diskPath: string;
  gatewayVersion: string;
}

export interface SurveyProfile extends Omit<MediaProfile, 'streamUri'> {
  /** The profile the relay would send with profile "main". */
  main: boolean;
}

export type PasswordStatus = 'blank' | 'default' | 'not-default' | 'not-checked';
export type NotCheckedWhy = 'login-rejected' | 'locked' | 'unreachable' | 'not-onvif' | 'no-onvif-address';

export interface PasswordFinding {
  status: PasswordStatus;
  /** Logins the check itself made on this camera (never more than 2). */
  attempts: number;
  why: NotCheckedWhy | null;
}

export interface CameraProblem {
  step: CheckId;
  status: Exclude<CheckStatus, 'pass' | 'skip'>;
  /** What is wrong, in plain words. */
  reason: Msg;
  /** What to do about it. */
  fix: Msg;
  /** The technical detail the device or the check gave (English, as the device said it). */
  detail: string;
}

export interface SurveyCamera {
  id: string;
  address: string;
  port: number | null;
  source: 'discovery' | 'scan' | 'manual';
  mac: string | null;
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  /** true: answers ONVIF; false: answers, but not ONVIF; null: not known (unreachable, RTSP only). */
  onvif: boolean | null;
  mediaVersion: 1 | 2 | null;
  auth: 'ws-security' | 'http-digest' | 'none' | null;
  profiles: SurveyProfile[];
  /** What ffprobe measured on the main stream. */
  measured: {
    codec: string | null;
    width: number | null;
    height: number | null;
    fps: number | null;
    bitrateKbps: number | null;
  } | null;
  rtsp: 'ok' | 'failed' | 'not-tested';
  clockSkewSeconds: number | null;
  verdict: 'pass' | 'warn' | 'fail';
  /** The first failing step: why the camera cannot be connected. */
  problem: CameraProblem | null;
  warnings: CameraProblem[];
  password: PasswordFinding;
}

export interface DestinationNeed {
  id: string;
  protocol: string;
  profile: 'main' | 'sub' | 'auto';
  cameras: number;
  kbps: number;
  /** What the same cameras need on their smallest profile. */
  subKbps: number;
}

export interface UplinkSection {
  configuredKbps: number | null;
  neededKbps: number;
  /** null when no uplink is configured. */
  fits: boolean | null;
  destinations: DestinationNeed[];
}

export interface SurveyReport {
  version: typeof REPORT_VERSION;
  site: { id: string | null; name: string | null };
  /** ISO 8601, when the survey ran. */
  date: string;
  technician: string | null;
  box: BoxInfo;
  cameras: SurveyCamera[];
  /** Devices that answered a probe or scan but are not cameras. */
  ignored: { address: string; reason: string }[];
  uplink: UplinkSection;
  recommendations: Msg[];
}

export const msg = (key: string, params: Msg['params'] = {}): Msg => ({ key, params });
