// One login attempt with one credential set, and nothing more: the default-password check of the
// survey must never cost a camera more than one failed login per credential it tries (Dahua and its
// OEMs lock the account after 5). The clock is read first, unauthenticated, so a WS-UsernameToken
// is not rejected for a skewed clock alone.
import { OnvifError } from './errors.ts';
import * as req from './parse/requests.ts';
import { DeviceSession } from './session.ts';
import type { Credentials } from './transport.ts';

/**
 * accepted: the camera let us in; rejected: it said no (one failed login); locked: the account is;
 * unreachable: no credential was sent; error: sent, with no clear answer (count it as a try).
 */
export type LoginOutcome = 'accepted' | 'rejected' | 'locked' | 'unreachable' | 'error';

export async function tryLoginOnce(
  onvifUrl: string,
  credentials: Credentials,
  timeoutMs: number,
): Promise<LoginOutcome> {
  const session = new DeviceSession(new URL(onvifUrl), {
    credentials,
    timeoutMs,
    maxInFlight: 1,
    resyncOnReject: false,
  });
  try {
    await session.readClock();
  } catch {
    return 'unreachable';
  }
  try {
    await session.call(session.deviceUrl, req.getDeviceInformation());
    return 'accepted';
  } catch (err) {
    if (err instanceof OnvifError && err.kind === 'not-authorized') return 'rejected';
    if (err instanceof OnvifError && err.kind === 'locked') return 'locked';
    return 'error';
  }
}
