// Pure domain types for cameras as the gateway sees them. No I/O here.

/** One media profile of a camera, as reported by ONVIF Media1 or Media2. */
export interface MediaProfile {
  token: string;
  name: string;
  /** Normalised upper-case codec name: H264, H265, MJPEG, MPEG4, or null when the profile has no video encoder. */
  encoding: string | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  bitrateKbps: number | null;
  /** Stream URI with credentials removed and host normalised; null until fetched or when the camera refused. */
  streamUri: string | null;
}

export interface DeviceInformation {
  manufacturer: string;
  model: string;
  firmware: string;
  serial: string;
  hardwareId: string;
}

/** Service endpoints learnt from GetServices or GetCapabilities. Absolute http(s) URLs as the device sent them. */
export interface ServiceEndpoints {
  device: string | null;
  media: string | null;
  media2: string | null;
}

/** One ProbeMatch from a WS-Discovery reply. */
export interface ProbeMatch {
  /** wsa:EndpointReference/Address, e.g. urn:uuid:... or a MAC-like id. */
  endpoint: string;
  types: string[];
  scopes: string[];
  /** Every XAddr, split on any whitespace, in the order sent. */
  xaddrs: string[];
  metadataVersion: number | null;
}

/** A parsed SOAP fault. */
export interface SoapFault {
  code: string;
  subcode: string | null;
  reason: string;
}

export type AuthScheme = 'ws-security' | 'http-digest' | 'none';
