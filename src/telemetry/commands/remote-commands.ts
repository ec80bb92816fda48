// Wires the command router to what each command does, with the gateway's configuration, store,
// bus and relay. Kept apart from the module so that file stays about telemetry, not operations.
import type { Config } from '../../config/schema.ts';
import type { EventBus } from '../../core/events.ts';
import type { Logger } from '../../log/logger.ts';
import type { Db } from '../../store/db.ts';
import { InventoryRepo } from '../../store/inventory.ts';
import type { TelemetrySettings } from '../settings.ts';
import type { Topics } from '../topics.ts';
import { diagnoseCamera, restartCamera, snapshotCamera, type CameraOpsDeps } from './camera-ops.ts';
import { CommandRouter, type CommandRouterDeps } from './command-router.ts';
import { redactConfig } from './redact-config.ts';

export interface RemoteCommandDeps {
  cfg: Config;
  db: Db;
  events: EventBus;
  /** Runs a discovery now (the discovery module owns it): its summary is the reply. */
  rediscover: () => Promise<unknown>;
  /** A camera's snapshot URI, read on first use by the discovery module when the inventory has none. */
  snapshotUri: (cameraId: string) => Promise<string | null>;
  logger: Logger;
  restartCamera: (cameraId: string) => Promise<boolean>;
  settings: TelemetrySettings;
  topics: Topics;
  reply: CommandRouterDeps['reply'];
}

export function remoteCommandRouter(d: RemoteCommandDeps): CommandRouter {
  const camDeps: CameraOpsDeps = {
    cfg: d.cfg,
    inventory: () => new InventoryRepo(d.db).list(),
    snapshotUri: d.snapshotUri,
    restartCamera: d.restartCamera,
  };
  return new CommandRouter({
    topics: d.topics,
    site: d.settings.siteId,
    secret: d.settings.commandSecret,
    windowMs: d.settings.commandWindowMs,
    logger: d.logger,
    reply: d.reply,
    ops: {
      rediscover: d.rediscover,
      diagnose: (id) => diagnoseCamera(camDeps, id),
      restart: (id) => restartCamera(camDeps, id),
      snapshot: (id) => snapshotCamera(camDeps, id, d.settings.snapshotMaxBytes),
      config: () => redactConfig(d.cfg),
    },
  });
}
