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
    .description(
      'find ONVIF cameras by multicast, subnet scan and manual entries; read their profiles and stream URIs',
    )
    .option('--json', 'print JSON instead of a table')
    .option('--timeout <seconds>', 'how long to gather WS-Discovery replies (default 3)')
    .option('--scan <cidr>', 'also scan this IPv4 range by unicast (repeatable)', collect)
    .option(
      '--port <port>',
      'ONVIF port for the scan (repeatable; default 80, 8000, 8080, 8899, 2020, 8088)',
      collect,
    )
    .option(
      '--interface <name>',
      'probe only this interface (repeatable; default every IPv4 interface)',
      collect,
    )
    .option('--username <user>', 'camera user name')
    .option('--password-file <file>', 'file holding the camera password ("-" for standard input)')
    .option('--config <file>', 'configuration file (discovery settings, default credentials, store)')
    .option(
      '--db <file>',
      'save the inventory to this SQLite file (default: store.path of the configuration)',
    )
    .option('--no-save', 'do not update the inventory')
    .addOption(new Option('--no-multicast', 'skip multicast probes (subnet scan and manual entries only)'))
    .action(async (flags: DiscoverFlags) => {
      process.exitCode = await runDiscover(flags, io);
    });
}

function positive(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 600) {
    throw new ExitError(
      `${name} must be a number of seconds between 0 and 600 (got ${JSON.stringify(value)})`,
      EXIT.usage,
    );
  }
  return n;
}

async function runDiscover(flags: DiscoverFlags, io: Io): Promise<number> {
  const cfg = optionalConfig(io, flags.config);
  const ports = (flags.port ?? []).map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 65535)
      throw new ExitError(`--port must be 1-65535 (got ${JSON.stringify(p)})`, EXIT.usage);
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
          ['ADDRESS', 'REASON'],
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
      return `  ${e.done}/${e.total}`;
  }
}

function defaultId(r: DeviceReport): string {
  return suggestCameraId(reportIdentity(r), r.info?.manufacturer ?? null);
}

function saveInventory(dbPath: string, devices: DeviceReport[]): string[] {
  const db = openStore(dbPath);
  try {
    const repo = new InventoryRepo(db);
    return devices.map((r) => repo.upsert(toInventoryUpdate(r)).id);
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
    r.error ? `${r.error.step}: ${r.error.message}` : 'ok',
  ]);
  io.out(table(['ID', 'ADDRESS', 'DEVICE', 'SKEW', 'AUTH', 'PROFILES', 'STATUS'], rows));
}
