// Where a device's media services are: GetServices, else GetCapabilities on older firmware. Shared by
// the full device read and the on-demand snapshot URI read.
import type { ServiceEndpoints } from '../core/camera.ts';
import { isFatal } from './errors.ts';
import type { DeviceSession } from './session.ts';
import { parseCapabilities } from './parse/capabilities.ts';
import { parseServices } from './parse/services.ts';
import * as req from './parse/requests.ts';

/**
 * GetServices is in ONVIF Core's PRE_AUTH class: asked without credentials, beside the clock read.
 * Signed (after the clock) only where the device wants a login for it anyway.
 */
export async function readEndpoints(session: DeviceSession, url: URL): Promise<ServiceEndpoints> {
  let askSigned = true;
  try {
    const open = await session.callOpen(url, req.getServices(false));
    if (open !== null) {
      const s = parseServices(open);
      if (s.media || s.media2) return s;
      askSigned = false;
    }
  } catch (err) {
    if (isFatal(err)) throw err;
    askSigned = false;
  }
  if (askSigned) {
    try {
      const s = parseServices(await session.call(url, req.getServices(false)));
      if (s.media || s.media2) return s;
    } catch (err) {
      if (isFatal(err)) throw err;
    }
  }
  // Older firmware has no GetServices (Hikvision answers InvalidArgVal): fall back to GetCapabilities.
  return parseCapabilities(await session.call(url, req.getCapabilities()));
}
