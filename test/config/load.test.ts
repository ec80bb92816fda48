// The configuration loader as a technician meets it: real files in a temporary directory,
// every problem listed at once, secrets resolved from a credentials directory and never echoed.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import type { SecretSource } from '../../src/config/secrets.ts';
import { clearSecretsForTest, scrubText } from '../../src/log/secrets.ts';

const EXAMPLE = new URL('../../config/gateway.example.yaml', import.meta.url).pathname;
const EXAMPLE_SECRETS = [
  'CAM_GATE1_PASSWORD',
  'CAM_ONVIF_PASSWORD',
  'CAM_DEFAULT_PASSWORD',
  'MQTT_USERNAME',
  'MQTT_PASSWORD',
];

const MINIMAL = `site:
  id: khu-a
  name: Khu A
recording:
  dir: /var/lib/edge-gateway/recordings
mqtt:
  url: mqtts://mqtt.example.vn:8883
`;

let dir: string;
let n = 0;
const noSecrets: SecretSource = { env: {} };

/** Writes a configuration file and returns its path. */
function write(text: string | Buffer, ext = 'yaml'): string {
  const file = join(dir, `config-${++n}.${ext}`);
  writeFileSync(file, text);
  return file;
}

/** The problems of an invalid file; fails the test if the file loads. */
function problemsOf(file: string, secrets: SecretSource = noSecrets): string[] {
  return errorOf(file, secrets).problems;
}

