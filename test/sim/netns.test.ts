// netns mode (root only): cameras in their own namespaces behind a bridge, the test acting as the
// gateway from the "gw" namespace. Multicast discovery on 239.255.255.250:3702 crosses the bridge.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSite } from './site.ts';
import type { SimSite } from './site.ts';
import { cameraUtc, ffprobe } from './test-clients.ts';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

// Runs inside the gw namespace: multicast one Probe and print every reply seen within 1.5 s.
const PROBE_SCRIPT = `
const dgram = require('node:dgram');
const s = dgram.createSocket('udp4');
const out = [];
s.on('message', (m, r) => {
  const t = m.toString();
  const body = t.slice(t.indexOf('ProbeMatch>'));
  const get = (k) => (new RegExp(':' + k + '>\\\\s*([^<]*?)\\\\s*<').exec(k === 'Address' ? body : t) || [])[1];
  out.push({ from: r.address, port: r.port, relatesTo: get('RelatesTo'), endpoint: get('Address') });
});
s.bind(0, () => {
  const xml = '<?xml version="1.0" encoding="UTF-8"?><e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><e:Header><w:MessageID>uuid:netns-test-probe</w:MessageID><w:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To><w:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</w:Action></e:Header><e:Body><d:Probe><d:Types xmlns:dn="http://www.onvif.org/ver10/network/wsdl">dn:NetworkVideoTransmitter</d:Types></d:Probe></e:Body></e:Envelope>';
  s.send(xml, 3702, '239.255.255.250');
  setTimeout(() => { process.stdout.write(JSON.stringify(out)); s.close(); }, 1500);
});
`;

// Runs inside the gw namespace: POST GetSystemDateAndTime and print the status.
const GSDT_SCRIPT = `
const http = require('node:http');
const req = http.request(process.argv[1], { method: 'POST', headers: { 'Content-Type': 'application/soap+xml' } }, (res) => {
  let body = '';
  res.on('data', (c) => (body += c));
  res.on('end', () => process.stdout.write(res.statusCode + '\\n' + body));
});
req.on('error', (e) => process.stdout.write(e.code || e.message));
req.end('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>');
`;

// Runs inside the gw namespace: one GetDeviceInformation with a WS token and a wrong password.
const WRONG_LOGIN_SCRIPT = `
const http = require('node:http');
const crypto = require('node:crypto');
const nonce = crypto.randomBytes(16);
const created = new Date().toISOString();
const digest = crypto.createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created), Buffer.from('wrong')])).digest('base64');
const sec = '<Security xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><UsernameToken>' +
  '<Username>admin</Username><Password Type="PasswordDigest">' + digest + '</Password><Nonce>' + nonce.toString('base64') +
  '</Nonce><Created>' + created + '</Created></UsernameToken></Security>';
const req = http.request(process.argv[1], { method: 'POST' }, (res) => {
  let b = '';
  res.on('data', (c) => (b += c));
  res.on('end', () => process.stdout.write(res.statusCode + ' ' + (/Text[^>]*>([^<]*)</.exec(b) || [])[1]));
});
req.end('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header>' + sec +
  '</s:Header><s:Body><GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>');
`;

let site: SimSite | undefined;
let prefix = '';

function inGw(args: string[]) {
  return run('ip', ['netns', 'exec', site?.gwNamespace ?? '', ...args], { timeout: 20_000 });
}

function siteNamespaces(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => prefix !== '' && n.startsWith(prefix));
}

beforeAll(async () => {
  if (!isRoot) return;
  site = await startSite({
    mode: 'netns',
    cameras: [
      { id: 'hik-ns', personality: 'hikvision' },
      { id: 'dahua-ns', personality: 'dahua', rtsp: false },
      { id: 'nn-ns', personality: 'noname', rtsp: false },
    ],
  });
  prefix = (site.gwNamespace ?? '').replace(/-gw$/, '');
});
afterAll(() => site?.stop());

describe('netns mode', () => {
  it.skipIf(!isRoot)(
    'a multicast Probe from the gw namespace reaches every camera across the bridge',
    async () => {
      const { stdout } = await inGw([process.execPath, '-e', PROBE_SCRIPT]);
      const replies = JSON.parse(stdout) as {
        from: string;
        port: number;
        relatesTo: string;
        endpoint: string;
      }[];
      const cams = site?.cameras ?? [];
      expect(new Set(replies.map((r) => r.from))).toEqual(new Set(cams.map((c) => c.host)));
      expect(new Set(replies.map((r) => r.endpoint))).toEqual(new Set(cams.map((c) => c.endpointRef)));
      for (const r of replies) {
        expect(r.port).toBe(3702);
        expect(r.relatesTo).toBe('uuid:netns-test-probe');
      }
      expect(replies).toHaveLength(4); // Hikvision answers twice
    },
  );

  it.skipIf(!isRoot)('ONVIF and RTSP answer from the gw namespace at standard ports', async () => {
    const [hik, , nn] = site?.cameras ?? [];
    expect(hik?.onvifUrl).toMatch(/^http:\/\/10\.213\.\d+\.10\/onvif\/device_service$/);
    expect(nn?.onvifUrl).toMatch(/^http:\/\/10\.213\.\d+\.12:8899\/onvif\/services$/);
    for (const c of site?.cameras ?? []) {
      const { stdout } = await inGw([process.execPath, '-e', GSDT_SCRIPT, c.onvifUrl]);
      expect(stdout.split('\n')[0], c.spec.id).toBe('200');
    }
    const [stream] = await ffprobe(hik?.rtspUrl('main') ?? '', 'tcp', [
      'ip',
      'netns',
      'exec',
      site?.gwNamespace ?? '',
    ]);
    expect(stream).toMatchObject({ codec_name: 'h264', width: 1280, height: 720 });
  });

  it.skipIf(!isRoot)('failed logins are mirrored to the parent before the reply arrives', async () => {
    const c = site?.cameras[1];
    for (let i = 1; i <= 2; i++) {
      const { stdout } = await inGw([process.execPath, '-e', WRONG_LOGIN_SCRIPT, c?.onvifUrl ?? '']);
      expect(stdout).toBe(`400 You still have ${5 - i} attempt(s)`);
      expect(c?.failedLogins()).toBe(i);
    }
    expect(c?.locked()).toBe(false);
  });

  it.skipIf(!isRoot)('setClockSkew reaches the camera process (after sync())', async () => {
    const c = site?.cameras[2];
    c?.setClockSkew(-3600);
    await c?.sync();
    const { stdout } = await inGw([process.execPath, '-e', GSDT_SCRIPT, c?.onvifUrl ?? '']);
    const skew = (cameraUtc(stdout).getTime() - Date.now()) / 1000;
    expect(Math.abs(skew + 3600)).toBeLessThan(3);
  });

  it.skipIf(!isRoot)('stop() removes every namespace and process it made', async () => {
    const hosts = (site?.cameras ?? []).map((c) => c.host);
    expect(siteNamespaces()).toHaveLength(5); // switch, gw, 3 cameras
    await site?.stop();
    expect(siteNamespaces()).toHaveLength(0);
    for (const h of hosts) {
      const left = await run('pgrep', ['-f', `"host":"${h}"|--address ${h} `]).catch(() => ({ stdout: '' }));
      expect(left.stdout.trim(), h).toBe('');
    }
  });
});
