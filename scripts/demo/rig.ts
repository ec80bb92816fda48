// Everything around the gateway in the demo, all on loopback and without root: the simulated site
// (cameras with different personalities), the central side (an RTSP and an RTMP ingest, a backfill
// receiver per destination, a broker) and the uplink between them that the demo cuts.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startReceiver, type Receiver } from '../backfill-receiver.ts';
import { startRtmpIngest, startRtspIngest, type Ingest } from '../../test/ingest/index.ts';
import { startSite, type SimCameraSpec, type SimSite } from '../../test/sim/site.ts';
import { Broker } from '../../test/telemetry/broker.ts';
import { startUplink, type Uplink } from './uplink.ts';

export const CAMERA_PASSWORD = 'Demo-Secret-7';

/** The site: two good cameras, one with a password the gateway does not know, one H.265-only. */
export const SITE_CAMERAS: SimCameraSpec[] = [
  { id: 'gate', personality: 'hikvision', password: CAMERA_PASSWORD },
  { id: 'ward', personality: 'dahua', password: CAMERA_PASSWORD },
  // Someone changed it on the camera; a Dahua locks the account after 5 failures.
  { id: 'store-room', personality: 'dahua', password: 'changed-by-someone' },
  { id: 'yard', personality: 'hikvision', password: CAMERA_PASSWORD, codec: 'h265' },
];

export interface Rig {
  site: SimSite;
  /** A camera on the site's list that is powered off: its ONVIF URL, where nothing answers. */
  offlineOnvifUrl: string;
  rtsp: Ingest;
  rtmp: Ingest;
  receivers: { national: Receiver; province: Receiver };
  broker: Broker;
  uplink: Uplink;
  /** Every port the rig listens on (for the summary and the tests). */
  ports(): number[];
  stop(): Promise<void>;
}

/** Starts the rig in dir; on a failure stops what did start and rethrows. */
export async function startRig(dir: string): Promise<Rig> {
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    const all = stops.splice(0).reverse();
    for (const s of all) await s().catch(() => undefined);
  };
  try {
    const received = join(dir, 'central', 'backfill');
    mkdirSync(received, { recursive: true });
    const quiet = { print: () => undefined };
    // Started side by side; whatever started is stopped even when another part failed.
    const started = async <T>(p: Promise<T>, stopIt: (v: T) => Promise<unknown>): Promise<T> => {
      const v = await p;
      stops.push(() => stopIt(v));
      return v;
    };
    const broker = await Broker.create();
    stops.push(() => broker.dispose());
    const parts = await Promise.allSettled([
      started(startSite({ cameras: SITE_CAMERAS }), (s) => s.stop()),
      started(startRtspIngest({ dir: join(dir, 'central', 'rtsp') }), (i) => i.stop()),
      // A publisher black-holed by the cut must not keep its stream name for a minute after it.
      started(startRtmpIngest({ dir: join(dir, 'central', 'rtmp'), dropIdlePublisherSeconds: 10 }), (i) =>
        i.stop(),
      ),
      started(startReceiver({ dir: join(received, 'national'), ...quiet }), (r) => r.close()),
      started(startReceiver({ dir: join(received, 'province'), ...quiet }), (r) => r.close()),
      broker.start(),
    ]);
    const failed = parts.find((p): p is PromiseRejectedResult => p.status === 'rejected');
    if (failed) throw failed.reason;
    const value = <T>(i: number) => (parts[i] as PromiseFulfilledResult<T>).value;
    const site = value<SimSite>(0);
    const rtsp = value<Ingest>(1);
    const rtmp = value<Ingest>(2);
    const national = value<Receiver>(3);
    const province = value<Receiver>(4);
    const uplink = await startUplink([
      { name: 'rtsp', host: rtsp.host, port: rtsp.port },
      { name: 'rtmp', host: rtmp.host, port: rtmp.port },
      { name: 'national', host: '127.0.0.1', port: national.port },
      { name: 'province', host: '127.0.0.1', port: province.port },
      { name: 'mqtt', host: '127.0.0.1', port: broker.port },
    ]);
    stops.push(() => uplink.close());
    // The next address of the site's block: nobody binds it, so a connection is refused at once.
    const host = site.cameras[0]!.host.split('.');
    host[3] = String(Number(host[3]) + SITE_CAMERAS.length);
    return {
      site,
      offlineOnvifUrl: `http://${host.join('.')}/onvif/device_service`,
      rtsp,
      rtmp,
      receivers: { national, province },
      broker,
      uplink,
      ports: () => [
        ...site.cameras.flatMap((c) => [c.onvifPort, c.rtspPort]),
        rtsp.port,
        rtmp.port,
        national.port,
        province.port,
        broker.port,
        ...uplink.ports,
      ],
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
