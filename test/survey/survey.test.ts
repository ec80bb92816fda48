// `edge-gateway survey` of the simulated site, as a technician runs it: the rows, reasons and flags
// in every format and both languages, the logins it cost each camera, and the HTML report opened in
// a real headless browser (screenshot kept in test-artifacts/, printed to an A4 PDF that fits).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport, REPORT_FORMATS } from '../../src/report/index.ts';
import { chromium } from '../support/chromium.ts';
import { runCli } from '../support/cli.ts';
import { cameraOf, expectSiteReport, type Report } from './expect.ts';
import { startSurveySite, type SurveySite } from './site.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = join(ROOT, 'test-artifacts');
const SECRETS = ['Secret-123', 'Other-Pass-9', 'Stale-Password-1'];

let s: SurveySite;
let report: Report;

/** Runs one survey and returns its output and the failed logins it cost each camera. */
async function survey(args: string[], env: NodeJS.ProcessEnv = { LANG: 'C.UTF-8' }) {
  const before = new Map(s.site.cameras.map((c) => [c.spec.id, c.failedLogins()]));
  const r = await runCli(['survey', '--config', s.config, '--by', 'Nguyễn Văn An', ...args], {
    env: { LC_ALL: '', LC_MESSAGES: '', ...env },
    timeoutMs: 120_000,
  });
  const failed = Object.fromEntries(
    s.site.cameras.map((c) => [c.spec.id, c.failedLogins() - before.get(c.spec.id)!]),
  );
  return { ...r, failed };
}

/** Never more than 2 failed logins per camera per survey, none on the locked one but its own read. */
function expectGentle(failed: Record<string, number>): void {
  for (const [id, n] of Object.entries(failed)) expect(n, id).toBeLessThanOrEqual(2);
  expect(failed.locked).toBeLessThanOrEqual(1);
  expect(s.cam('locked').locked()).toBe(true);
  expect(s.cam('dahua-default').locked()).toBe(false);
}

beforeAll(async () => {
  s = await startSurveySite();
}, 120_000);
afterAll(async () => {
  await s?.site.stop();
  if (s) rmSync(s.dir, { recursive: true, force: true });
});

