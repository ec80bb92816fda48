// The message catalogues: every key in both languages, the same placeholders, and Vietnamese
// written with its diacritics (a technician reads "mật khẩu", not "mat khau").
import { describe, expect, it } from 'vitest';
import { en, vi } from '../../src/i18n/catalogue.ts';
import { detectLang, translator } from '../../src/i18n/index.ts';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
// Letters only Vietnamese uses (beyond ASCII): tone marks and ă â đ ê ô ơ ư.
const DIACRITIC = /[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]/i;

describe('message catalogues', () => {
  it('has every English key in Vietnamese and no Vietnamese key without English', () => {
    expect(Object.keys(vi).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(vi)) expect(text.trim(), key).not.toBe('');
  });

  it('keeps the same {placeholders} in both languages', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(vi[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('writes Vietnamese sentences with their diacritics', () => {
    const words = (s: string) =>
      s
        .replace(/\{\w+\}|--?[\w-]+|`[^`]*`/g, '')
        .split(/\s+/)
        .filter(Boolean);
    const bare = Object.entries(vi).filter(([, s]) => words(s).length >= 3 && !DIACRITIC.test(s));
    expect(bare.map(([k]) => k)).toEqual([]);
  });

  it('chooses the language from --lang, else LC_ALL, LC_MESSAGES, LANG; English by default', () => {
    expect(detectLang({ LANG: 'vi_VN.UTF-8' })).toBe('vi');
    expect(detectLang({ LC_ALL: 'vi_VN.UTF-8', LANG: 'en_US.UTF-8' })).toBe('vi');
    expect(detectLang({ LC_ALL: 'C.UTF-8', LANG: 'vi_VN.UTF-8' })).toBe('en');
    expect(detectLang({})).toBe('en');
    expect(translator('vi')('discover.none')).toMatch(/^Không tìm thấy camera nào/);
    expect(translator('en')('diagnose.verdict.fail', { step: 'auth' })).toBe('Failed at: auth.');
  });
});
