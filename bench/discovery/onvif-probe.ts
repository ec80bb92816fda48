// Baseline: the onvif package's own Discovery.probe on the same site. Run inside the gateway's
// namespace by run.ts; prints {"found": n, "ms": t, "errors": e} on stdout.
import onvif from 'onvif';

const [device, timeoutText] = process.argv.slice(2);
const timeout = Number(timeoutText ?? 3000);
let errors = 0;
// The package emits 'error' for replies it cannot parse; unhandled, that would crash the process.
onvif.Discovery.on('error', () => errors++);
const t0 = performance.now();
onvif.Discovery.probe({ timeout, resolve: false, device }, (err, found) => {
  const ms = Math.round(performance.now() - t0);
  process.stdout.write(
    JSON.stringify({ found: err ? 0 : (found?.length ?? 0), ms, errors, error: err ? String(err) : null }) +
      '\n',
  );
  process.exit(0);
});
