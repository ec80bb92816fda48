// Field types shared by the configuration's sections (see schema.ts, the single source of truth).
import { z } from 'zod';

export const slug = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    'must be 1-63 lower-case letters, digits, "-" or "_", starting with a letter or digit',
  );

export const cidr = z
  .string()
  .regex(
    /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d|[12]\d|3[0-2])$/,
    'must be an IPv4 CIDR range such as 192.168.1.0/24',
  )
  .refine(
    (v) =>
      v
        .split('/')[0]!
        .split('.')
        .every((o) => Number(o) <= 255),
    'has an octet above 255',
  )
  .refine((v) => Number(v.split('/')[1]) >= 16, 'is wider than /16: scanning it would take hours; split it');

export const port = z.number().int().min(1).max(65535);
export const seconds = (def: number, max: number) => z.number().positive().max(max).default(def);

export function urlWithScheme(schemes: string[]) {
  return z.string().refine(
    (v) => {
      const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(v.trim());
      return !!m && schemes.includes(m[1]!.toLowerCase());
    },
    `must be a URL starting with ${schemes.map((s) => s + '://').join(', ')}`,
  );
}

export const credentials = {
  username: z.string().min(1).optional().meta({ description: 'User name for this device.' }),
  password: z.string().min(1).optional().meta({
    description: 'Password. Write it as a ${NAME} reference to a credential file or environment variable.',
  }),
};
