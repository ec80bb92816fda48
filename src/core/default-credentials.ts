// Factory credentials that QCVN 135:2024/BTTTT and Decision 724/QĐ-BTTTT forbid on a camera
// connected to a public system. A short list, one default per vendor, from the vendors' own
// manuals (docs/survey.md cites each); never a password list.
// The survey tries at most two logins per camera: a blank password, then the vendor's default.

export interface VendorDefault {
  vendor: string;
  /** Matched against the ONVIF Manufacturer (OEMs report their own name: list them). */
  manufacturer: RegExp;
  username: string;
  password: string;
}

export const VENDOR_DEFAULTS: readonly VendorDefault[] = [
  // Firmware before 5.3 shipped admin/12345; later units are activated with a new password.
  {
    vendor: 'Hikvision',
    manufacturer: /hikvision|hik-?connect|ezviz/i,
    username: 'admin',
    password: '12345',
  },
  // Dahua and its OEMs shipped admin/admin before their initialisation page (2017).
  {
    vendor: 'Dahua',
    manufacturer: /dahua|amcrest|imou|kbvision|lorex/i,
    username: 'admin',
    password: 'admin',
  },
  { vendor: 'Axis', manufacturer: /axis/i, username: 'root', password: 'pass' },
  { vendor: 'TVT', manufacturer: /tvt|shenzhen tvt/i, username: 'admin', password: '123456' },
  { vendor: 'Uniview', manufacturer: /uniview|unv/i, username: 'admin', password: '123456' },
  // Xiongmai boards (many no-name cameras) ship admin with an empty password: the blank try covers it.
  { vendor: 'Xiongmai', manufacturer: /xiongmai|^xm$|h264dvr/i, username: 'admin', password: '' },
];

export type DefaultKind = 'blank' | 'default';

export interface DefaultTry {
  kind: DefaultKind;
  username: string;
  password: string;
}

/** At most this many logins per camera, whatever the list says. */
export const MAX_DEFAULT_TRIES = 2;

export function vendorDefault(manufacturer: string | null | undefined): VendorDefault | null {
  if (!manufacturer) return null;
  return VENDOR_DEFAULTS.find((v) => v.manufacturer.test(manufacturer)) ?? null;
}

/**
 * The logins worth trying on a camera, in order: a blank password, then the vendor default; each
 * once, none equal to the credentials already known (those are judged without a login), at most
 * MAX_DEFAULT_TRIES.
 */
export function defaultTries(
  manufacturer: string | null | undefined,
  known: { username: string; password: string } | null,
): DefaultTry[] {
  const v = vendorDefault(manufacturer);
  const user = v?.username ?? 'admin';
  const tries: DefaultTry[] = [{ kind: 'blank', username: user, password: '' }];
  if (v && v.password !== '') tries.push({ kind: 'default', username: v.username, password: v.password });
  return tries
    .filter((x) => !(known && known.username === x.username && known.password === x.password))
    .slice(0, MAX_DEFAULT_TRIES);
}

/** Whether credentials that worked are themselves blank or the vendor's default. */
export function knownIsDefault(
  manufacturer: string | null | undefined,
  known: { username: string; password: string },
): DefaultKind | null {
  if (known.password === '') return 'blank';
  const v = vendorDefault(manufacturer);
  return v && known.username === v.username && known.password === v.password ? 'default' : null;
}
