// SOAP request bodies (the Body's inner XML only; the envelope and security header are added by the client).
import { escapeXml } from '../xml.ts';
import { NS_DEVICE, NS_MEDIA, NS_MEDIA2 } from './services.ts';

export type OnvifService = 'device' | 'media' | 'media2';

export interface SoapRequest {
  /** SOAP 1.2 action URI (the `action` parameter of the Content-Type). */
  action: string;
  body: string;
  /** Which service's XAddr to post it to. */
  service: OnvifService;
}

const NS_SCHEMA = 'http://www.onvif.org/ver10/schema';
const PREFIX = { device: 'tds', media: 'trt', media2: 'tr2' } as const;
const NAMESPACE = { device: NS_DEVICE, media: NS_MEDIA, media2: NS_MEDIA2 } as const;

/** `inner` is trusted markup built here; every device- or user-supplied value goes through escapeXml. */
function request(service: OnvifService, operation: string, inner = '', usesSchema = false): SoapRequest {
  const p = PREFIX[service];
  const ns = NAMESPACE[service];
  const open = `<${p}:${operation} xmlns:${p}="${ns}"${usesSchema ? ` xmlns:tt="${NS_SCHEMA}"` : ''}`;
  return {
    action: `${ns}/${operation}`,
    body: inner ? `${open}>${inner}</${p}:${operation}>` : `${open}/>`,
    service,
  };
}

const token = (p: string, profileToken: string): string =>
  `<${p}:ProfileToken>${escapeXml(profileToken)}</${p}:ProfileToken>`;

export const getSystemDateAndTime = (): SoapRequest => request('device', 'GetSystemDateAndTime');

export const getDeviceInformation = (): SoapRequest => request('device', 'GetDeviceInformation');

export const getNetworkInterfaces = (): SoapRequest => request('device', 'GetNetworkInterfaces');

export const getCapabilities = (): SoapRequest =>
  request('device', 'GetCapabilities', '<tds:Category>All</tds:Category>');

export const getServices = (includeCapability = false): SoapRequest =>
  request(
    'device',
    'GetServices',
    `<tds:IncludeCapability>${includeCapability ? 'true' : 'false'}</tds:IncludeCapability>`,
  );

export const getProfiles = (): SoapRequest => request('media', 'GetProfiles');

export const getProfiles2 = (): SoapRequest => request('media2', 'GetProfiles', '<tr2:Type>All</tr2:Type>');

export const getStreamUri = (profileToken: string): SoapRequest =>
  request(
    'media',
    'GetStreamUri',
    '<trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream>' +
      '<tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup>' +
      token('trt', profileToken),
    true,
  );

export const getStreamUri2 = (profileToken: string): SoapRequest =>
  request('media2', 'GetStreamUri', `<tr2:Protocol>RTSP</tr2:Protocol>${token('tr2', profileToken)}`);

export const getSnapshotUri = (profileToken: string): SoapRequest =>
  request('media', 'GetSnapshotUri', token('trt', profileToken));

export const getSnapshotUri2 = (profileToken: string): SoapRequest =>
  request('media2', 'GetSnapshotUri', token('tr2', profileToken));
