// Entry point of one camera inside its network namespace (netns mode):
//   ip netns exec <ns> node --import tsx test/sim/camera-main.ts '{"spec":...,"net":...}'
// Talks JSON lines with the parent: stdout {"event":"ready","info":...} | {"event":"auth",...} |
// {"reply":id,"ok":bool,"error"?}; stdin {"id":n,"cmd":...} | {"ack":seq}. Exits when stdin closes.
import { createInterface } from 'node:readline';
import { LocalCamera } from './camera.ts';
import type { CallFailure, CameraNet, SimCameraSpec } from './types.ts';

interface Command {
  id?: number;
  cmd?: 'setClockSkew' | 'unlock' | 'stopRtsp' | 'startRtsp' | 'failCall' | 'sync' | 'stop';
  seconds?: number;
  action?: string;
  how?: CallFailure | null;
  ack?: number;
}

const write = (msg: object) => process.stdout.write(`${JSON.stringify(msg)}\n`);

const { spec, net } = JSON.parse(process.argv[2] ?? '{}') as { spec: SimCameraSpec; net: CameraNet };
const acks = new Map<number, () => void>();
let seq = 0;

// Failed-login counts reach the parent before the HTTP reply does, so failedLogins() is exact.
const camera = new LocalCamera(spec, net, (failed, locked) => {
  const id = ++seq;
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      acks.delete(id);
      resolve();
    }, 1000);
    acks.set(id, () => {
      clearTimeout(timer);
      resolve();
    });
    write({ event: 'auth', seq: id, failed, locked });
  });
});

let closing: Promise<void> | undefined;
function shutdown(code: number): Promise<void> {
  closing ??= camera.close().finally(() => process.exit(code));
  return closing;
}

async function run(c: Command): Promise<void> {
  switch (c.cmd) {
    case 'setClockSkew':
      camera.model.setClockSkew(c.seconds ?? 0);
      return;
    case 'unlock':
      camera.auth.unlock();
      return;
    case 'failCall':
      if (c.how) camera.model.failing.set(c.action ?? '', c.how);
      else camera.model.failing.delete(c.action ?? '');
      return;
    case 'stopRtsp':
      return camera.stopRtsp();
    case 'startRtsp':
      return camera.startRtsp();
    case 'sync':
    case 'stop':
    case undefined:
      return;
  }
}

// Commands run one at a time, in order: sync() then means "everything before it is applied".
let queue = Promise.resolve();
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  let c: Command;
  try {
    c = JSON.parse(line) as Command;
  } catch {
    return;
  }
  if (c.ack !== undefined) return acks.get(c.ack)?.();
  queue = queue.then(async () => {
    try {
      await run(c);
      write({ reply: c.id, ok: true });
    } catch (e) {
      write({ reply: c.id, ok: false, error: (e as Error).message });
    }
    if (c.cmd === 'stop') await shutdown(0);
  });
});
rl.on('close', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

camera.start().then(
  () => write({ event: 'ready', info: camera.info() }),
  (e: Error) => {
    write({ event: 'error', message: e.message });
    void shutdown(1);
  },
);
