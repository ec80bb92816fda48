// Dispatch of an authenticated SOAP request to the reply builders, by the Body element's local name
// and namespace (Media and Media2 share operation names).
import { actionNotSupported, NS } from './envelopes.ts';
import {
  getCapabilities,
  getDeviceInformation,
  getNetworkInterfaces,
  getScopes,
  getServices,
  getSystemDateAndTime,
} from './device-responses.ts';
import {
  getProfiles,
  getSnapshotUri,
  getStreamUri,
  getVideoSources,
  media2GetProfiles,
  media2GetSnapshotUri,
  media2GetStreamUri,
  noProfile,
} from './media-responses.ts';
import type { CameraModel } from './model.ts';
import type { SoapRequest } from './xml.ts';
import { elementText } from './xml.ts';

export interface SoapReply {
  status: number;
  xml: string;
}

type Service = 'device' | 'media' | 'media2' | 'other';

function serviceOf(m: CameraModel, req: SoapRequest, path: string): Service {
  switch (req.namespace) {
    case NS.tds:
      return 'device';
    case NS.trt:
      return 'media';
    case NS.tr2:
      return m.spec.media2 ? 'media2' : 'other';
    case undefined:
      // Unresolvable prefix: fall back to the endpoint the request was posted to.
      if (path === m.p.media2Path && m.spec.media2 && m.p.media2Path !== m.p.mediaPath) return 'media2';
      return path === m.p.mediaPath ? 'media' : 'device';
    default:
      return 'other';
  }
}

/** Replies with a fault status: SOAP 1.2 Sender faults are 400, Receiver faults 500. */
function reply(xml: string): SoapReply {
  const sender = /<(?:[\w.-]+:)?Value>\s*(?:[\w.-]+:)?Sender\s*</.test(xml);
  const isFault = /<(?:[\w.-]+:)?Fault\b/.test(xml);
  return { status: isFault ? (sender ? 400 : 500) : 200, xml };
}

export function handleSoap(m: CameraModel, req: SoapRequest, path: string): SoapReply {
  const service = serviceOf(m, req, path);
  const body = req.body;
  const token = elementText(body, 'ProfileToken');
  if (service === 'device') {
    switch (req.action) {
      case 'GetSystemDateAndTime':
        return reply(getSystemDateAndTime(m));
      case 'GetDeviceInformation':
        return reply(getDeviceInformation(m));
      case 'GetCapabilities':
        return reply(getCapabilities(m, body));
      case 'GetServices':
        return reply(getServices(m, body));
      case 'GetScopes':
        return reply(getScopes(m));
      case 'GetNetworkInterfaces':
        return reply(getNetworkInterfaces(m));
    }
  }
  if (service === 'media') {
    const prof = m.profiles.find((x) => x.media1 && x.token === token);
    switch (req.action) {
      case 'GetProfiles':
        return reply(getProfiles(m));
      case 'GetProfile':
        return reply(prof ? getProfiles(m, prof) : noProfile(m, token));
      case 'GetStreamUri':
        return reply(prof ? getStreamUri(m, prof) : noProfile(m, token));
      case 'GetSnapshotUri':
        return reply(prof ? getSnapshotUri(m) : noProfile(m, token));
      case 'GetVideoSources':
        return reply(getVideoSources(m));
    }
  }
  if (service === 'media2') {
    switch (req.action) {
      case 'GetProfiles':
        return reply(media2GetProfiles(m, body));
      case 'GetStreamUri':
        return reply(media2GetStreamUri(m, body));
      case 'GetSnapshotUri':
        return reply(m.profile(token)?.media2 ? media2GetSnapshotUri(m) : noProfile(m, token));
    }
  }
  return reply(actionNotSupported(m.p.name, req.action));
}
