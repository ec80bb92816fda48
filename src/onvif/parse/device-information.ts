// GetDeviceInformation: manufacturer, model, firmware for the site report.
import type { DeviceInformation } from '../../core/camera.ts';
import { child, text } from '../xml.ts';
import { soapResponse } from './envelope.ts';
import type { XmlSource } from './envelope.ts';

/** Missing fields read as ''. Throws SoapFaultError when the camera refused (e.g. NotAuthorized). */
export function parseDeviceInformation(xml: XmlSource): DeviceInformation {
  const r = soapResponse(xml, 'GetDeviceInformationResponse');
  return {
    manufacturer: text(child(r, 'Manufacturer')),
    model: text(child(r, 'Model')),
    firmware: text(child(r, 'FirmwareVersion')),
    serial: text(child(r, 'SerialNumber')),
    hardwareId: text(child(r, 'HardwareId')),
  };
}
