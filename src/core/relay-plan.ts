// Which stream of which camera goes where. Pure: the relay turns a plan into processes.
// Each camera stream is pulled once (cheap cameras allow few RTSP sessions) and fanned out.
import type { MediaProfile } from './camera.ts';

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

export interface RelayPlan {
  ingests: PlannedIngest[];
  uplinkKbps: number;
  warnings: string[];
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
  if (want === 'sub') return usable.length > 1 ? usable[usable.length - 1]! : usable[0]!;
  const fitting = usable.find((p) => capKbps === undefined || profileKbps(p) <= capKbps);
  return fitting ?? usable[usable.length - 1]!;
}

export function protocolOf(url: string): Protocol {
  return url.slice(0, url.indexOf(':')).toLowerCase() as Protocol;
}

export function fillTemplate(template: string, siteId: string, cameraId: string): string {
  return template
    .replaceAll('{siteId}', encodeURIComponent(siteId))
    .replaceAll('{cameraId}', encodeURIComponent(cameraId));
}

export function planRelay(
  cameras: PlanCamera[],
  destinations: PlanDestination[],
  siteId: string,
  uplinkKbps?: number,
  record = false,
): RelayPlan {
  const warnings: string[] = [];
  const pick = (cam: PlanCamera, d: PlanDestination, cap?: number) =>
    chooseProfile(
      cam.profiles,
      d.profile,
      d.transcode ? undefined : Math.min(cap ?? Infinity, d.maxKbps ?? Infinity),
    );
  const pairs = cameras.flatMap((cam) =>
    destinations
      .filter((d) => !d.cameras || d.cameras.includes(cam.id))
      .map((d) => ({ cam, d, profile: pick(cam, d) })),
  );
  const kbpsOf = (x: (typeof pairs)[number]) =>
    x.d.transcode ? x.d.transcode.bitrateKbps : x.profile ? profileKbps(x.profile) : 0;
  let total = pairs.reduce((n, x) => n + kbpsOf(x), 0);
  if (uplinkKbps !== undefined && total > uplinkKbps) {
    // Over budget: "auto" destinations step down to what fits their share, sub-stream at worst.
    const autos = pairs.filter((x) => x.d.profile === 'auto' && !x.d.transcode);
    const fixed = total - autos.reduce((n, x) => n + kbpsOf(x), 0);
    const share = autos.length > 0 ? Math.max(0, (uplinkKbps - fixed) / autos.length) : 0;
    for (const x of autos) x.profile = pick(x.cam, x.d, share);
    total = pairs.reduce((n, x) => n + kbpsOf(x), 0);
    if (total > uplinkKbps) {
      warnings.push(
        `the site needs ${total} kbit/s upstream but uplink.kbps is ${uplinkKbps}: use profile "auto" or "sub", or raise the budget`,
      );
    }
  }
  const ingests = new Map<string, PlannedIngest>();
  for (const x of pairs) {
    if (!x.profile) {
      warnings.push(`camera ${x.cam.id} has no usable stream for destination ${x.d.id}`);
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
    });
  }
  // Every relayed camera is recorded, from its main stream, whatever the destinations take.
  if (record) {
    for (const cam of cameras) {
      const main = chooseProfile(cam.profiles, 'main');
      if (!main) continue;
      const key = `${cam.id}|${main.token}`;
      if (!ingests.has(key)) ingests.set(key, newIngest(cam.id, main));
      ingests.get(key)!.record = true;
    }
  }
  return { ingests: [...ingests.values()], uplinkKbps: total, warnings };
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
