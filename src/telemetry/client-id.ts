// A stable client id per box: two boxes with one id knock each other off the broker in a
// reconnect storm, and a new id on every start leaves stale sessions behind.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** systemd's machine id, then D-Bus's copy, then the host name (containers without either). */
export function machineId(files = ['/etc/machine-id', '/var/lib/dbus/machine-id']): string {
  for (const f of files) {
    try {
      const id = readFileSync(f, 'utf8').trim();
      if (id) return id;
    } catch {
      /* try the next source */
    }
  }
  return hostname();
}

/** 23 characters at most: the longest id every MQTT 3.1.1 broker must accept. */
export function stableClientId(siteId: string, machine: string): string {
  const hash = createHash('sha256').update(`${siteId}\n${machine}`).digest('hex');
  return `edgegw-${hash.slice(0, 16)}`;
}
