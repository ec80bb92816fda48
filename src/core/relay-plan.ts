// Which stream of which camera goes where. Pure: the relay turns a plan into processes.
// Each camera stream is pulled once (cheap cameras allow few RTSP sessions) and fanned out.
import type { MediaProfile } from './camera.ts';
import { carries, type CodecMismatch, type Muxers } from './codec-fit.ts';

export type Protocol = 'rtsp' | 'rtsps' | 'rtmp' | 'rtmps' | 'srt';

export interface PlanCamera {
  id: string;
  /** Video profiles with stream URIs (credentials never inside). */
  profiles: MediaProfile[];
}

export interface PlanDestination {
  id: string;
  url: string;
  profile: 'main' | 'sub' | 'auto';
  maxKbps?: number | undefined;
  cameras?: string[] | undefined;
  audio: boolean;
  /** rtsps and rtmps: verify the server's certificate (default on), against this CA file if given. */
  tlsVerify?: boolean | undefined;
  caFile?: string | undefined;
  transcode?:
    | {
        codec: 'h264';
        bitrateKbps: number;
        width?: number | undefined;
        height?: number | undefined;
        fps?: number | undefined;
      }
    | undefined;
}

export interface PlannedOutput {
  destinationId: string;
  url: string;
  protocol: Protocol;
  audio: boolean;
  transcode: PlanDestination['transcode'] | null;
  kbps: number;
  /** For rtsps and rtmps: whether the server's certificate is verified, and the CA file; else null. */
  tls: { verify: boolean; caFile: string | null } | null;
}

export interface PlannedIngest {
  cameraId: string;
  profileToken: string;
  streamUri: string;
  kbps: number;
  outputs: PlannedOutput[];
  /** This stream (the camera's main one) is also recorded to local segments. */
  record: boolean;
}

/** A destination that gets nothing from a camera, and why (it is in no ingest: never retried). */
export interface UnsentOutput {
  cameraId: string;
  destinationId: string;
  reason: CodecMismatch;
}

export interface RelayPlan {
  ingests: PlannedIngest[];
  uplinkKbps: number;
  warnings: string[];
  unsent: UnsentOutput[];
}

/** Bitrate of a profile, estimated from its size when the camera did not say. */
export function profileKbps(p: MediaProfile): number {
  if (p.bitrateKbps && p.bitrateKbps > 0) return p.bitrateKbps;
  const pixels = (p.width ?? 1280) * (p.height ?? 720);
  return Math.max(256, Math.round((pixels / (1920 * 1080)) * 4000));
}

const area = (p: MediaProfile) => (p.width ?? 0) * (p.height ?? 0);

export function chooseProfile(
  profiles: MediaProfile[],
  want: 'main' | 'sub' | 'auto',
  capKbps?: number,
): MediaProfile | null {
  const usable = profiles.filter((p) => p.encoding !== null && p.streamUri !== null);
  // Largest first; on equal size, H.264 before H.265 (more platforms take it).
  usable.sort((a, b) => area(b) - area(a) || Number(a.encoding !== 'H264') - Number(b.encoding !== 'H264'));
  if (usable.length === 0) return null;
  if (want === 'main') return usable[0]!;
  if (want === 'sub') {
    // The smallest; on equal size, H.264 first again.
    const least = area(usable[usable.length - 1]!);
    return usable.find((p) => area(p) === least)!;
  }
  const fitting = usable.find((p) => capKbps === undefined || profileKbps(p) <= capKbps);
  return fitting ?? usable[usable.length - 1]!;
}

function tlsOf(d: PlanDestination): PlannedOutput['tls'] {
  const p = protocolOf(d.url);
  if (p !== 'rtsps' && p !== 'rtmps') return null;
  return { verify: d.tlsVerify ?? true, caFile: d.caFile ?? null };
}

export function protocolOf(url: string): Protocol {
  return url.slice(0, url.indexOf(':')).toLowerCase() as Protocol;
}

export function fillTemplate(template: string, siteId: string, cameraId: string): string {
  return template
    .replaceAll('{siteId}', encodeURIComponent(siteId))
    .replaceAll('{cameraId}', encodeURIComponent(cameraId));
}

/**
 * `muxers` (what the installed ffmpeg writes) turns on the codec check: a stream-copied
 * destination takes only a profile its container carries (codec-fit.ts). Without it, any codec
 * goes anywhere (the survey's uplink estimate, which knows no ffmpeg).
 */
