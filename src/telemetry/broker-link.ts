// The connection to the broker: the only importer of `mqtt`. We run our own reconnect loop
// (mqtt.js retries at a fixed period) so delays step up with jitter, a failover list is walked,
// a broker that refuses MQTT 5 is retried with 3.1.1, and a generation counter makes the
// callbacks of an abandoned client harmless.
import { readFileSync } from 'node:fs';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../log/logger.ts';
import { scrubText } from '../log/secrets.ts';
import { backoffDelay } from '../core/backoff.ts';

export interface Will {
  topic: string;
  payload: string;
}

export interface LinkOptions {
  urls: string[];
  clientId: string;
  username: string | undefined;
  password: string | undefined;
  caFile: string | undefined;
  certFile: string | undefined;
  keyFile: string | undefined;
  keepaliveSeconds: number;
  connectTimeoutMs: number;
  reconnectMs: number[];
  /** Asked before each attempt: the will carries the current session. */
  will: () => Will;
  subscriptions: string[];
  logger: Logger;
  random?: () => number;
}

export interface InboundMessage {
  topic: string;
  payload: Buffer;
  responseTopic: string | null;
  correlationData: Buffer | null;
}

export interface LinkHandlers {
  onUp(info: { url: string; protocolVersion: 4 | 5 }): void;
  onDown(reason: string): void;
  onMessage(msg: InboundMessage): void;
}

export interface PublishOptions {
  qos: 0 | 1;
  retain?: boolean;
  correlationData?: Buffer | null;
}

export class NotConnectedError extends Error {
  override name = 'NotConnectedError';
}

/** CONNACK codes meaning "not this protocol version": 3.1.1's 1 and MQTT 5's 0x84. */
const UNSUPPORTED_PROTOCOL = new Set([1, 0x84]);

export class BrokerLink {
  private client: MqttClient | null = null;
  private generation = 0;
  private attempt = 0;
  private urlIndex = 0;
  private up = false;
  private stopped = true;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly protocolOf = new Map<string, 4 | 5>();
  private readonly pending = new Set<(err: Error) => void>();
  private version: 4 | 5 = 5;
  reconnects = 0;

  constructor(
    private readonly opts: LinkOptions,
    private readonly handlers: LinkHandlers,
  ) {}

  get connected(): boolean {
    return this.up;
  }

  get protocolVersion(): 4 | 5 {
    return this.version;
  }

  /** Never throws and never waits: the daemon runs on while no broker answers. */
  start(): void {
    this.stopped = false;
    this.connectNext();
  }

  private connectNext(): void {
    if (this.stopped) return;
    const gen = ++this.generation;
    const url = this.opts.urls[this.urlIndex % this.opts.urls.length]!;
    const protocolVersion = this.protocolOf.get(url) ?? 5;
    let client: MqttClient;
    try {
      client = connect(url, this.clientOptions(protocolVersion));
    } catch (err) {
      // A TLS file that cannot be read: log it and try again later (it may be provisioned meanwhile).
      this.opts.logger.error({ err, url: scrubText(url) }, 'cannot connect to the broker');
      this.scheduleRetry(gen);
      return;
    }
    this.client = client;
    client.on('connect', () => {
      if (gen !== this.generation) return;
      this.attempt = 0;
      this.up = true;
      this.version = protocolVersion;
      client.subscribe(this.opts.subscriptions, { qos: 1 }, (err) => {
        if (err) this.opts.logger.error({ err }, 'subscribe failed');
      });
      this.handlers.onUp({ url, protocolVersion });
    });
    client.on('message', (topic, payload, packet) => {
      if (gen !== this.generation) return;
      const p = packet.properties;
      this.handlers.onMessage({
        topic,
        payload,
        responseTopic: p?.responseTopic ?? null,
        correlationData: p?.correlationData ?? null,
      });
    });
    client.on('error', (err: Error & { code?: number | string }) => {
      if (gen !== this.generation) return;
      if (typeof err.code === 'number' && UNSUPPORTED_PROTOCOL.has(err.code) && protocolVersion === 5) {
        this.opts.logger.warn({ url: scrubText(url) }, 'broker refuses mqtt 5: falling back to 3.1.1');
        this.protocolOf.set(url, 4);
        this.attempt = -1; // the fallback is tried at once, not after a back-off step
      } else this.opts.logger.warn({ err, url: scrubText(url) }, 'broker connection error');
    });
    client.on('close', () => {
      if (gen !== this.generation) return;
      const wasUp = this.up;
      this.up = false;
      this.failPending(new NotConnectedError('connection closed'));
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end(true);
      if (wasUp) {
        this.reconnects++;
        this.handlers.onDown('connection closed');
      } else this.urlIndex++; // never got in: try the next broker of the failover list
      this.scheduleRetry(gen);
    });
  }

