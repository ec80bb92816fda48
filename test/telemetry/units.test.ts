// The pure parts of telemetry, and its SQLite tables on a real file: back-off, client id, topics,
// command authentication, availability, heartbeat size, config redaction, outbox bounds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayStatus } from '../../src/core/status.ts';
import { openStore, type Db } from '../../src/store/db.ts';
import { liveSeconds } from '../../src/telemetry/availability.ts';
import { AvailabilityStore } from '../../src/telemetry/availability-store.ts';
import { backoffDelay } from '../../src/core/backoff.ts';
import { stableClientId } from '../../src/telemetry/client-id.ts';
import { redactConfig } from '../../src/telemetry/commands/redact-config.ts';
import { NonceCache, signedCommand, verifyCommand } from '../../src/telemetry/commands/envelope.ts';
import { CameraBoard } from '../../src/telemetry/camera-board.ts';
import { eventMessage, failingEvent } from '../../src/telemetry/event-payloads.ts';
import { heartbeat } from '../../src/telemetry/heartbeat.ts';
import { cameraStatus } from '../../src/telemetry/status-payloads.ts';
import { TelemetryStore } from '../../src/telemetry/telemetry-store.ts';
import { topicsFor } from '../../src/telemetry/topics.ts';
import { harness, SECRETS, stream } from './harness.ts';
import { expectValid } from './schemas.ts';

describe('reconnect back-off', () => {
  it('steps through the delays, repeats the last, and jitters by at most 20 %', () => {
    const steps = [1000, 2000, 5000];
    expect([0, 1, 2, 3, 9].map((a) => backoffDelay(steps, a, () => 0.5))).toEqual([
      1000, 2000, 5000, 5000, 5000,
    ]);
    expect(backoffDelay(steps, 0, () => 0)).toBe(800);
    expect(backoffDelay(steps, 0, () => 1)).toBe(1200);
  });
});

describe('client id', () => {
  it('is stable per box and site, distinct across them, and short enough for any 3.1.1 broker', () => {
    const a = stableClientId('site-a', 'machine-1');
    expect(stableClientId('site-a', 'machine-1')).toBe(a);
    expect(stableClientId('site-b', 'machine-1')).not.toBe(a);
    expect(stableClientId('site-a', 'machine-2')).not.toBe(a);
    expect(a.length).toBeLessThanOrEqual(23);
  });
});

describe('topics', () => {
  const t = topicsFor('edgegw', 'site-1');
  it('names the tree and keeps replies inside it', () => {
    expect(t.camera('gate-1')).toBe('edgegw/site-1/cameras/gate-1/status');
    expect(t.commandName('edgegw/site-1/cmd/restart')).toBe('restart');
    expect(t.commandName('edgegw/site-1/cmd/restart/reply')).toBeNull();
    expect(t.commandName('edgegw/other/cmd/restart')).toBeNull();
    expect(t.reply('../../x')).toBe('edgegw/site-1/cmd/unknown/reply');
  });
});

describe('command authentication', () => {
  const secret = 'a-shared-secret-of-some-length';
  const body = {
    id: 'c1',
    cmd: 'restart',
    site: 's1',
    ts: 1_000_000,
    nonce: 'nonce-0001',
    args: { cameraId: 'x' },
  };
  const ctx = (over = {}) => ({
    secret,
    site: 's1',
    topicName: 'restart',
    windowMs: 60_000,
    nonces: new NonceCache(60_000),
    nowMs: 1_000_000,
    ...over,
  });
  const verify = (payload: string, over = {}) => verifyCommand(Buffer.from(payload), ctx(over));

  it('accepts a signed body once and returns it', () => {
    const c = ctx();
    const p = Buffer.from(signedCommand(secret, body));
    expect(verifyCommand(p, c)).toEqual({ body });
    expect(verifyCommand(p, c)).toMatchObject({
      refusal: { code: 'unauthorised', message: 'nonce already used' },
    });
  });

  it.each([
    [
      'a tampered body',
      JSON.stringify({
        body: JSON.stringify({ ...body, args: { cameraId: 'y' } }),
        sig: (JSON.parse(signedCommand(secret, body)) as { sig: string }).sig,
      }),
      {},
      'unauthorised',
    ],
    ['a stale timestamp', signedCommand(secret, body), { nowMs: 1_000_000 + 61_000 }, 'unauthorised'],
    ['another site', signedCommand(secret, body), { site: 's2' }, 'unauthorised'],
    ['another command topic', signedCommand(secret, body), { topicName: 'snapshot' }, 'unauthorised'],
    ['no secret configured', signedCommand(secret, body), { secret: null }, 'disabled'],
    ['an unknown body field', signedCommand(secret, { ...body, sudo: true } as typeof body), {}, 'malformed'],
    ['a short nonce', signedCommand(secret, { ...body, nonce: 'x' }), {}, 'malformed'],
    ['binary garbage', '\u0000\u0001', {}, 'malformed'],
  ])('refuses %s', (_what, payload, over, code) => {
    expect(verify(payload, over)).toMatchObject({ refusal: { code } });
  });
});