function errorOf(file: string, secrets: SecretSource = noSecrets): ConfigError {
  try {
    loadConfig(file, secrets);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`${file} loaded, but it should have been rejected`);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'edge-gw-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => clearSecretsForTest());

describe('loadConfig: valid files', () => {
  it('loads a minimal YAML file and fills in every default', () => {
    const cfg = loadConfig(
      write(MINIMAL + 'cameras:\n  - id: gate-1\n    url: rtsp://192.168.1.64/Streaming/Channels/101\n'),
      noSecrets,
    );
    expect(cfg.site).toEqual({ id: 'khu-a', name: 'Khu A' });
    expect(cfg.cameras).toEqual([
      { id: 'gate-1', url: 'rtsp://192.168.1.64/Streaming/Channels/101', enabled: true },
    ]);
    expect(cfg.destinations).toEqual([]);
    expect(cfg.discovery).toMatchObject({
      enabled: true,
      interfaces: [],
      subnets: [],
      ports: [80, 8000, 8080, 8899, 2020, 8088],
      probeWindowSeconds: 3,
      callTimeoutSeconds: 6,
      maxInFlightPerCamera: 2,
      multicastAddress: '239.255.255.250',
      multicastPort: 3702,
    });
    expect(cfg.store.path).toBe('/var/lib/edge-gateway/gateway.db');
    expect(cfg.mqtt).toEqual({ url: 'mqtts://mqtt.example.vn:8883', topicPrefix: 'edgegw' });
    expect(cfg.log.level).toBe('info');
  });

  it('accepts the same configuration written as JSON', () => {
    const asJson = JSON.stringify({
      site: { id: 'khu-a', name: 'Khu A' },
      recording: { dir: '/var/lib/edge-gateway/recordings' },
      mqtt: { url: 'mqtts://mqtt.example.vn:8883' },
    });
    expect(loadConfig(write(asJson, 'json'), noSecrets)).toEqual(loadConfig(write(MINIMAL), noSecrets));
  });

  it('keeps values that are written instead of the defaults', () => {
    const cfg = loadConfig(
      write(MINIMAL + 'discovery:\n  ports: [8899]\n  probeWindowSeconds: 1.5\nlog:\n  level: debug\n'),
      noSecrets,
    );
    expect(cfg.discovery.ports).toEqual([8899]);
    expect(cfg.discovery.probeWindowSeconds).toBe(1.5);
    expect(cfg.log.level).toBe('debug');
  });
});

describe('loadConfig: problems', () => {
  it('rejects unknown keys with their full path, inside arrays too', () => {
    const file = write(`site:
  id: khu-a
  name: Khu A
  extra: 1
cameras:
  - id: gate-1
    url: rtsp://192.168.1.64/1
  - id: gate-2
    url: rtsp://192.168.1.65/1
    foo: bar
recording:
  dir: /r
mqtt:
  url: mqtt://broker
  tls: true
loging:
  level: debug
`);
    expect(problemsOf(file).sort()).toEqual(
      [
        'cameras[1].foo: unknown key',
        'loging: unknown key',
        'mqtt.tls: unknown key',
        'site.extra: unknown key',
      ].sort(),
    );
  });

  it('reports every mistake at once, one "path: problem (got value)" line each', () => {
    const file = write(`site:
  id: Khu A
  name: Khu A
discovery:
  subnets: [10.0.0.0/8]
  ports: [80, 70000]
recording:
  dir: /r
mqtt:
  url: http://broker.example.vn
log:
  level: loud
`);
    const err = errorOf(file);
    expect(err.problems).toHaveLength(5);
    for (const line of err.problems) expect(line).toMatch(/^[a-zA-Z][\w.[\]]*: .+ \(got .+\)$/);
    expect(err.problems).toEqual([
      expect.stringMatching(/^site\.id: must be 1-63 lower-case letters.* \(got "Khu A"\)$/),
      'discovery.subnets[0]: is wider than /16: scanning it would take hours; split it (got "10.0.0.0/8")',
      expect.stringMatching(/^discovery\.ports\[1\]: .*65535.* \(got 70000\)$/),
      'mqtt.url: must be a URL starting with mqtt://, mqtts://, ws://, wss:// (got "http://broker.example.vn")',
      expect.stringMatching(/^log\.level: .*"info".* \(got "loud"\)$/),
    ]);
    // The message is what the CLI prints and the journal keeps: a count, then one problem per line.
    expect(err.message.split('\n')).toEqual([
      `${file}: 5 configuration problems`,
      ...err.problems.map((p) => `  ${p}`),
    ]);
  });

  it('names a missing section as required', () => {
    const file = write('site:\n  id: khu-a\n  name: Khu A\nmqtt:\n  url: mqtt://broker\n');
    expect(problemsOf(file)).toEqual(['recording: is required (got nothing)']);
  });

  it('gives the line and column of a YAML syntax error, once', () => {
    const file = write(MINIMAL + 'cameras:\n  - id: gate-1\n   url: rtsp://192.168.1.64/1\n');
    const problems = problemsOf(file);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^line 10, column \d+: \S.*$/);
    expect(problems[0]).not.toMatch(/ at line \d+/);
  });

  it('rejects a key written twice, with its line', () => {
    const file = write(MINIMAL + 'log:\n  level: info\nlog:\n  level: debug\n');
    expect(problemsOf(file)).toEqual(['line 10, column 1: Map keys must be unique']);
  });

  it('rejects a camera id used twice, pointing at the later entry', () => {
    const file = write(
      MINIMAL +
        'cameras:\n  - {id: gate-1, url: "rtsp://10.0.0.1/1"}\n  - {id: gate-2, url: "rtsp://10.0.0.2/1"}\n  - {id: gate-1, url: "rtsp://10.0.0.3/1"}\n',
    );
    expect(problemsOf(file)).toEqual(['cameras[2].id: duplicates an earlier camera id (got "gate-1")']);
  });

  it('refuses a 2 MB file without parsing it', () => {
    const file = write(MINIMAL + `# ${'x'.repeat(2 * 1024 * 1024)}\n`);
    const problems = problemsOf(file);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^is \d+ bytes; the limit is 1048576$/);
  });

  it('refuses a directory with a message that says so', () => {
    const sub = join(dir, 'etc-edge-gateway');
    mkdirSync(sub);
    const err = errorOf(sub);
    expect(err.problems).toEqual(['is a directory; give the path of the configuration file']);
    expect(err.message).toContain(sub);
  });

  it('reports a file that does not exist as unreadable', () => {
    expect(problemsOf(join(dir, 'missing.yaml'))).toEqual(['cannot be read: ENOENT']);
  });

  it('shows *** instead of the value when a password is wrong', () => {
    const file = write(
      MINIMAL.replace('mqtt:\n', 'mqtt:\n  password: ""\n') +
        'cameras:\n  - {id: gate-1, url: "rtsp://10.0.0.1/1", password: 4711}\n',
    );
    const problems = problemsOf(file);
    expect(problems).toEqual([
      expect.stringMatching(/^cameras\[0\]\.password: .* \(got \*\*\*\)$/),
      expect.stringMatching(/^mqtt\.password: .* \(got \*\*\*\)$/),
    ]);
    expect(problems.join('\n')).not.toContain('4711');
  });
});

