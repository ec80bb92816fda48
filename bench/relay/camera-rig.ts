// The camera side of the relay bench: N cameras of 1080p25 at about 4 Mbit/s that cost little CPU.
// One clip is encoded once into a cache dir; per camera a feeder (`ffmpeg -re -stream_loop -1
// -c copy -f rtp`) sends it to a loopback UDP port, and camera_rig.py (GStreamer's RTSP server)
// serves each port as an RTSP mount, depayloading and payloading again without decoding.
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeClip } from '../../test/ingest/feeder.ts';
import { freePort, LOOPBACK } from '../../test/ingest/ports.ts';
import { killHard, spawnManaged, terminate } from '../../test/ingest/process.ts';
import type { Managed } from '../../test/ingest/process.ts';

const SCRIPT = fileURLToPath(new URL('./camera_rig.py', import.meta.url));
const PYTHON = '/usr/bin/python3'; // Debian's, the one with python3-gi
export const CACHE_DIR = '/tmp/egw-bench-cache';
/** Mounts per RTSP server process: spreads the servers' work over both cores. */
const MOUNTS_PER_SERVER = 8;
/** RTP ports below the kernel's ephemeral range, so the gateway's own UDP legs never take one. */
const RTP_PORT_BASE = 24000;

export interface ClipInfo {
  file: string;
  kbps: number;
  seconds: number;
}

/** The 10 s 1080p25 4 Mbit/s clip (libx264 ultrafast, GOP 50, noise so the bitrate is spent), encoded once. */
export async function ensureClip(): Promise<ClipInfo & { encoded: boolean }> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const file = `${CACHE_DIR}/clip-1080p25-4M-gop50-10s.ts`;
  let encoded = false;
  if (!existsSync(file)) {
    const part = `${file}.${process.pid}.part`;
    await makeClip(part, { width: 1920, height: 1080, fps: 25, seconds: 10, gopFrames: 50, bitrate: '4M' });
    renameSync(part, file);
    encoded = true;
  }
  const out = execFileSync('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'format=bit_rate,duration',
    '-of',
    'default=nw=1',
    file,
  ]).toString();
  const num = (k: string) => Number(new RegExp(`^${k}=([\\d.]+)`, 'm').exec(out)?.[1] ?? NaN);
  return { file, kbps: Math.round(num('bit_rate') / 1000), seconds: num('duration'), encoded };
}

function udpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, LOOPBACK, () => s.close(() => resolve(true)));
  });
}

/** `count` even ports p (p and p+1 free: RTP and the RTCP the feeder sends beside it). */
async function rtpPorts(count: number): Promise<number[]> {
  const out: number[] = [];
  let p = RTP_PORT_BASE + 2 * Math.floor(Math.random() * 1000);
  while (out.length < count) {
    if (p > 32000) p = RTP_PORT_BASE;
    if ((await udpPortFree(p)) && (await udpPortFree(p + 1))) out.push(p);
    p += 2;
  }
  return out;
}

interface Mount {
  path: string;
  rtpPort: number;
}

function startServer(port: number, mounts: Mount[]): Promise<Managed> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!err) return resolve(proc);
      void killHard(proc).then(() => reject(err));
    };
    const proc = spawnManaged(
      PYTHON,
      [
        SCRIPT,
        '--address',
        LOOPBACK,
        '--port',
        String(port),
        '--mounts',
        JSON.stringify(mounts),
        '--threads',
        String(mounts.length + 1),
      ],
      {
        stdin: true, // the server exits when this pipe closes
        onLine: (line) => {
          if (!line.startsWith('{')) return;
          const msg = JSON.parse(line) as { ready?: boolean; error?: string };
          if (msg.ready) settle(null);
          else if (msg.error) settle(new Error(msg.error));
        },
      },
    );
    const timer = setTimeout(() => settle(new Error(`camera_rig.py not ready: ${proc.tail()}`)), 15_000);
    void proc.exited.then((e) =>
      settle(new Error(`camera_rig.py exited (${e.code ?? e.signal}): ${proc.tail()}`)),
    );
  });
}

export interface Camera {
  id: string;
  url: string;
}

export class CameraRig {
  readonly cameras: Camera[] = [];
  private readonly servers: Managed[] = [];
  private readonly feeders: Managed[] = [];

  private constructor(private readonly clip: string) {}

  /** Servers and feeders for `count` cameras named cam-01, cam-02, ... */
  static async start(clip: string, count: number): Promise<CameraRig> {
    const rig = new CameraRig(clip);
    try {
      await rig.launch(count);
    } catch (e) {
      await rig.stop();
      throw e;
    }
    return rig;
  }

  private async launch(count: number): Promise<void> {
    const ports = await rtpPorts(count);
    const mounts = ports.map((rtpPort, i) => ({ path: `/cam-${String(i + 1).padStart(2, '0')}`, rtpPort }));
    for (let i = 0; i < mounts.length; i += MOUNTS_PER_SERVER) {
      const group = mounts.slice(i, i + MOUNTS_PER_SERVER);
      let last: Error | null = null;
      for (let attempt = 0; attempt < 8; attempt++) {
        const port = await freePort();
        try {
          this.servers.push(await startServer(port, group));
          for (const m of group)
            this.cameras.push({ id: m.path.slice(1), url: `rtsp://${LOOPBACK}:${port}${m.path}` });
          last = null;
          break;
        } catch (e) {
          last = e instanceof Error ? e : new Error(String(e));
        }
      }
      if (last) throw last;
    }
    for (const m of mounts) {
      this.feeders.push(
        spawnManaged('ffmpeg', [
          '-hide_banner',
          '-nostdin',
          '-nostats',
          '-loglevel',
          'error',
          '-re',
          '-stream_loop',
          '-1',
          '-i',
          this.clip,
          '-map',
          '0:v',
          '-c',
          'copy',
          '-f',
          'rtp',
          `rtp://${LOOPBACK}:${m.rtpPort}?pkt_size=1200`,
        ]),
      );
    }
  }

  /** Every rig process (servers and feeders), for measuring what the rig itself costs. */
  pids(): number[] {
    return [...this.servers, ...this.feeders].filter((m) => !m.exit()).map((m) => m.pid);
  }

  /** Rig processes that died: a bench run with a dead camera is not valid. */
  failures(): string[] {
    return [...this.servers, ...this.feeders]
      .filter((m) => m.exit())
      .map((m) => `${m.child.spawnargs.join(' ').slice(0, 120)}: ${m.tail().slice(-300)}`);
  }

  async stop(): Promise<void> {
    const all = [...this.feeders, ...this.servers];
    this.feeders.length = 0;
    this.servers.length = 0;
    await Promise.all(all.map((m) => terminate(m, 3000)));
  }
}
