// One timer for the watchdogs of every supervised ffmpeg. Each wake-up of the daemon costs about
// 0.1 ms of CPU on a small machine (measured here: 32 one-second timers 0.36 % of a core, one
// timer 0.03 %), more than the checks themselves, and a site has up to three processes a camera.

type Check = () => void;

const checks = new Set<Check>();
let timer: NodeJS.Timeout | null = null;

/** Calls `check` about once a second, with every other check, until the returned function is called. */
export function everySecond(check: Check): () => void {
  checks.add(check);
  timer ??= setInterval(runChecks, 1000);
  return () => {
    checks.delete(check);
    if (checks.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

function runChecks(): void {
  // A copy: a check may stop its own or another supervisor.
  for (const check of [...checks]) if (checks.has(check)) check();
}
