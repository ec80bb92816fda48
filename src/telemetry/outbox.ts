// Every event goes through the outbox: written to SQLite first, sent in order, deleted once the
// broker acknowledges it (QoS 1). Events that waited through an outage, or that a previous run
// never got out, go out marked historical. At least once: a cut mid-send can repeat one.
import type { Logger } from '../log/logger.ts';
import { scrubText } from '../log/secrets.ts';
import type { PublishOptions } from './broker-link.ts';
import { eventMessage, type TelemetryEvent } from './event-payloads.ts';
import type { TelemetryStore } from './telemetry-store.ts';

export interface Publisher {
  readonly connected: boolean;
  publish(topic: string, payload: string, opts: PublishOptions): Promise<void>;
}

export class Outbox {
  private flushing = false;
  dropped = 0;

  constructor(
    private readonly store: TelemetryStore,
    private readonly link: Publisher,
    private readonly session: number,
    private readonly logger: Logger,
  ) {}

  add(topic: string, event: TelemetryEvent): void {
    try {
      this.store.enqueue(topic, JSON.stringify(event), this.session, !this.link.connected);
      const trimmed = this.store.trim();
      if (trimmed > 0) {
        this.dropped += trimmed;
        this.logger.warn({ dropped: trimmed }, 'outbox full: oldest events dropped');
      }
    } catch (err) {
      // A full or broken disk must not take the event source down with it.
      this.logger.error({ err, type: event.type }, 'cannot keep event in the outbox');
      return;
    }
    this.kick();
  }

  /** Starts sending if connected; a no-op while a flush is under way (it picks new rows up). */
  kick(): void {
    if (this.flushing || !this.link.connected) return;
    this.flushing = true;
    void this.flush().finally(() => (this.flushing = false));
  }

  private async flush(): Promise<void> {
    while (this.link.connected) {
      const row = this.store.oldest();
      if (!row) return;
      let event: TelemetryEvent;
      try {
        event = JSON.parse(row.payload) as TelemetryEvent;
      } catch {
        this.store.remove(row.seq);
        continue;
      }
      const historical = row.offline || row.session !== this.session;
      const payload = scrubText(JSON.stringify(eventMessage(event, row.session, row.seq, historical)));
      try {
        await this.link.publish(row.topic, payload, { qos: 1 });
      } catch (err) {
        this.logger.debug({ err, seq: row.seq }, 'outbox send interrupted');
        return; // disconnected: the row stays, the next connection resumes from it
      }
      this.store.remove(row.seq);
    }
  }
}
