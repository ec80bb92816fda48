// The box the gateway runs on, for the report's header: board, OS, free disk. Small file reads that
// fail soft to null; no command is run.
import { readFileSync } from 'node:fs';
import { arch, hostname, release } from 'node:os';
import { readDiskUsage } from '../health/host-files.ts';
import type { BoxInfo } from '../report/model.ts';

function read(file: string): string | null {
  try {
    // Device-tree strings end with a NUL.
    return readFileSync(file, 'utf8').replace(/\0/g, '').trim() || null;
  } catch {
    return null;
  }
}

/** "PRETTY_NAME" of an os-release file. */
export function prettyName(osRelease: string | null): string | null {
  const m = /^PRETTY_NAME=(?:"([^"]*)"|(.*))$/m.exec(osRelease ?? '');
  return (m?.[1] ?? m?.[2] ?? '').trim() || null;
}

export function boxModel(root = '/'): string | null {
  const dt = read(`${root}proc/device-tree/model`); // Raspberry Pi and other ARM boards
  if (dt) return dt;
  const vendor = read(`${root}sys/class/dmi/id/sys_vendor`);
  const product = read(`${root}sys/class/dmi/id/product_name`);
  return [vendor, product].filter(Boolean).join(' ') || null;
}

export function readBox(diskPath: string, gatewayVersion: string): BoxInfo {
  return {
    hostname: hostname(),
    model: boxModel(),
    os: prettyName(read('/etc/os-release') ?? read('/usr/lib/os-release')),
    kernel: release(),
    arch: arch(),
    freeDiskBytes: readDiskUsage(diskPath)?.free ?? null,
    diskPath,
    gatewayVersion,
  };
}