  private clientOptions(protocolVersion: 4 | 5): IClientOptions {
    const will = this.opts.will();
    const read = (f: string | undefined) => (f ? readFileSync(f) : undefined);
    const tls = { ca: read(this.opts.caFile), cert: read(this.opts.certFile), key: read(this.opts.keyFile) };
    return {
      clientId: this.opts.clientId,
      username: this.opts.username,
      password: this.opts.password,
      protocolVersion,
      clean: true,
      keepalive: this.opts.keepaliveSeconds,
      connectTimeout: this.opts.connectTimeoutMs,
      reconnectPeriod: 0,
      // QoS 0 while offline fails at once instead of piling up in memory.
      queueQoSZero: false,
      // mqtt-packet's number cache is 65536 two-byte Buffers (about 12 MB of heap) built at the first
      // packet: a few publishes a minute do not need it.
      writeCache: false,
      will: { topic: will.topic, payload: Buffer.from(will.payload), qos: 1, retain: true },
      ...(tls.ca ? { ca: tls.ca } : {}),
      ...(tls.cert ? { cert: tls.cert } : {}),
      ...(tls.key ? { key: tls.key } : {}),
      rejectUnauthorized: true,
    };
  }

  private scheduleRetry(gen: number): void {
    if (this.stopped || gen !== this.generation) return;
    const delay =
      this.attempt < 0
        ? 0
        : backoffDelay(this.opts.reconnectMs, this.attempt, this.opts.random ?? Math.random);
    this.attempt = Math.max(0, this.attempt + 1);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connectNext();
    }, delay);
  }

  private failPending(err: Error): void {
    for (const reject of [...this.pending]) reject(err);
    this.pending.clear();
  }

  /** Resolves when the broker has the message (PUBACK for QoS 1); rejects when offline or cut. */
  publish(topic: string, payload: string | Buffer, opts: PublishOptions): Promise<void> {
    const client = this.client;
    if (!client || !this.up) return Promise.reject(new NotConnectedError('not connected to the broker'));
    return new Promise<void>((resolve, reject) => {
      const settle = (err?: Error) => {
        this.pending.delete(settle);
        if (err) reject(err);
        else resolve();
      };
      this.pending.add(settle);
      const properties =
        opts.correlationData && this.version === 5 ? { correlationData: opts.correlationData } : undefined;
      client.publish(
        topic,
        payload,
        { qos: opts.qos, retain: opts.retain ?? false, ...(properties ? { properties } : {}) },
        (err) => settle(err ?? undefined),
      );
    });
  }

  /** Sends a last message (the clean offline status) if connected, then disconnects. */
  async stop(last?: { topic: string; payload: string }, timeoutMs = 1000): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const client = this.client;
    // Callbacks of this client are stale from here on; the last message still goes through it.
    this.generation++;
    if (!client) return;
    if (last && this.up) {
      const sent = this.publish(last.topic, last.payload, { qos: 1, retain: true }).catch(() => undefined);
      await Promise.race([sent, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    }
    this.client = null;
    this.up = false;
    this.failPending(new NotConnectedError('stopping'));
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => (client.end(true), resolve()), timeoutMs);
      t.unref();
      client.end(false, {}, () => (clearTimeout(t), resolve()));
    });
    client.removeAllListeners();
    client.on('error', () => undefined);
  }
}