describe('availability', () => {
  it('counts live time inside the window from the state before it and the changes within', () => {
    const h = 3_600_000;
    expect(liveSeconds(true, [], 0, 24 * h)).toBe(86_400);
    expect(liveSeconds(null, [], 0, 24 * h)).toBe(0);
    expect(
      liveSeconds(
        false,
        [
          { up: true, atMs: 6 * h },
          { up: false, atMs: 18 * h },
        ],
        0,
        24 * h,
      ),
    ).toBe(12 * 3600);
    expect(liveSeconds(true, [{ up: false, atMs: 23 * h }], 0, 24 * h)).toBe(23 * 3600);
  });
});

describe('telemetry tables', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tstore-'));
    db = openStore(join(dir, 'gw.db'));
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('increments the session across opens of the database', () => {
    expect(new TelemetryStore(db).nextSession()).toBe(1);
    db.close();
    db = openStore(join(dir, 'gw.db'));
    expect(new TelemetryStore(db).nextSession()).toBe(2);
  });

  it('bounds the outbox by dropping the oldest rows', () => {
    const s = new TelemetryStore(db);
    for (let i = 0; i < 10; i++) s.enqueue('t', String(i), 1, true);
    expect(s.trim(4)).toBe(6);
    expect(s.pending()).toBe(4);
    expect(s.oldest()?.payload).toBe('6');
  });

  it('reports the share of 24 h each destination was live, closing states a crash left open', () => {
    const a = new AvailabilityStore(db);
    const to = new Date('2026-01-02T00:00:00Z');
    a.record('cam', 'national', true, '2026-01-01T06:00:00.000Z');
    a.record('cam', 'ioc', true, '2026-01-01T00:00:00.000Z');
    a.record('cam', 'ioc', false, '2026-01-01T12:00:00.000Z');
    // The daemon died at 18:00 with national still up.
    expect(a.closeOpen('2026-01-01T18:00:00.000Z')).toBe(1);
    const [r] = a.reports(new Date(to.getTime() - 86_400_000), to);
    expect(r!.destinations).toEqual([
      { id: 'ioc', liveSeconds: 12 * 3600, share: 0.5 },
      { id: 'national', liveSeconds: 12 * 3600, share: 0.5 },
    ]);
    a.saveReport('2026-01-02', r!);
    expect(a.savedReports('2026-01-02')).toEqual([r]);
  });
});

