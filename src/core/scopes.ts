// ONVIF WS-Discovery scopes (onvif://www.onvif.org/<category>/<value>): what a camera says about
// itself before any login, e.g. name/HIKVISION%20DS-2CD2012-I, hardware/IPC-HFW2431S, MAC/44:19:b6:...
const PREFIX = 'onvif://www.onvif.org/';

export function scopeValue(scopes: readonly string[] | undefined, category: string): string | null {
  for (const s of scopes ?? []) {
    if (!s.toLowerCase().startsWith(PREFIX + category.toLowerCase() + '/')) continue;
    const raw = s.slice(PREFIX.length + category.length + 1);
    try {
      return decodeURIComponent(raw).trim() || null;
    } catch {
      return raw.trim() || null;
    }
  }
  return null;
}

/** A MAC address in aa:bb:cc:dd:ee:ff form, from any of the usual spellings, or null. */
export function normaliseMac(value: string | null | undefined): string | null {
  const hex = (value ?? '').replace(/[^0-9a-f]/gi, '');
  if (hex.length !== 12 || /^0+$/.test(hex)) return null;
  return hex.toLowerCase().match(/../g)!.join(':');
}
