// The systemd unit as systemd itself judges it, offline (no systemd runs in CI): its exposure
// score stays at 2.0 or lower, it verifies, and it keeps the contract the daemon relies on.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const UNIT = fileURLToPath(new URL('../../systemd/edge-gateway.service', import.meta.url));
const text = readFileSync(UNIT, 'utf8');
const settings = (key: string) =>
  [...text.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!.trim());

/** The figure `systemd-analyze security` prints for the unit file. */
export function exposure(unit: string): number {
  const r = spawnSync('systemd-analyze', ['security', '--offline=true', unit], { encoding: 'utf8' });
  const m = /Overall exposure level for [^:]+: (\d+\.\d)/.exec(r.stdout);
  if (!m) throw new Error(`no exposure figure from systemd-analyze:\n${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

describe('systemd/edge-gateway.service', () => {
  it('is rated 2.0 or lower by systemd-analyze security', () => {
    expect(exposure(UNIT)).toBeLessThanOrEqual(2.0);
  });

  it('verifies', () => {
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', UNIT], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('is a watched notify service under its own user with CAP_NET_ADMIN only', () => {
    expect(settings('Type')).toEqual(['notify']);
    expect(settings('NotifyAccess')).toEqual(['all']);
    expect(Number(settings('WatchdogSec')[0])).toBeGreaterThan(0);
    expect(settings('User')).toEqual(['edge-gateway']);
    expect(settings('AmbientCapabilities')).toEqual(['CAP_NET_ADMIN']);
    expect(settings('CapabilityBoundingSet')).toEqual(['CAP_NET_ADMIN']);
    expect(settings('RestrictAddressFamilies')).toEqual(['AF_UNIX AF_INET AF_INET6 AF_NETLINK']);
    expect(settings('MemoryDenyWriteExecute')).toEqual([]);
  });

  it('is not restarted into a permanent failure (sysexits 64, 69, 78)', () => {
    expect(settings('Restart')).toEqual(['on-failure']);
    expect(settings('RestartPreventExitStatus')[0]?.split(/\s+/).sort()).toEqual(['64', '69', '78']);
    expect(settings('StartLimitBurst')).toHaveLength(1);
    expect(settings('ExecStartPre')[0]).toMatch(/ config check --strict /);
  });

  it('records its exposure figure in docs/install.md', () => {
    const docs = readFileSync(fileURLToPath(new URL('../../docs/install.md', import.meta.url)), 'utf8');
    expect(docs).toContain(`rates it **${exposure(UNIT).toFixed(1)} OK**`);
  });

  it('names no credential itself: the installer writes one LoadCredential= per secret in a drop-in', () => {
    expect(settings('LoadCredential')).toEqual([]);
  });
});
