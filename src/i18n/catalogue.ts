// Every human-facing sentence, by key, in English and Vietnamese. Each area keeps both languages
// side by side in messages/<area>.ts; the type makes a missing translation a compile error and
// test/i18n/catalogue.test.ts checks placeholders and diacritics.
import * as config from './messages/config.ts';
import * as diagnose from './messages/diagnose.ts';
import * as discover from './messages/discover.ts';

export const en = { ...config.en, ...discover.en, ...diagnose.en } as const;

export type MessageKey = keyof typeof en;

export const vi: Record<MessageKey, string> = { ...config.vi, ...discover.vi, ...diagnose.vi };
