// A simulated camera site: startSite() brings up cameras that behave like the captured vendors, in
// loopback mode (default, no root needed) or in network namespaces (root; real multicast on port 3702).
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { loopbackPlan, netnsPlan, pickDiscoveryPort } from './addresses.ts';
import { LocalCamera } from './camera.ts';
import { createSiteNetwork } from './netns.ts';
import type { SiteNetwork } from './netns.ts';
import { PERSONALITIES } from './personalities.ts';
import { RemoteCamera } from './remote-camera.ts';
import type { SimCamera, SimCameraSpec, SimSite } from './types.ts';

export type {
  Behaviour,
  CallFailure,
  Personality,
  SimCamera,
  SimCameraSpec,
  SimProfileInfo,
  SimSite,
} from './types.ts';

export const WS_DISCOVERY_PORT = 3702;

/** netns mode: the gateway namespace's interface on the camera bridge (what --interface takes). */
export function gwInterface(site: SimSite): string {
  const out = execFileSync('ip', ['-n', site.gwNamespace!, '-o', '-4', 'addr', 'show']).toString();
  const name = out
    .split('\n')
    .map((l) => l.split(/\s+/)[1])
    .find((n) => n && n !== 'lo');
  if (!name) throw new Error(`no interface in namespace ${site.gwNamespace}`);
  return name;
}
export const WS_DISCOVERY_GROUP = '239.255.255.250';

/** Addresses, ports and URLs are read live: moveTo() changes them. */
function localSimCamera(spec: SimCameraSpec, cam: LocalCamera, nextHost: () => string): SimCamera {
  const i = () => cam.info();
  return {
    spec,
    get host() {
      return i().host;
    },
    get onvifPort() {
      return i().onvifPort;
    },
    get onvifUrl() {
      return i().onvifUrl;
    },
    endpointRef: i().endpointRef,
    serial: i().serial,
    mac: i().mac,
    profiles: i().profiles,
    get snapshotUrl() {
      return i().snapshotUrl;
    },
    get rtspPort() {
      return i().rtspPort;
    },
    rtspUrl: (kind) => `rtsp://${i().host}:${i().rtspPort}${i().rtspPath[kind]}`,
    failedLogins: () => cam.auth.failed,
    locked: () => cam.auth.locked,
    setClockSkew: (seconds) => cam.model.setClockSkew(seconds),
    unlock: () => cam.auth.unlock(),
    sync: () => Promise.resolve(),
    stopRtsp: () => cam.stopRtsp(),
    startRtsp: () => cam.startRtsp(),
    setDiscoverable: (on) => cam.setDiscoverable(on),
    moveTo: async () => {
      const host = nextHost();
      await cam.moveTo(host);
      return host;
    },
    failCall: (action, how) => {
      if (how) cam.model.failing.set(action, how);
      else cam.model.failing.delete(action);
    },
    requests: () => [...cam.model.rounds.requests],
  };
}

function validate(specs: SimCameraSpec[]): void {
  const ids = new Set<string>();
  for (const s of specs) {
    if (!/^[A-Za-z0-9._-]+$/.test(s.id))
      throw new Error(`camera id ${JSON.stringify(s.id)}: use [A-Za-z0-9._-]`);
    if (ids.has(s.id)) throw new Error(`duplicate camera id ${s.id}`);
    if (!(s.personality in PERSONALITIES)) throw new Error(`unknown personality ${String(s.personality)}`);
    if ((s.codec ?? 'h264') !== 'h264' && !(s.media2 ?? PERSONALITIES[s.personality].defaultMedia2))
      throw new Error(`camera ${s.id}: an H.265-only camera needs media2 (Media1 cannot describe H.265)`);
    ids.add(s.id);
  }
}

/** Start all, and if any fails close the ones that did start and rethrow the first error. */
async function startAll<T extends { close(): Promise<void> }>(starts: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(starts);
  const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled(ok.map((c) => c.close()));
    throw failed.reason;
  }
  return ok;
}

async function startLoopback(specs: SimCameraSpec[]): Promise<SimSite> {
  const plan = await loopbackPlan(specs.length);
  const hosts = specs.map((_, i) => plan.cameraHost(i));
  const siteTag = randomInt(0, 0x10000);
  let cams: LocalCamera[];
  let discoveryPort: number;
  try {
    discoveryPort = await pickDiscoveryPort(hosts);
    cams = await startAll(
      specs.map(async (spec, index) => {
        const cam = new LocalCamera(spec, {
          mode: 'loopback',
          host: hosts[index] ?? '',
          onvifPort: 0,
          rtspPort: 0,
          discoveryPort,
          discoveryGroup: plan.group,
          wrongHost: plan.wrongHost,
          wrongLoopback: plan.wrongLoopback,
          index,
          siteTag,
        });
        await cam.start();
        return cam;
      }),
    );
  } catch (e) {
    await plan.release();
    throw e;
  }
  const stopAll = async () => {
    await Promise.allSettled(cams.map((c) => c.close()));
    await plan.release();
  };
  let stopping: Promise<void> | undefined;
  // Moved cameras take the block's addresses after the site's own, never one another camera holds.
  let moved = specs.length;
  const nextHost = () => plan.cameraHost(moved++);
  return {
    mode: 'loopback',
    cameras: cams.map((c, i) => localSimCamera(specs[i] as SimCameraSpec, c, nextHost)),
    discoveryPort,
    discoveryGroup: plan.group,
    stop: () => (stopping ??= stopAll()),
  };
}

async function startNetns(specs: SimCameraSpec[]): Promise<SimSite> {
  if (process.getuid?.() !== 0) throw new Error('netns mode needs root (ip netns)');
  const plan = netnsPlan(specs.length);
  const net: SiteNetwork = await createSiteNetwork({ ...plan, count: specs.length });
  const siteTag = randomInt(0, 0x10000);
  let cams: RemoteCamera[];
  try {
    cams = await startAll(
      specs.map((spec, index) =>
        RemoteCamera.start(net.cameras[index] ?? '', spec, {
          mode: 'netns',
          host: plan.cameraHost(index),
          onvifPort: PERSONALITIES[spec.personality].netnsOnvifPort,
          rtspPort: 554,
          discoveryPort: WS_DISCOVERY_PORT,
          discoveryGroup: WS_DISCOVERY_GROUP,
          wrongHost: plan.wrongHost,
          wrongLoopback: plan.wrongLoopback,
          index,
          siteTag,
        }),
      ),
    );
  } catch (e) {
    await net.destroy();
    throw e;
  }
  let stopping: Promise<void> | undefined;
  return {
    mode: 'netns',
    cameras: cams.map((c) => c.toSimCamera()),
    discoveryPort: WS_DISCOVERY_PORT,
    discoveryGroup: WS_DISCOVERY_GROUP,
    gwNamespace: net.gw,
    gwAddress: plan.gw,
    stop: () => (stopping ??= Promise.allSettled(cams.map((c) => c.close())).then(() => net.destroy())),
  };
}

export async function startSite(opts: {
  cameras: SimCameraSpec[];
  mode?: 'loopback' | 'netns';
}): Promise<SimSite> {
  validate(opts.cameras);
  return opts.mode === 'netns' ? startNetns(opts.cameras) : startLoopback(opts.cameras);
}
