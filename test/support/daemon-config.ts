// Pieces of a daemon configuration file the tests against the simulated site share: discovery of
// that site on loopback with the camera password as a secret reference, a fast relay, and the
// store, recordings and an absent broker in the test's directory.
import { join } from 'node:path';
import type { SimSite } from '../sim/site.ts';

/** Discovery of the site over loopback multicast; `extra` lines go inside the block. */
export function discoveryLines(site: SimSite, extra: string[] = []): string[] {
  return [
    'discovery:',
    '  interfaces: [lo]',
    `  multicastAddress: ${site.discoveryGroup}`,
    `  multicastPort: ${site.discoveryPort}`,
    '  probeWindowSeconds: 1',
    '  callTimeoutSeconds: 4',
    '  username: admin',
    '  password: ${CAM_PASSWORD}',
    ...extra,
  ];
}

/**
 * A relay that notices a stall in 4 s and backs off in short steps (or `backoffSeconds`); status on
 * `socket`; `more`: further relay keys, one `key: value` each.
 */
export function fastRelayLines(
  socket: string,
  opts: { backoffSeconds?: number[]; more?: string[] } = {},
): string[] {
  return [
    'relay:',
    '  stallSeconds: 4',
    '  startGraceSeconds: 15',
    `  backoffSeconds: [${(opts.backoffSeconds ?? [0.5, 1, 2]).join(', ')}]`,
    '  stopTimeoutSeconds: 2',
    `  statusSocket: ${socket}`,
    ...(opts.more ?? []).map((l) => `  ${l}`),
  ];
}

/** Recording off, the store in `dir`, MQTT pointed where no broker listens. */
export function localLines(dir: string): string[] {
  return [
    `recording: { dir: ${join(dir, 'rec')}, enabled: false }`,
    `store: { path: ${join(dir, 'gateway.db')} }`,
    'mqtt: { url: "mqtt://127.0.0.1:1" }',
  ];
}
