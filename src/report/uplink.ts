// The uplink the chosen profiles need, per destination, beside the configured budget. Pure: the
// same plan the relay makes (core/relay-plan.ts), applied to the cameras the survey could use.
import type { MediaProfile } from '../core/camera.ts';
import {
  chooseProfile,
  planRelay,
  profileKbps,
  protocolOf,
  type PlanDestination,
} from '../core/relay-plan.ts';
import type { DestinationNeed, UplinkSection } from './model.ts';

export interface UplinkCamera {
  id: string;
  profiles: MediaProfile[];
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export function uplinkNeed(
  cameras: UplinkCamera[],
  destinations: PlanDestination[],
  siteId: string,
  configuredKbps: number | null,
): UplinkSection & { perDestination: { mainKbps: number; subKbps: number } } {
  const plan = planRelay(cameras, destinations, siteId, configuredKbps ?? undefined);
  const sub = (ids: string[]) =>
    sum(
      cameras
        .filter((c) => ids.includes(c.id))
        .map((c) => {
          const p = chooseProfile(c.profiles, 'sub');
          return p ? profileKbps(p) : 0;
        }),
    );
  const needs: DestinationNeed[] = destinations.map((d) => {
    const outs = plan.ingests.flatMap((i) =>
      i.outputs.filter((o) => o.destinationId === d.id).map((o) => ({ camera: i.cameraId, kbps: o.kbps })),
    );
    return {
      id: d.id,
      protocol: protocolOf(d.url),
      profile: d.profile,
      cameras: outs.length,
      kbps: sum(outs.map((o) => o.kbps)),
      subKbps: sub(outs.map((o) => o.camera)),
    };
  });
  const needed = sum(needs.map((n) => n.kbps));
  const all = cameras.map((c) => c.id);
  const mainKbps = sum(
    cameras.map((c) => {
      const p = chooseProfile(c.profiles, 'main');
      return p ? profileKbps(p) : 0;
    }),
  );
  return {
    configuredKbps,
    neededKbps: needed,
    fits: configuredKbps === null || destinations.length === 0 ? null : needed <= configuredKbps,
    destinations: needs,
    perDestination: { mainKbps, subKbps: sub(all) },
  };
}
