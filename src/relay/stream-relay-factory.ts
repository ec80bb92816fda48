// How the relay manager builds the relay of one planned camera stream (stream-relay.ts): the
// relay's settings in milliseconds, the recording's hooks, the CPU its processes are kept on, the
// events it reports through, and the camera's login hold shared with discovery (camera-login.ts).
import { wallOf } from '../core/clock.ts';
import type { Config } from '../config/schema.ts';
import { credentialsKey } from '../config/secrets.ts';
import type { AuthHolds } from '../core/auth-holds.ts';
import type { PlannedIngest } from '../core/relay-plan.ts';
import type { Logger } from '../log/logger.ts';
import { cameraLogin } from './camera-login.ts';
import type { FfmpegVersion } from './ffmpeg-version.ts';
import type { RecordingSource, RelayEvents } from './relay-manager.ts';
import { StreamRelay, type Credentials } from './stream-relay.ts';
import { freeUdpPorts } from './udp-ports.ts';

export interface StreamRelayContext {
  cfg: Config;
  logger: Logger;
  events: RelayEvents;
  recording: RecordingSource | null;
  holds: AuthHolds | null;
  version: FfmpegVersion;
  /** The CPU the next camera's processes are kept on (cpu-placement.ts), or null. */
  nextCpu: () => number | null;
  onPlacementError: (reason: string) => void;
  /** Whether any destination of the site delivers now (tee-exit.ts). */
  siteDelivers: () => boolean;
}

export async function buildStreamRelay(
  ctx: StreamRelayContext,
  ingest: PlannedIngest,
  cameraCredentials: Credentials | null,
  destinationCredentials: (id: string) => Credentials | null,
): Promise<StreamRelay> {
  const r = ctx.cfg.relay;
  return new StreamRelay({
    plan: ingest,
    udpPorts: await freeUdpPorts(ingest.outputs.filter((o) => o.transcode).length),
    recorder: ingest.record ? ctx.recording?.hooks(ingest.cameraId) : undefined,
    cameraCredentials,
    destinationCredentials,
    version: ctx.version,
    stallMs: r.stallSeconds * 1000,
    graceMs: r.startGraceSeconds * 1000,
    backoffMs: r.backoffSeconds.map((s) => s * 1000),
    stopTimeoutMs: r.stopTimeoutSeconds * 1000,
    cpu: ctx.nextCpu(),
    onPlacementError: ctx.onPlacementError,
    logger: ctx.logger,
    ...(ctx.holds ? { login: pullLogin(ctx, ingest, cameraCredentials, ctx.holds) } : {}),
    failingAfter: r.failingAfter,
    teeExitAfterMs: r.teeExitAfterSeconds * 1000,
    siteDelivers: ctx.siteDelivers,
    onFailing: (who, failing, failures, reason) => {
      const e = { ...who, cameraId: ingest.cameraId, failing, failures, reason };
      if (failing) ctx.logger.error(e, 'failing: retried at the slowest back-off step until it delivers');
      else ctx.logger.info(e, 'no longer failing');
      ctx.events.onFailing?.(e);
    },
    onStateChange: (who, state, previous) =>
      ctx.events.onStateChange?.({
        cameraId: ingest.cameraId,
        destinationId: who.destinationId,
        state,
        previous,
      }),
  });
}

/** The hold of the camera's account for this pull: its host, and a fingerprint of its credentials. */
function pullLogin(
  ctx: StreamRelayContext,
  ingest: PlannedIngest,
  creds: Credentials | null,
  holds: AuthHolds,
) {
  const host = new URL(ingest.streamUri).hostname;
  return cameraLogin({
    holds,
    host,
    key: credentialsKey(creds ?? { username: '', password: '' }),
    onRefused: (refusal, next) => {
      // The holds count on the monotonic clock; the event and the log say the wall time.
      const retryAt = next === null ? null : wallOf(next);
      ctx.logger.warn(
        { cameraId: ingest.cameraId, refusal, retryAt: retryAt === null ? null : new Date(retryAt) },
        'camera refused the login: not asked again with these credentials until the hold allows',
      );
      ctx.events.onAuthRefused?.({ cameraId: ingest.cameraId, host, refusal, retryAt });
    },
  });
}
