// `edge-gateway config check` run as a technician runs it: the real launcher in a child process,
// judged by exit code (sysexits: 0 ok, 64 usage, 78 configuration) and by what it prints.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LAUNCHER = join(ROOT, 'bin', 'edge-gateway.js');

const VALID = `site: {id: khu-a, name: Khu A}
recording: {dir: /var/lib/edge-gateway/recordings}
mqtt: {url: "mqtts://mqtt.example.vn:8883", password: "\${MQTT_PASSWORD}"}
cameras:
  - {id: gate-1, url: "rtsp://192.168.1.64/Streaming/Channels/101"}
`;

const INVALID = `site: {id: Khu A, name: Khu A, extra: 1}
recording: {dir: /r}
mqtt: {url: "http://broker", password: "\${MQTT_PASSWORD}"}
`;

let dir: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with a clean environment: no inherited secrets, English messages. */
function cli(args: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [LAUNCHER, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: process.env.PATH ?? '', HOME: dir, LANG: 'C.UTF-8', ...env },
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'edge-gw-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('edge-gateway config check', () => {
  it('exits 0 and summarises a valid file', () => {
    const r = cli(['config', 'check', write('valid.yaml', VALID)], { MQTT_PASSWORD: 'mqtt-pw-1234' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/is valid: site khu-a, 1 manual camera\(s\), 0 destination\(s\)/);
  });

  it('reads ${NAME} from $CREDENTIALS_DIRECTORY', () => {
    const creds = mkdtempSync(join(dir, 'creds-'));
    writeFileSync(join(creds, 'MQTT_PASSWORD'), 'from-systemd-credential\n');
    const r = cli(['config', 'check', write('creds.yaml', VALID)], { CREDENTIALS_DIRECTORY: creds });
    expect(r.code).toBe(0);
  });

  it('exits 78 and lists every problem on stderr for an invalid file', () => {
    const file = write('invalid.yaml', INVALID);
    const r = cli(['config', 'check', file], { MQTT_PASSWORD: 'mqtt-pw-1234' });
    expect(r.code).toBe(78);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`${file}: 3 configuration problem(s)`);
    expect(lines.at(-1)).toBe(`edge-gateway: invalid configuration ${file}`);
    expect(
      lines
        .slice(1, -1)
        .map((l) => l.trim().split(':')[0])
        .sort(),
    ).toEqual(['mqtt.url', 'site.extra', 'site.id']);
  });

  it('exits 0 when only secrets are missing, and lists each apart with where it looked', () => {
    const creds = mkdtempSync(join(dir, 'empty-creds-'));
    const r = cli(['config', 'check', write('nosecret.yaml', VALID), '--credentials', creds]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/is valid: site khu-a/);
    expect(r.stdout).toContain('1 secret(s) not set yet');
    expect(r.stdout).toContain(
      `\${MQTT_PASSWORD} (mqtt.password): looked in ${join(creds, 'MQTT_PASSWORD')}, environment variable MQTT_PASSWORD`,
    );
  });

  it('exits 78 with --strict when a secret is not set, the last line naming it', () => {
    const r = cli(['config', 'check', '--strict', write('nosecret.yaml', VALID)]);
    expect(r.code).toBe(78);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe('edge-gateway: secret(s) not set: MQTT_PASSWORD');
    const json = cli(['config', 'check', '--strict', '--json', write('nosecret.yaml', VALID)]);
    expect(json.code).toBe(78);
    expect(JSON.parse(json.stdout)).toMatchObject({
      valid: false,
      problems: [],
      missingSecrets: [{ name: 'MQTT_PASSWORD', path: 'mqtt.password' }],
    });
  });

  it('lists structural problems and missing secrets apart, and fails on the structure alone', () => {
    const r = cli(['config', 'check', write('both.yaml', INVALID)]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('3 configuration problem(s)');
    expect(r.stderr).toContain('1 secret(s) not set');
    expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(/^edge-gateway: invalid configuration /);
  });

  it('exits 78 for a file that does not exist', () => {
    const r = cli(['config', 'check', join(dir, 'nope.yaml')]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('cannot be read: ENOENT');
  });

  it('prints {file, valid, problems} with --json', () => {
    const good = write(
      'good.json',
      JSON.stringify({
        site: { id: 'khu-a', name: 'A' },
        recording: { dir: '/r' },
        mqtt: { url: 'mqtt://b' },
      }),
    );
    const ok = cli(['config', 'check', '--json', good]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ file: good, valid: true, problems: [], missingSecrets: [] });

    const bad = write('bad.yaml', INVALID);
    const r = cli(['config', 'check', bad, '--json'], { MQTT_PASSWORD: 'mqtt-pw-1234' });
    expect(r.code).toBe(78);
    const out = JSON.parse(r.stdout) as { file: string; valid: boolean; problems: string[] };
    expect(Object.keys(out).sort()).toEqual(['file', 'missingSecrets', 'problems', 'valid']);
    expect(out.file).toBe(bad);
    expect(out.valid).toBe(false);
    expect(out.problems).toHaveLength(3);
    expect(out.problems).toContain('site.extra: unknown key');
  });

  it('keeps a secret that sits in an invalid value out of its output', () => {
    const file = write(
      'leak.yaml',
      VALID.replace('mqtts://mqtt.example.vn:8883', 'http://gw:${MQTT_PASSWORD}@broker'),
    );
    const r = cli(['config', 'check', file, '--json'], { MQTT_PASSWORD: 'Sup3r-Secret-Pw' });
    expect(r.code).toBe(78);
    expect(r.stdout).toContain('mqtt.url');
    expect(r.stdout + r.stderr).not.toContain('Sup3r-Secret-Pw');
  });

  it('exits 64 when the file argument is missing', () => {
    const r = cli(['config', 'check']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain("missing required argument 'file'");
  });

  it('exits 64 for an unknown command', () => {
    const r = cli(['frobnicate']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  it('exits 0 for --help and describes the command', () => {
    const r = cli(['config', 'check', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: edge-gateway config check [options] <file>');
    expect(r.stdout).toContain('--json');
    expect(cli(['--help']).code).toBe(0);
  });

  it('says all of it in Vietnamese with --lang vi: summary, problems, help and commander errors', () => {
    const file = write('invalid-vi.yaml', INVALID);
    const r = cli(['--lang', 'vi', 'config', 'check', file]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`${file}: 3 lỗi cấu hình`);
    expect(r.stderr).toContain('site.extra: khoá không có trong cấu hình chuẩn');
    expect(r.stderr).toMatch(/site\.id: phải gồm 1-63 chữ thường.*\(nhận được "Khu A"\)/);
    expect(r.stderr).toContain('đã tìm ở biến môi trường MQTT_PASSWORD');
    expect(r.stderr).toContain(`edge-gateway: cấu hình không hợp lệ: ${file}`);
    expect(r.stderr).not.toMatch(/unknown key|configuration problem|looked in|invalid configuration/);

    const ok = cli(['config', 'check', write('valid-vi.yaml', VALID)], {
      MQTT_PASSWORD: 'x',
      LANG: 'vi_VN.UTF-8',
    });
    expect(ok.stdout).toMatch(/^Cấu hình .* hợp lệ: cơ sở khu-a, 1 camera khai báo thủ công, 0 điểm nhận\./);

    const help = cli(['config', 'check', '--help', '--lang', 'vi']);
    expect(help.stdout).toContain('Cách dùng: edge-gateway config check [tùy chọn] <file>');
    expect(help.stdout).toContain('Tùy chọn:');
    expect(help.stdout).toContain('hiển thị hướng dẫn của lệnh');
    expect(cli(['--lang', 'vi', 'config', 'check']).stderr).toContain("lỗi: thiếu tham số bắt buộc 'file'");
    expect(cli(['--lang', 'vi', 'frobnicate']).stderr).toContain("lỗi: không có lệnh 'frobnicate'");
  });
});
