// Discovery: WS-Discovery (multicast and unicast), a unicast scan of configured subnets and
// manual ONVIF addresses, then each device read end to end, a few at a time.
import type { Config } from '../config/schema.ts';
import { deviceMac, type DeviceReport } from '../core/device-report.ts';
import type { CameraSource } from '../core/inventory.ts';
import { hostsOf } from '../core/xaddr.ts';
import { Limiter } from './limiter.ts';
import { readArp } from './neighbours.ts';
import { probeDevice, type SnapshotRead } from './probe-device.ts';
import { scanHosts } from './scan.ts';
import type { Credentials } from './transport.ts';
import { wsDiscover, type IgnoredReply, type ProbeInterface } from './ws-discovery.ts';

export interface DiscoverOptions {
  interfaces: string[];
  subnets: string[];
  ports: number[];
  probeWindowMs: number;
  callTimeoutMs: number;
  maxInFlightPerCamera: number;
  multicastAddress: string;
  multicastPort: number;
  /** false skips multicast probes (only subnets and manual addresses are used). */
  multicast?: boolean;
  credentials: Credentials | null;
  /** Credentials of one device (a manual entry's own), else undefined for `credentials`. */
  credentialsFor?: (onvifUrl: string) => Credentials | null | undefined;
  manualOnvifUrls?: string[];
  /** false for a device whose account must not see a second try (the clock re-sync retry). Default true. */
  resyncOnReject?: (onvifUrl: string) => boolean;
  progress?: (event: DiscoverProgress) => void;
  /** Each device as soon as it is read, before slower ones finish (the daemon's inventory, survey). */
  onDevice?: (report: DeviceReport) => void;
  /** Default 'if-free': the snapshot URI only where it costs no round trip (probe-device.ts). */
  snapshot?: SnapshotRead;
  signal?: AbortSignal;
}

export type DiscoverProgress =
  | { phase: 'probe'; interfaces: number; seconds: number }
  | { phase: 'scan'; hosts: number; ports: number }
  | { phase: 'profile'; count: number }
  | { phase: 'device'; done: number; total: number; report: DeviceReport };

/** A device that answered a probe or a scan but is not usable as a camera. */
export interface IgnoredDevice extends IgnoredReply {
  port?: number;
}

export interface DiscoverResult {
  devices: DeviceReport[];
  ignored: IgnoredDevice[];
  interfaces: ProbeInterface[];
}

interface Target {
  urls: string[];
  endpointRef: string | null;
  source: CameraSource;
  scopes?: string[];
}

/** Devices read in parallel; each device itself gets at most maxInFlightPerCamera requests. */
const DEVICE_CONCURRENCY = 16;