describe('edge-gateway survey', () => {
  it('writes the JSON report of the site, valid against docs/survey/report.schema.json, without a password', async () => {
    const out = join(s.dir, 'report.json');
    const r = await survey(['--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Report written to ${out} (6 camera(s), 4 cannot be connected)`);
    const text = readFileSync(out, 'utf8');
    report = JSON.parse(text) as Report;
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const schema = JSON.parse(readFileSync(join(ROOT, 'docs/survey/report.schema.json'), 'utf8')) as object;
    const validate = ajv.compile(schema);
    expect(validate(report), ajv.errorsText(validate.errors)).toBe(true);
    expect(report.lang).toBe('en');
    expectSiteReport(report, s);
    expect(cameraOf(report, s, 'wrongpw').problem!.reason).toMatchObject({
      text: 'User name or password rejected',
    });
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expectGentle(r.failed);
    // The default-password camera: one blank try refused, the factory default accepted.
    expect(r.failed['dahua-default']).toBe(1);
    expect(r.failed.hik).toBeUndefined();
  }, 120_000);

  it('writes Markdown in Vietnamese with --lang vi', async () => {
    const r = await survey(['--lang', 'vi', '--format', 'md']);
    expect(r.code, r.stderr).toBe(0);
    const md = r.stdout;
    expect(md).toMatch(/^# Báo cáo khảo sát hiện trạng: Khu cách ly A/);
    expect(md).toContain('| Kỹ thuật viên | Nguyễn Văn An |');
    const row = (id: string) => md.split('\n').find((l) => l.startsWith(`| ${id} |`)) ?? '';
    expect(row('hik-ok')).toContain('chậm 60 phút');
    expect(row('wrongpw')).toContain('không kết nối được');
    expect(md).toContain('Sai tên đăng nhập hoặc mật khẩu');
    expect(md).toContain('Tài khoản bị khoá do đăng nhập sai nhiều lần');
    expect(md).toContain('Luồng video (RTSP) từ chối kết nối');
    expect(md).toMatch(/\| dahua-\w+ \| CHẤP NHẬN MẬT KHẨU MẶC ĐỊNH CỦA HÃNG: đổi mật khẩu ngay \| 2 \|/);
    expect(md).toContain('| locked | chưa kiểm tra: tài khoản đang bị khoá | 0 |');
    expect(md).toContain('## Khuyến nghị');
    for (const secret of SECRETS) expect(md + r.stderr).not.toContain(secret);
    expectGentle(r.failed);
  }, 120_000);

  it('writes CSV with one row per camera, in Vietnamese when the locale is vi_VN', async () => {
    const out = join(s.dir, 'report.csv');
    const r = await survey(['--out', out], { LC_ALL: 'vi_VN.UTF-8', LANG: 'C.UTF-8' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Đã ghi báo cáo vào');
    const csv = readFileSync(out, 'utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + 6);
    expect(lines[0]).toMatch(/^Camera,Địa chỉ,Cổng,Địa chỉ MAC,Hãng sản xuất,/);
    const line = (id: string) => lines.find((l) => l.startsWith(`${id},`)) ?? '';
    expect(line('wrongpw')).toContain('Sai tên đăng nhập hoặc mật khẩu');
    expect(line('locked')).toContain('chưa kiểm tra: tài khoản đang bị khoá,0');
    expect(line('hik-ok')).toContain(s.cam('hik-ok').mac);
    expect(lines.filter((l) => l.includes('CHẤP NHẬN MẬT KHẨU MẶC ĐỊNH'))).toHaveLength(1);
    expectGentle(r.failed);
  }, 120_000);

  it('renders every format in both languages from one survey, with the same rows and flags', () => {
    for (const lang of ['en', 'vi'] as const) {
      for (const format of REPORT_FORMATS) {
        const text = renderReport(report, format, lang);
        const where = `${format} ${lang}`;
        for (const id of ['hik-ok', 'wrongpw', 'locked', 'norstp', 'offline'])
          expect(text, where).toContain(id);
        if (format === 'json') expect(text, where).toMatch(/"status": "default",\s+"attempts": 2/);
        else
          expect(text, where).toContain(
            lang === 'vi' ? 'CHẤP NHẬN MẬT KHẨU MẶC ĐỊNH CỦA HÃNG' : 'ACCEPTS THE VENDOR',
          );
        expect(text, where).toContain(
          lang === 'vi' ? 'Tài khoản bị khoá' : 'Account locked after failed logins',
        );
        for (const secret of SECRETS) expect(text, where).not.toContain(secret);
      }
    }
  });

  it('writes HTML that prints on A4: no table wider than the page, a screenshot kept as an artifact', async () => {
    const out = join(s.dir, 'report.html');
    const r = await survey(['--lang', 'vi', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<html lang="vi">');
    expect(html).toContain('<h1>Báo cáo khảo sát hiện trạng: Khu cách ly A</h1>');
    expect(html.match(/<table[ >]/g)?.length).toBeGreaterThanOrEqual(7);
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'survey-vi.html'), html);
    chromium(['--window-size=794,1123', `--screenshot=${join(ARTIFACTS, 'survey-vi.png')}`, `file://${out}`]);
    expect(readFileSync(join(ARTIFACTS, 'survey-vi.png')).subarray(1, 4).toString()).toBe('PNG');

    // A4 minus 12 mm margins is 186 mm = 703 CSS px: at that width nothing may scroll sideways.
    const probe = join(s.dir, 'fit.html');
    const measure = `<script>addEventListener('load', () => {
      const wide = [...document.querySelectorAll('table, h1, h2, p, li')]
        .filter((e) => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > innerWidth + 1)
        .map((e) => e.tagName + ':' + (e.textContent || '').slice(0, 40));
      document.body.dataset.fit = JSON.stringify({ page: document.documentElement.scrollWidth, inner: innerWidth, wide });
    });</script>`;
    writeFileSync(probe, html.replace('</body>', `${measure}</body>`));
    const dom = chromium(['--window-size=703,1000', '--dump-dom', `file://${probe}`]).stdout;
    const fit = JSON.parse(
      /data-fit="([^"]*)"/
        .exec(dom)![1]!
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&'),
    ) as {
      page: number;
      inner: number;
      wide: string[];
    };
    expect(fit.wide).toEqual([]);
    expect(fit.page).toBeLessThanOrEqual(fit.inner);

    const pdf = join(ARTIFACTS, 'survey-vi.pdf');
    chromium(['--no-pdf-header-footer', `--print-to-pdf=${pdf}`, `file://${out}`]);
    const info = execFileSync('pdfinfo', [pdf]).toString();
    expect(info).toMatch(/Page size:\s+[\d.]+ x [\d.]+ pts \(A4\)/);
    const [w] = /Page size:\s+([\d.]+)/.exec(info)!.slice(1).map(Number);
    expect(w).toBeLessThan(596);
    expect(Number(/Pages:\s+(\d+)/.exec(info)![1])).toBeGreaterThanOrEqual(1);
    // Every word printed lies inside the page (xMax <= 595 pt) and the Vietnamese survived.
    const boxes = execFileSync('pdftotext', ['-bbox', pdf, '-']).toString();
    const xMax = Math.max(...[...boxes.matchAll(/xMax="([\d.]+)"/g)].map((m) => Number(m[1])));
    expect(xMax).toBeLessThanOrEqual(595.3);
    const textOfPdf = execFileSync('pdftotext', [pdf, '-']).toString();
    expect(textOfPdf).toContain('Báo cáo khảo sát hiện trạng');
    expectGentle(r.failed);
  }, 120_000);
});