describe('loadConfig: secrets', () => {
  it('reports a missing ${NAME} once per path, never again as "too small"', () => {
    const file = write(
      MINIMAL.replace('mqtt:\n', 'mqtt:\n  password: ${GW_MISSING}\n') +
        'cameras:\n  - id: gate-1\n    url: rtsp://10.0.0.1/1\n    password: ${GW_MISSING}\n  - id: gate-2\n    url: rtsp://10.0.0.2/1\n    password: "${GW_OTHER}:${GW_OTHER}"\n',
    );
    const problems = problemsOf(file);
    expect(problems.sort()).toEqual(
      [
        'cameras[0].password: secret ${GW_MISSING} is not set (looked in the environment)',
        'cameras[1].password: secret ${GW_OTHER} is not set (looked in the environment)',
        'mqtt.password: secret ${GW_MISSING} is not set (looked in the environment)',
      ].sort(),
    );
    expect(problems.join('\n')).not.toMatch(/too small/i);
  });

  it('says where it looked when a credentials directory is configured', () => {
    const creds = mkdtempSync(join(dir, 'creds-'));
    const file = write(MINIMAL.replace('mqtt:\n', 'mqtt:\n  password: ${GW_MISSING}\n'));
    expect(problemsOf(file, { credentialsDir: creds, env: {} })).toEqual([
      `mqtt.password: secret \${GW_MISSING} is not set (looked in ${join(creds, 'GW_MISSING')}, then the environment)`,
    ]);
  });

  it('reads ${NAME} from the credentials directory before the environment, without the trailing newline', () => {
    const creds = mkdtempSync(join(dir, 'creds-'));
    writeFileSync(join(creds, 'CAM_PW'), 'from-credential-file\n');
    const file = write(
      MINIMAL.replace('mqtt:\n', 'mqtt:\n  username: ${MQTT_USER}\n  password: ${CAM_PW}\n') +
        'cameras:\n  - id: gate-1\n    url: rtsp://10.0.0.1/1\n    username: admin\n    password: ${CAM_PW}\n',
    );
    const cfg = loadConfig(file, {
      credentialsDir: creds,
      env: { CAM_PW: 'from-environment', MQTT_USER: 'gw-khu-a' },
    });
    expect(cfg.cameras[0]?.password).toBe('from-credential-file');
    expect(cfg.mqtt.password).toBe('from-credential-file');
    // Not in the directory: the environment is the fallback.
    expect(cfg.mqtt.username).toBe('gw-khu-a');
  });

  it('never echoes a resolved secret in the error, and registers it with the scrubber', () => {
    const camSecret = 'Cam-Secret-8841';
    const mqttSecret = 'Mqtt-Secret-5520';
    // cameras written as a mapping and a wrong broker scheme: both problems carry a secret in their value.
    const file = write(`site:
  id: Khu A
  name: Khu A
cameras:
  id: gate-1
  url: rtsp://192.168.1.64/1
  password: \${CAM_PW}
recording:
  dir: /r
mqtt:
  url: http://gw:\${MQTT_PW}@broker.example.vn
`);
    const err = errorOf(file, { env: { CAM_PW: camSecret, MQTT_PW: mqttSecret } });
    expect(err.problems).toHaveLength(3);
    expect(err.problems.map((p) => p.split(':')[0])).toEqual(['site.id', 'cameras', 'mqtt.url']);
    expect(err.message).not.toContain(camSecret);
    expect(err.message).not.toContain(mqttSecret);
    expect(scrubText(camSecret)).toBe('***');
    expect(scrubText(`token ${mqttSecret} end`)).toBe('token *** end');
  });

  it('registers passwords written literally in a valid file with the scrubber', () => {
    const file = write(
      MINIMAL.replace('mqtt:\n', 'mqtt:\n  password: literal-mqtt-pw\n') +
        'cameras:\n  - {id: gate-1, url: "rtsp://10.0.0.1/1", password: literal-cam-pw}\n' +
        'discovery:\n  username: admin\n  password: literal-discovery-pw\n' +
        'destinations:\n  - {id: national, url: "rtmp://ingest.example.vn/live/{cameraId}", password: literal-dest-pw}\n',
    );
    loadConfig(file, noSecrets);
    for (const pw of ['literal-mqtt-pw', 'literal-cam-pw', 'literal-discovery-pw', 'literal-dest-pw']) {
      expect(scrubText(`x ${pw} y`)).toBe('x *** y');
    }
  });
});

describe('the annotated example config/gateway.example.yaml', () => {
  it('is valid once its secrets are set', () => {
    const env = Object.fromEntries(EXAMPLE_SECRETS.map((name) => [name, `value-of-${name.toLowerCase()}`]));
    const cfg = loadConfig(EXAMPLE, { env });
    expect(cfg.site.id).toBe('bv-dien-bien-khu-a');
    expect(cfg.cameras.map((c) => c.id)).toEqual(['gate-1', 'ward-b-corridor']);
    expect(cfg.cameras[0]?.password).toBe('value-of-cam_gate1_password');
    expect(cfg.destinations.map((d) => d.id)).toEqual(['national', 'ioc']);
  });

  it('fails with exactly its five missing-secret lines when none is set', () => {
    const problems = problemsOf(EXAMPLE);
    expect(problems).toEqual([
      'cameras[0].password: secret ${CAM_GATE1_PASSWORD} is not set (looked in the environment)',
      'cameras[1].password: secret ${CAM_ONVIF_PASSWORD} is not set (looked in the environment)',
      'discovery.password: secret ${CAM_DEFAULT_PASSWORD} is not set (looked in the environment)',
      'mqtt.username: secret ${MQTT_USERNAME} is not set (looked in the environment)',
      'mqtt.password: secret ${MQTT_PASSWORD} is not set (looked in the environment)',
    ]);
    // Every ${NAME} in the file is one of them: a new reference needs adding here.
    const refs = [...readFileSync(EXAMPLE, 'utf8').matchAll(/^[^#\n]*\$\{(\w+)\}/gm)].map((m) => m[1]);
    expect(refs).toEqual(EXAMPLE_SECRETS);
  });
});
