// A closed set of reasons an ONVIF exchange can fail, so discover and diagnose can explain them.
export type OnvifErrorKind =
  | 'timeout' // no complete answer within the per-call deadline
  | 'refused' // TCP connection refused
  | 'unreachable' // no route, host down
  | 'network' // reset or other socket error
  | 'not-authorized' // credentials rejected (after the clock re-sync)
  | 'locked' // the device says the account is locked
  | 'no-credentials' // the device needs credentials and none were given
  | 'not-onvif' // answered, but not with SOAP (HTML, 404, a printer)
  | 'malformed' // broken XML
  | 'too-large' // response over the size cap
  | 'entity' // XML with DOCTYPE or entity declarations
  | 'fault' // a SOAP fault other than NotAuthorized
  | 'unsupported'; // the device does not offer the operation

export class OnvifError extends Error {
  constructor(
    readonly kind: OnvifErrorKind,
    message: string,
    readonly detail: { status?: number; subcode?: string | null } = {},
  ) {
    super(message);
    this.name = 'OnvifError';
  }
}

export function networkKind(code: string | undefined): OnvifErrorKind {
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'EADDRNOTAVAIL':
      return 'unreachable';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return 'network';
  }
}

/** Errors after which no further call to the device makes sense (and retrying could lock the account). */
export function isFatal(err: unknown): boolean {
  return (
    err instanceof OnvifError &&
    ['not-authorized', 'locked', 'no-credentials', 'timeout', 'refused', 'unreachable'].includes(err.kind)
  );
}
