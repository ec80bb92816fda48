// zod's own validation messages in the technician's language (zod ships a Vietnamese locale).
import { z } from 'zod';

export function setConfigLanguage(lang: 'en' | 'vi'): void {
  z.config(lang === 'vi' ? z.locales.vi() : z.locales.en());
}