describe('payloads', () => {
  it('keeps a heartbeat of a 32-camera Raspberry Pi site with every field set under 1 KB', () => {
    const streams = Array.from({ length: 32 }, (_, i) =>
      stream(`camera-${i}`, 'live', { national: 'live', ioc: 'backing-off', doh: 'live' }),
    );
    const status = { uptimeSeconds: 9_999_999, streams, unsent: [] } as unknown as GatewayStatus;
    const hb = heartbeat({
      seq: 99_999_999,
      session: 99_999,
      status,
      broker: true,
      reconnects: 99_999,
      host: {
        at: new Date().toISOString(),
        cpuPercent: 100,
        load: [12.34, 12.34, 12.34],
        memUsedBytes: 8_589_934_592,
        memTotalBytes: 8_589_934_592,
        disk: { used: 2_000_000_000_000, free: 2_000_000_000_000 },
        cpuTempC: 85.5,
        pi: {
          raw: '0xf000f',
          now: ['under-voltage', 'freq-capped', 'throttled', 'soft-temp-limit'],
          since: ['under-voltage', 'freq-capped', 'throttled', 'soft-temp-limit'],
        },
        clockSynced: false,
      },
      clockStep: { deltaMs: -31_536_000_000, at: '2026-12-06T10:00:00.000Z' },
    });
    expectValid('heartbeat', hb);
    expect(hb.cameras).toEqual({ online: 32, total: 32, authFailed: 0, failing: 0 });
    expect(hb.destinations).toEqual({ up: 64, total: 96 });
    expect(Buffer.byteLength(JSON.stringify(hb))).toBeLessThanOrEqual(1024);
  });

  it('names a destination a camera is not sent to, with why, in its retained status', () => {
    const message =
      'H.265 cannot be sent over RTMP with ffmpeg 5.1; choose an H.264 profile or enable transcode';
    const status = {
      streams: [stream('yard', 'live', { province: 'live' })],
      unsent: [
        {
          cameraId: 'yard',
          destinationId: 'national',
          reason: { code: 'codec-container', codec: 'H265', protocol: 'rtmp', ffmpeg: '5.1' },
          message,
        },
      ],
    } as unknown as GatewayStatus;
    // The heartbeat counts it among the destinations, never up.
    const hb = heartbeat({ seq: 1, session: 1, status, broker: true, reconnects: 0, host: null });
    expect([hb.destinations, hb.uplink.video]).toEqual([{ up: 1, total: 2 }, 'up']);
    const board = new CameraBoard();
    expect(board.ids(status)).toEqual(['yard']);
    const doc = board.payload('yard', status, 1);
    expectValid('camera-status', doc);
    expect(doc.state).toBe('degraded');
    expect(doc.destinations).toEqual([
      expect.objectContaining({ id: 'province', state: 'live', up: true }),
      expect.objectContaining({
        id: 'national',
        state: 'not-sent',
        up: false,
        restartsLastHour: 0,
        reason: message,
      }),
    ]);
    // Nothing of the camera pulled (its only destination cannot take it): still listed, degraded.
    const alone = { ...status, streams: [] } as GatewayStatus;
    expect(new CameraBoard().payload('yard', alone, 1)).toMatchObject({ state: 'degraded', profile: null });
  });

  it('flags a camera that refused the login and a part that is failing, in the heartbeat and the retained status', () => {
    const held = { ...stream('door', 'auth-failed', {}), authRetryAt: '2026-12-06T21:23:41.165Z' };
    const gate = stream('gate', 'live', { national: 'backing-off', ioc: 'live' });
    gate.destinations[0]!.failures = 12;
    gate.destinations[0]!.failingSince = '2026-12-06T21:00:00.000Z';
    const status = { uptimeSeconds: 60, streams: [held, gate], unsent: [] } as unknown as GatewayStatus;
    const hb = heartbeat({ seq: 1, session: 1, status, broker: true, reconnects: 0, host: null });
    expectValid('heartbeat', hb);
    expect(hb.cameras).toEqual({ online: 1, total: 2, authFailed: 1, failing: 1 });
    const door = cameraStatus('door', status.streams, 'offline', held.authRetryAt, 1);
    expectValid('camera-status', door);
    expect(door).toMatchObject({ authFailed: true, authRetryAt: held.authRetryAt, failing: false });
    const g = cameraStatus('gate', status.streams, 'degraded', held.authRetryAt, 1);
    expectValid('camera-status', g);
    expect(g.destinations.map((d) => [d.id, d.failing])).toEqual([
      ['national', true],
      ['ioc', false],
    ]);
    for (const cleared of [false, true]) {
      const e = failingEvent({
        cameraId: 'gate',
        part: 'destination',
        destinationId: 'national',
        failures: cleared ? 0 : 10,
        reason: cleared ? null : 'could not open the destination: Connection refused',
        cleared,
        at: '2026-12-06T21:00:00.000Z',
      });
      expect(e.type).toBe(cleared ? 'part.failing.cleared' : 'part.failing');
      expectValid('event', eventMessage(e, 1, 1, false));
    }
  });

  it('removes every secret from the running configuration', () => {
    const h = harness('mqtt://127.0.0.1:1');
    try {
      const { config, redacted } = redactConfig(h.cfg);
      const text = JSON.stringify(config);
      for (const s of Object.values(SECRETS)) expect(text).not.toContain(s);
      expect(text).not.toMatch(/password|commandSecret/);
      expect(redacted).toContain('mqtt.commandSecret');
    } finally {
      void h.dispose();
    }
  });
});