export function planRelay(
  cameras: PlanCamera[],
  destinations: PlanDestination[],
  siteId: string,
  uplinkKbps?: number,
  record = false,
  muxers?: Muxers,
): RelayPlan {
  const warnings: string[] = [];
  // A transcoder takes any codec; a stream copy only what the destination's container carries.
  const fitting = (cam: PlanCamera, d: PlanDestination) =>
    !muxers || d.transcode
      ? cam.profiles
      : cam.profiles.filter((p) => carries(protocolOf(d.url), p.encoding, muxers));
  const capOf = (d: PlanDestination, share?: number) =>
    d.transcode ? undefined : Math.min(share ?? Infinity, d.maxKbps ?? Infinity);
  const pairs = cameras.flatMap((cam) =>
    destinations
      .filter((d) => !d.cameras || d.cameras.includes(cam.id))
      .map((d) => ({ cam, d, share: undefined as number | undefined, profile: null as MediaProfile | null })),
  );
  type Pair = (typeof pairs)[number];
  const pick = (x: Pair) =>
    (x.profile = chooseProfile(fitting(x.cam, x.d), x.d.profile, capOf(x.d, x.share)));
  /** What the destination would take if every codec fitted. */
  const unchecked = (x: Pair) => chooseProfile(x.cam.profiles, x.d.profile, capOf(x.d, x.share));
  for (const x of pairs) pick(x);
  let moved = followMoves(pairs, unchecked, fitting);
  const kbpsOf = (x: Pair) =>
    x.d.transcode ? x.d.transcode.bitrateKbps : x.profile ? profileKbps(x.profile) : 0;
  let total = pairs.reduce((n, x) => n + kbpsOf(x), 0);
  if (uplinkKbps !== undefined && total > uplinkKbps) {
    // Over budget: "auto" destinations step down to what fits their share, sub-stream at worst.
    const autos = pairs.filter((x) => x.d.profile === 'auto' && !x.d.transcode);
    const fixed = total - autos.reduce((n, x) => n + kbpsOf(x), 0);
    const share = autos.length > 0 ? Math.max(0, (uplinkKbps - fixed) / autos.length) : 0;
    for (const x of autos) {
      x.share = share;
      pick(x);
    }
    moved = followMoves(pairs, unchecked, fitting);
    total = pairs.reduce((n, x) => n + kbpsOf(x), 0);
    if (total > uplinkKbps) {
      warnings.push(
        `the site needs ${total} kbit/s upstream but uplink.kbps is ${uplinkKbps}: use profile "auto" or "sub", or raise the budget`,
      );
    }
  }
  const ingests = new Map<string, PlannedIngest>();
  const unsent: UnsentOutput[] = [];
  for (const x of pairs) {
    if (!x.profile) {
      const wanted = unchecked(x);
      if (wanted && muxers)
        unsent.push({
          cameraId: x.cam.id,
          destinationId: x.d.id,
          reason: {
            code: 'codec-container',
            codec: wanted.encoding ?? '?',
            protocol: protocolOf(x.d.url),
            ffmpeg: muxers.ffmpeg,
          },
        });
      else warnings.push(`camera ${x.cam.id} has no usable stream for destination ${x.d.id}`);
      continue;
    }
    const key = `${x.cam.id}|${x.profile.token}`;
    let ingest = ingests.get(key);
    if (!ingest) {
      ingest = newIngest(x.cam.id, x.profile);
      ingests.set(key, ingest);
    }
    if (x.d.transcode)
      warnings.push(`destination ${x.d.id} transcodes camera ${x.cam.id}: about ten times the CPU of a copy`);
    ingest.outputs.push({
      destinationId: x.d.id,
      url: fillTemplate(x.d.url, siteId, x.cam.id),
      protocol: protocolOf(x.d.url),
      audio: x.d.audio,
      transcode: x.d.transcode ?? null,
      kbps: kbpsOf(x),
      tls: tlsOf(x.d),
    });
  }
  // Every relayed camera is recorded, from its main stream whatever the destinations take, unless
  // that stream moved for a destination's codec: then from the one pull the camera has.
  if (record) {
    for (const cam of cameras) {
      const main = chooseProfile(cam.profiles, 'main');
      if (!main) continue;
      const p = moved.get(`${cam.id}|${main.token}`) ?? main;
      const key = `${cam.id}|${p.token}`;
      if (!ingests.has(key)) ingests.set(key, newIngest(cam.id, p));
      ingests.get(key)!.record = true;
    }
  }
  return { ingests: [...ingests.values()], uplinkKbps: total, warnings, unsent };
}

/**
 * One pull per camera (cheap cameras allow few RTSP sessions): when a destination had to leave the
 * profile it would have taken for one its container carries (an H.265 main stream to RTMP moved to
 * the H.264 sub-stream), the camera's other destinations on that profile move with it, and so does
 * its recording (planRelay). Returns the moves, by camera|token left.
 */
function followMoves<P extends { cam: PlanCamera; d: PlanDestination; profile: MediaProfile | null }>(
  pairs: P[],
  unchecked: (x: P) => MediaProfile | null,
  fitting: (cam: PlanCamera, d: PlanDestination) => MediaProfile[],
): Map<string, MediaProfile> {
  const moved = new Map<string, MediaProfile>();
  for (const x of pairs) {
    const wanted = unchecked(x);
    const key = `${x.cam.id}|${wanted?.token}`;
    if (wanted && x.profile && wanted.token !== x.profile.token && !moved.has(key)) moved.set(key, x.profile);
  }
  for (const x of pairs) {
    const to = x.profile ? moved.get(`${x.cam.id}|${x.profile.token}`) : undefined;
    if (to && fitting(x.cam, x.d).includes(to)) x.profile = to;
  }
  return moved;
}

function newIngest(cameraId: string, p: MediaProfile): PlannedIngest {
  return {
    cameraId,
    profileToken: p.token,
    streamUri: p.streamUri!,
    kbps: profileKbps(p),
    outputs: [],
    record: false,
  };
}
