// The peer: the `onvif` package as its users drive it, one Cam per camera in parallel. Discovery.probe
// on the interface; each device is read as soon as it answers (Cam.connect: clock, services,
// profiles; then the device information, every stream URI and the first profile's snapshot URI at
// once). Run inside the gateway's namespace by run.ts; the password comes in PEER_PASSWORD.
// Prints {"found": n, "usable": u, "ms": t, "lastReadMs": r, "lost": l, "errors": e} on stdout:
// lastReadMs is when its last usable read completed, counted from the start of this process (as
// run.ts times ours from spawn); lost, the devices whose read never settled (a lost callback).
import onvif from 'onvif';

const [device, windowText, username] = process.argv.slice(2);
const windowMs = Number(windowText ?? 3000);
const password = process.env.PEER_PASSWORD ?? '';
let errors = 0;
// The package emits 'error' for replies it cannot parse; unhandled, that would crash the process.
onvif.Discovery.on('error', () => errors++);

type Cam = InstanceType<typeof onvif.Cam>;
const call = <T>(fn: (cb: (err: Error | null, data?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((err, data) => (err ? reject(err) : resolve(data as T))));

const t0 = performance.now();
const reads: Promise<{ usable: boolean; ms: number; lost?: boolean }>[] = [];

/** The package can lose a callback (the read never settles and the process would exit silently). */
const LOST_MS = 60_000;
const read = (found: Cam) =>
  new Promise<{ usable: boolean; ms: number; lost?: boolean }>((resolve) => {
    const timer = setTimeout(() => {
      if (process.env.PEER_DEBUG) console.error(found.hostname, 'never answered');
      resolve({ usable: false, ms: performance.now(), lost: true });
    }, LOST_MS);
    void readCam(found).then((r) => {
      clearTimeout(timer);
      resolve(r);
    });
  });

async function readCam(found: Cam): Promise<{ usable: boolean; ms: number }> {
  const cam = new onvif.Cam({
    hostname: found.hostname,
    port: found.port,
    path: found.path,
    username,
    password,
    timeout: 10_000,
    autoconnect: false,
  });
  try {
    await call((cb) => cam.connect(cb));
    // The package keeps each profile's token as the XML attribute ($.token).
    const tokens = (cam.profiles ?? [])
      .filter((p) => p.videoEncoderConfiguration)
      .map((p) => (p as { $: { token: string } }).$.token);
    const first = tokens[0];
    const [, uris] = await Promise.all([
      call((cb) => cam.getDeviceInformation(cb)),
      Promise.all(
        tokens.map((token) =>
          call<{ uri: string }>((cb) => cam.getStreamUri({ profileToken: token }, cb)).catch(() => null),
        ),
      ),
      first ? call((cb) => cam.getSnapshotUri({ profileToken: first }, cb)).catch(() => null) : null,
    ]);
    const ms = performance.now();
    if (process.env.PEER_DEBUG)
      console.error(found.hostname, Math.round(ms), tokens.length, uris.filter(Boolean).length);
    return { usable: uris.some((u) => u?.uri), ms };
  } catch (err) {
    if (process.env.PEER_DEBUG) console.error(found.hostname, String(err));
    return { usable: false, ms: performance.now() };
  }
}

onvif.Discovery.on('device', (cam: Cam) => reads.push(read(cam)));
onvif.Discovery.probe({ timeout: windowMs, device }, (err) => {
  void Promise.all(reads).then((done) => {
    const ms = Math.round(performance.now() - t0);
    const usable = done.filter((d) => d.usable).length;
    // performance.now() counts from the process's start: Node and tsx start-up included.
    const lastReadMs = Math.round(Math.max(0, ...done.filter((d) => d.usable).map((d) => d.ms)));
    const lost = done.filter((d) => d.lost).length;
    process.stdout.write(
      JSON.stringify({
        found: done.length,
        usable,
        ms,
        lastReadMs,
        lost,
        errors,
        error: err ? String(err) : null,
      }) + '\n',
      // Exit once written: stdout to a pipe is asynchronous.
      () => process.exit(0),
    );
  });
});
