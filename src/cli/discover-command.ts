// `edge-gateway discover`: find the site's cameras and say why a device that answered cannot be used.
import { Option, type Command } from 'commander';
import { isUsable, reportIdentity, toInventoryUpdate, type DeviceReport } from '../core/device-report.ts';
import { formatDuration } from '../core/diagnosis.ts';
import { suggestCameraId } from '../core/inventory.ts';
import { t } from '../i18n/index.ts';
import type { DiscoverProgress } from '../onvif/discover.ts';
import { openStore } from '../store/db.ts';
import { InventoryRepo } from '../store/inventory.ts';
import { collect, credentialsFrom, optionalConfig } from './context.ts';
import { EXIT, ExitError } from './exit-codes.ts';
import { printJson, table, type Io } from './output.ts';

interface DiscoverFlags {
  json?: boolean;
  timeout?: string;
  scan?: string[];
  port?: string[];
  interface?: string[];
  username?: string;
  passwordFile?: string;
  config?: string;
  db?: string;
  save: boolean;
  multicast: boolean;
}

export function registerDiscoverCommand(program: Command, io: Io): void {
  program
    .command('discover')
    .description(t('discover.description'))
    .option('--json', t('opt.json.table'))
    .option('--timeout <seconds>', t('discover.opt.timeout'))
    .option('--scan <cidr>', t('opt.scan'), collect)
    .option('--port <port>', t('discover.opt.port'), collect)
    .option('--interface <name>', t('discover.opt.interface'), collect)
    .option('--username <user>', t('opt.username'))
    .option('--password-file <file>', t('opt.passwordFile'))
    .option('--config <file>', t('discover.opt.config'))
    .option('--db <file>', t('discover.opt.db'))
    .option('--no-save', t('discover.opt.noSave'))
    .addOption(new Option('--no-multicast', t('cli.opt.noMulticast')))
    .action(async (flags: DiscoverFlags) => {
      process.exitCode = await runDiscover(flags, io);
    });
}

function positive(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 600) {
    throw new ExitError(t('cli.err.seconds', { name, value: JSON.stringify(value) }), EXIT.usage);
  }
  return n;
}

async function runDiscover(flags: DiscoverFlags, io: Io): Promise<number> {
  const cfg = optionalConfig(io, flags.config);
  const ports = (flags.port ?? []).map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 65535)
      throw new ExitError(t('err.port', { value: JSON.stringify(p) }), EXIT.usage);
    return n;
  });
  // Loaded here, not at start-up: `run` and the other commands never pay for ONVIF and XML parsing.
  const { discover, discoverOptionsFrom } = await import('../onvif/discover.ts');
  const base = discoverOptionsFrom(cfg);
  const result = await discover({
    ...base,
    interfaces: flags.interface ?? base.interfaces,
    subnets: [...base.subnets, ...(flags.scan ?? [])],
    ports: ports.length > 0 ? ports : base.ports,
    probeWindowMs: positive(flags.timeout, '--timeout', base.probeWindowMs / 1000) * 1000,
    multicast: flags.multicast,
    credentials: credentialsFrom(flags, cfg?.discovery),
    progress: (e) => io.progress(discoverProgressLine(e)),
  });

  const dbPath = flags.db ?? cfg?.store.path;
  const ids = flags.save && dbPath ? saveInventory(dbPath, result.devices) : result.devices.map(defaultId);
  const cameras = result.devices.map((r, i) => toJson(r, ids[i]!));
  const usable = result.devices.filter(isUsable).length;
  if (flags.json) {
    printJson(io, { cameras, ignored: result.ignored });
  } else {
    printTable(io, result.devices, ids);
    if (result.ignored.length > 0) {
      io.out(`\n${t('discover.ignored')}`);
      io.out(
        table(
          ['col.address', 'col.reason'],
          result.ignored.map((i) => [i.port ? `${i.source}:${i.port}` : i.source, i.reason]),
        ),
      );
    }
    if (result.devices.length === 0) io.out(t('discover.none'));
    else io.out(t('discover.summary', { usable, failed: result.devices.length - usable }));
  }
  return usable > 0 ? EXIT.ok : EXIT.checkFailed;
}

/** One progress line of discovery (survey prints the same). */
export function discoverProgressLine(e: DiscoverProgress): string {
  switch (e.phase) {
    case 'probe':
      return t('discover.progress.probe', {
        interfaces: e.interfaces || t('discover.allInterfaces'),
        seconds: e.seconds,
      });
    case 'scan':
      return t('discover.progress.scan', { hosts: e.hosts, ports: e.ports });
    case 'profile':
      return t('discover.progress.profile', { count: e.count });
    case 'device':
      return t('discover.progress.device', {
        done: e.done,
        total: e.total,
        address: e.report.address,
        device: [e.report.info?.manufacturer, e.report.info?.model].filter(Boolean).join(' ') || '-',
        status: e.report.error ? `${e.report.error.step}: ${e.report.error.message}` : t('discover.ok'),
      });
  }
}

function defaultId(r: DeviceReport): string {
  return suggestCameraId(reportIdentity(r), r.info?.manufacturer ?? null);
}

function saveInventory(dbPath: string, devices: DeviceReport[]): string[] {
  const db = openStore(dbPath);
  try {
    const repo = new InventoryRepo(db);
    // A failed read keeps what the inventory knew of the camera (its last good profiles, marked stale).
    return devices.map((r) => repo.record(toInventoryUpdate(r)).id);
  } finally {
    db.close();
  }
}

function toJson(r: DeviceReport, id: string) {
  return {
    id,
    address: r.address,
    onvifUrl: r.onvifUrl,
    manufacturer: r.info?.manufacturer ?? null,
    model: r.info?.model ?? null,
    firmware: r.info?.firmware ?? null,
    serial: r.info?.serial ?? null,
    clockSkewSeconds: r.clockSkewSeconds,
    auth: r.auth,
    profiles: r.profiles.map((p) => ({
      token: p.token,
      name: p.name,
      encoding: p.encoding,
      width: p.width,
      height: p.height,
      fps: p.fps,
      bitrateKbps: p.bitrateKbps,
      streamUri: p.streamUri,
    })),
    snapshotUri: r.snapshotUri,
    source: r.source,
    notes: r.notes,
    error: r.error,
  };
}

function printTable(io: Io, devices: DeviceReport[], ids: string[]): void {
  if (devices.length === 0) return;
  const rows = devices.map((r, i) => [
    ids[i],
    r.address,
    [r.info?.manufacturer, r.info?.model].filter(Boolean).join(' ') || null,
    r.clockSkewSeconds === null
      ? null
      : `${r.clockSkewSeconds < 0 ? '-' : '+'}${formatDuration(r.clockSkewSeconds)}`,
    r.auth,
    r.profiles
      .filter((p) => p.encoding)
      .map((p) => `${p.encoding} ${p.width}x${p.height}@${p.fps ?? '?'}`)
      .join(', ') || null,
    r.error ? `${r.error.step}: ${r.error.message}` : t('discover.ok'),
  ]);
  io.out(
    table(
      ['col.id', 'col.address', 'col.device', 'col.skew', 'col.auth', 'col.profiles', 'col.status'],
      rows,
    ),
  );
}
