// What the technician should do next, from what the survey found. Pure.
import { msg, type Msg, type SurveyCamera, type UplinkSection } from './model.ts';

export interface RecommendInput {
  cameras: SurveyCamera[];
  uplink: UplinkSection;
  perDestination: { mainKbps: number; subKbps: number };
  /** Enabled destinations: id and protocol. */
  destinations: { id: string; protocol: string; profile: string }[];
}

export function recommend(input: RecommendInput): Msg[] {
  const out: Msg[] = [];
  const { cameras, uplink } = input;
  if (cameras.length === 0) {
    out.push(msg('survey.rec.noCameras'));
    return out;
  }
  const failed = cameras.filter((c) => c.verdict === 'fail');
  if (failed.length > 0) out.push(msg('survey.rec.fixFailed', { count: failed.length }));
  for (const c of cameras) {
    if (c.password.status === 'blank' || c.password.status === 'default')
      out.push(msg(`survey.rec.password.${c.password.status}`, { camera: c.id }));
  }
  const skewed = cameras.filter((c) => c.warnings.some((w) => w.step === 'time'));
  if (skewed.length > 0) out.push(msg('survey.rec.ntp', { cameras: skewed.map((c) => c.id).join(', ') }));
  const notChecked = cameras.filter(
    (c) => c.password.why === 'login-rejected' || c.password.why === 'locked',
  );
  if (notChecked.length > 0)
    out.push(msg('survey.rec.passwordUnchecked', { cameras: notChecked.map((c) => c.id).join(', ') }));

  if (input.destinations.length === 0) {
    out.push(
      msg('survey.rec.noDestinations', {
        mainKbps: input.perDestination.mainKbps,
        subKbps: input.perDestination.subKbps,
      }),
    );
  } else if (uplink.configuredKbps === null) {
    out.push(msg('survey.rec.uplinkUnknown', { kbps: uplink.neededKbps }));
  } else if (uplink.fits === false) {
    const over = uplink.neededKbps - uplink.configuredKbps;
    const withSub = uplink.destinations.reduce((n, d) => n + Math.min(d.kbps, d.subKbps), 0);
    for (const d of uplink.destinations.filter((x) => x.profile === 'main' && x.subKbps < x.kbps))
      out.push(msg('survey.rec.useSub', { destination: d.id, kbps: d.kbps, subKbps: d.subKbps }));
    if (withSub > uplink.configuredKbps)
      out.push(msg('survey.rec.raiseUplink', { kbps: uplink.neededKbps, over, subKbps: withSub }));
  }
  // Classic FLV has no H.265: an RTMP platform fails on every reconnect (FIELD-NOTES).
  for (const c of cameras.filter((x) => x.verdict !== 'fail')) {
    const main = c.profiles.find((p) => p.main);
    if (main?.encoding !== 'H265') continue;
    for (const d of input.destinations.filter((x) => x.protocol.startsWith('rtmp')))
      out.push(msg('survey.rec.h265Rtmp', { camera: c.id, destination: d.id }));
  }
  if (out.length === 0) out.push(msg('survey.rec.allGood'));
  return out;
}
