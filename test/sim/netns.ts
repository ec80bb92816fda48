// Network namespaces for netns mode: a "switch" namespace holding a bridge, one namespace per camera and
// one for the gateway under test, each joined to the bridge by a veth pair. Multicast crosses the bridge
// (snooping off); nothing is routed anywhere else. Names carry the pid so leftovers can be swept.
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { killNamespace, trackNamespace, untrackNamespace } from './cleanup.ts';

const run = promisify(execFile);
const PREFIX = 'simcam-';

async function ip(...args: string[]): Promise<void> {
  try {
    await run('ip', args);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')}: ${err.stderr?.trim() || err.message}`);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Delete namespaces left by test processes that died without cleaning up. */
export function sweepStaleNamespaces(): void {
  const out = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of out.split('\n')) {
    const name = line.split(/\s/)[0] ?? '';
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (m && !pidAlive(Number(m[1]))) killNamespace(name);
  }
}

export function listSiteNamespaces(prefix: string): string[] {
  const out = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  return out
    .split('\n')
    .map((l) => l.split(/\s/)[0] ?? '')
    .filter((n) => n.startsWith(prefix));
}

export interface SiteNetwork {
  prefix: string;
  gw: string;
  cameras: string[];
  destroy(): Promise<void>;
}

/** Build the switch, gateway and camera namespaces. On failure removes whatever it made, then throws. */
export async function createSiteNetwork(plan: {
  gw: string;
  cameraHost(i: number): string;
  count: number;
}): Promise<SiteNetwork> {
  sweepStaleNamespaces();
  const prefix = `${PREFIX}${process.pid}-${randomBytes(2).toString('hex')}`;
  const sw = `${prefix}-sw`;
  const gw = `${prefix}-gw`;
  const cameras = Array.from({ length: plan.count }, (_, i) => `${prefix}-c${i}`);
  const made: string[] = [];
  const destroy = async () => {
    // Processes first: a namespace with processes in it outlives "ip netns del".
    for (const ns of [...made].reverse()) {
      killNamespace(ns);
      untrackNamespace(ns);
    }
    made.length = 0;
    await Promise.resolve();
  };
  const addNs = async (ns: string) => {
    trackNamespace(ns);
    await ip('netns', 'add', ns);
    made.push(ns);
  };
  const attach = async (ns: string, port: string, addr: string) => {
    await addNs(ns);
    await ip('-n', sw, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    await ip('-n', sw, 'link', 'set', port, 'master', 'br0', 'up');
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
    await ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0');
    await ip('-n', ns, 'link', 'set', 'eth0', 'up');
    // Multicast needs a route; there is deliberately no default route.
    await ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0');
  };
  try {
    await addNs(sw);
    await ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0');
    await ip('-n', sw, 'link', 'set', 'br0', 'up');
    await attach(gw, 'pgw', plan.gw);
    // Sequential: parallel "ip" calls on one bridge namespace race on the link table.
    for (let i = 0; i < plan.count; i++) await attach(cameras[i] ?? '', `p${i}`, plan.cameraHost(i));
  } catch (e) {
    await destroy();
    throw e;
  }
  return { prefix, gw, cameras, destroy };
}
