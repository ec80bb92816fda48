// What the per-camera commands do: diagnose, snapshot and restart one camera, found by its id in
// the inventory or the manual entries. Credentials come from the configuration, never the command.
import type { Config } from '../../config/schema.ts';
import type { InventoryCamera } from '../../core/inventory.ts';
import { verdictOf } from '../../core/diagnosis.ts';
import type { Credentials } from '../../onvif/transport.ts';
import { CommandError } from './command-error.ts';

export interface CameraOpsDeps {
  cfg: Config;
  inventory: () => InventoryCamera[] | null;
  /** Read on first use where discovery left it out (it would have cost a round trip), then stored. */
  snapshotUri: (cameraId: string) => Promise<string | null>;
  restartCamera: (cameraId: string) => Promise<boolean>;
}

function credentialsOf(cfg: Config, cameraId: string): Credentials | null {
  const entry = cfg.cameras.find((c) => c.id === cameraId);
  if (entry?.username) return { username: entry.username, password: entry.password ?? '' };
  const d = cfg.discovery;
  return d.username ? { username: d.username, password: d.password ?? '' } : null;
}

function known(deps: CameraOpsDeps, cameraId: string): { inv: InventoryCamera | null; manual: boolean } {
  const inventory = deps.inventory();
  if (!inventory) throw new CommandError('store-closed', 'the store is not open');
  const inv = inventory.find((c) => c.id === cameraId) ?? null;
  const manual = deps.cfg.cameras.some((c) => c.id === cameraId);
  if (!inv && !manual) throw new CommandError('unknown-camera', `no camera ${cameraId}`);
  return { inv, manual };
}

export async function diagnoseCamera(deps: CameraOpsDeps, cameraId: string): Promise<unknown> {
  const { inv } = known(deps, cameraId);
  const target = inv?.onvifUrl ?? deps.cfg.cameras.find((c) => c.id === cameraId)?.onvif;
  if (!target) throw new CommandError('no-onvif', `camera ${cameraId} has no ONVIF address to diagnose`);
  const d = deps.cfg.discovery;
  // Loaded on first use: the daemon does not keep ONVIF and XML parsing in memory for a rare command.
  const { diagnose } = await import('../../diagnose/ladder.ts');
  const result = await diagnose(target, {
    credentials: credentialsOf(deps.cfg, cameraId),
    timeoutMs: d.callTimeoutSeconds * 1000,
    maxInFlight: d.maxInFlightPerCamera,
  });
  return { cameraId, target: result.target, verdict: verdictOf(result.checks), checks: result.checks };
}

export async function snapshotCamera(
  deps: CameraOpsDeps,
  cameraId: string,
  maxBytes: number,
): Promise<unknown> {
  const { inv } = known(deps, cameraId);
  const uri =
    inv?.snapshotUri ??
    (inv?.onvifUrl
      ? await deps.snapshotUri(cameraId).catch((err: Error) => {
          throw new CommandError('failed', `snapshot URI not read: ${err.message}`);
        })
      : null);
  if (!uri) throw new CommandError('no-snapshot', `camera ${cameraId} has no snapshot URI`);
  const { fetchSnapshot } = await import('../../onvif/snapshot.ts');
  const shot = await fetchSnapshot(
    uri,
    credentialsOf(deps.cfg, cameraId),
    deps.cfg.discovery.callTimeoutSeconds * 1000,
  ).catch((err: Error) => {
    throw new CommandError('failed', `snapshot failed: ${err.message}`);
  });
  if (shot.bytes > maxBytes)
    throw new CommandError('too-large', `snapshot is ${shot.bytes} bytes; the limit is ${maxBytes}`);
  return {
    cameraId,
    contentType: shot.contentType,
    bytes: shot.bytes,
    base64: shot.image.toString('base64'),
  };
}

export async function restartCamera(deps: CameraOpsDeps, cameraId: string): Promise<unknown> {
  known(deps, cameraId);
  if (!(await deps.restartCamera(cameraId)))
    throw new CommandError('not-relayed', `camera ${cameraId} is not being relayed`);
  return { cameraId, restarted: true };
}