export async function discover(opts: DiscoverOptions): Promise<DiscoverResult> {
  const subnetHosts = opts.subnets.flatMap(hostsOf);
  const limiter = new Limiter(DEVICE_CONCURRENCY);
  const reads: Promise<DeviceReport>[] = [];
  const covered = new Set<string>();
  const endpoints = new Set<string>();
  let done = 0;
  // Each device is read as soon as it is found, so reading overlaps the probe window.
  const read = (target: Target) => {
    target.urls.forEach((u) => covered.add(hostPort(u)));
    opts.progress?.({ phase: 'profile', count: reads.length + 1 });
    reads.push(
      limiter.run(async () => {
        const report = await probeTarget(target, opts);
        opts.progress?.({ phase: 'device', done: ++done, total: reads.length, report });
        opts.onDevice?.(report);
        return report;
      }),
    );
  };

  opts.progress?.({ phase: 'probe', interfaces: opts.interfaces.length, seconds: opts.probeWindowMs / 1000 });
  if (subnetHosts.length > 0)
    opts.progress?.({ phase: 'scan', hosts: subnetHosts.length, ports: opts.ports.length });
  const [ws, scan] = await Promise.all([
    wsDiscover({
      interfaces: opts.interfaces,
      windowMs: opts.probeWindowMs,
      multicastAddress: opts.multicastAddress,
      port: opts.multicastPort,
      unicastHosts: subnetHosts,
      multicast: opts.multicast !== false,
      // The same camera answers once per interface and per NIC: one endpoint, one device.
      onResponder: (r) => {
        if (opts.signal?.aborted || (r.endpoint && endpoints.has(r.endpoint))) return;
        if (r.endpoint) endpoints.add(r.endpoint);
        read({ urls: r.urls, endpointRef: r.endpoint || null, source: 'discovery', scopes: r.match.scopes });
      },
      ...(opts.signal ? { signal: opts.signal } : {}),
    }),
    scanHosts(subnetHosts, opts.ports, {
      callTimeoutMs: opts.callTimeoutMs,
      ...(opts.signal ? { signal: opts.signal } : {}),
    }),
  ]);
  // Scan hits and manual entries that WS-Discovery did not already cover.
  for (const hit of scan.hits) {
    if (!covered.has(`${hit.host}:${hit.port}`)) read({ urls: [hit.url], endpointRef: null, source: 'scan' });
  }
  for (const url of opts.manualOnvifUrls ?? []) {
    if (!covered.has(hostPort(url))) read({ urls: [url], endpointRef: null, source: 'manual' });
  }
  const devices = (await Promise.all(reads)).sort(
    (a, b) => compareAddress(a.address, b.address) || a.onvifUrl.localeCompare(b.onvifUrl),
  );
  return {
    devices,
    ignored: [...ws.ignored, ...scan.misses.map((m) => ({ source: m.host, port: m.port, reason: m.reason }))],
    interfaces: ws.interfaces,
  };
}

function compareAddress(a: string, b: string): number {
  const n = (ip: string) => ip.split('.').reduce((acc, o) => acc * 256 + (Number(o) || 0), 0);
  return n(a) - n(b);
}

/** Tries each candidate URL until one connects; later steps' failures are final. */
async function probeTarget(target: Target, opts: DiscoverOptions): Promise<DeviceReport> {
  let report: DeviceReport | null = null;
  for (const url of target.urls) {
    // null from credentialsFor means "send none" (a held account), undefined "the default ones".
    const own = opts.credentialsFor?.(url);
    report = await probeDevice(
      { onvifUrl: url, endpointRef: target.endpointRef, source: target.source },
      {
        credentials: own === undefined ? opts.credentials : own,
        resyncOnReject: opts.resyncOnReject?.(url) ?? true,
        timeoutMs: opts.callTimeoutMs,
        maxInFlight: opts.maxInFlightPerCamera,
        snapshot: opts.snapshot ?? 'if-free',
      },
    );
    const e = report.error;
    const unreachable = e && (e.step === 'connect' || (e.step === 'time' && e.kind === 'timeout'));
    if (!unreachable) break;
  }
  if (target.scopes) report!.scopes = target.scopes;
  // The kernel learnt the MAC while we talked to the device (same network only).
  report!.mac = deviceMac(report!, readArp());
  return report!;
}

function hostPort(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return url;
  }
}

/** Discovery options from the configuration; callers override what their flags say. */
export function discoverOptionsFrom(cfg: Config | null): DiscoverOptions {
  const d = cfg?.discovery;
  return {
    interfaces: d?.interfaces ?? [],
    subnets: d?.subnets ?? [],
    ports: d?.ports ?? [80, 8000, 8080, 8899, 2020, 8088],
    probeWindowMs: (d?.probeWindowSeconds ?? 3) * 1000,
    callTimeoutMs: (d?.callTimeoutSeconds ?? 6) * 1000,
    maxInFlightPerCamera: d?.maxInFlightPerCamera ?? 2,
    multicastAddress: d?.multicastAddress ?? '239.255.255.250',
    multicastPort: d?.multicastPort ?? 3702,
    credentials: d?.username ? { username: d.username, password: d.password ?? '' } : null,
    manualOnvifUrls: (cfg?.cameras ?? []).flatMap((c) => (c.onvif && c.enabled ? [c.onvif] : [])),
  };
}
