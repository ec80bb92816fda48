// GetSystemDateAndTime: the camera's clock, read before signing anything (WS-UsernameToken fails on skew).
import { child, find, num, text } from '../xml.ts';
import type { XmlNode } from '../xml.ts';
import { soapResponse } from './envelope.ts';
import type { XmlSource } from './envelope.ts';

export interface SystemDateAndTime {
  /** The camera's UTC clock; null when missing or not a real date. */
  utc: Date | null;
  /** 'NTP' or 'Manual' as sent. */
  dateTimeType: string | null;
  ntp: boolean | null;
  /** POSIX TZ string as sent. Informational only: vendors invert its signs, never compute with it. */
  tz: string | null;
}

export function parseSystemDateAndTime(xml: XmlSource): SystemDateAndTime {
  const sdt = child(soapResponse(xml, 'GetSystemDateAndTimeResponse'), 'SystemDateAndTime');
  const type = text(child(sdt, 'DateTimeType'));
  const ntp = type.toUpperCase() === 'NTP' ? true : type.toUpperCase() === 'MANUAL' ? false : null;
  return {
    utc: utcDate(child(sdt, 'UTCDateTime')),
    dateTimeType: type || null,
    ntp,
    tz: text(find(sdt, ['TimeZone', 'TZ'])) || null,
  };
}

function utcDate(node: XmlNode | undefined): Date | null {
  const part = (path: string[]): number | null => {
    const n = num(find(node, path));
    return n !== null && Number.isInteger(n) ? n : null;
  };
  const [y, mo, d] = [part(['Date', 'Year']), part(['Date', 'Month']), part(['Date', 'Day'])];
  const [h, mi, s] = [part(['Time', 'Hour']), part(['Time', 'Minute']), part(['Time', 'Second'])];
  if (y === null || mo === null || d === null || h === null || mi === null || s === null) return null;
  if (y < 1 || y > 9999 || h > 23 || mi > 59 || s > 59 || h < 0 || mi < 0 || s < 0) return null;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d); // setUTCFullYear keeps years 0-99 literal, unlike Date.UTC
  date.setUTCHours(h, mi, s, 0);
  // Reject rolled-over dates such as 31 February.
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return date;
}

/**
 * Camera clock minus ours, in ms, taking the reply as sent at the midpoint of the round trip.
 * Sign with `Date.now() + offset`.
 */
export function clockOffsetMs(deviceUtc: Date, sentAt: number, receivedAt: number): number {
  return Math.round(deviceUtc.getTime() - (sentAt + receivedAt) / 2);
}
