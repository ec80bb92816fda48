// The central system's side in tests: an mqtt.js client that records every message under the
// site, validates each against its schema and checks that no configured secret appears in it.
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { expectValid, schemaForTopic } from './schemas.ts';

export interface Seen {
  topic: string;
  text: string;
  json: unknown;
  retain: boolean;
  correlationData: Buffer | null;
  at: number;
}

export class Subscriber {
  readonly messages: Seen[] = [];
  readonly problems: string[] = [];

  private constructor(
    readonly client: MqttClient,
    private readonly secrets: string[],
  ) {
    client.on('message', (topic, payload, packet) =>
      this.record(topic, payload, packet.retain, packet.properties?.correlationData ?? null),
    );
  }

  static async connect(
    url: string,
    filter: string,
    secrets: string[],
    opts: IClientOptions = {},
  ): Promise<Subscriber> {
    const client = connect(url, { protocolVersion: 5, reconnectPeriod: 200, connectTimeout: 5000, ...opts });
    const sub = new Subscriber(client, secrets);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(filter, { qos: 1 });
    // After a broker restart the subscription must be made again (clean session).
    client.on('connect', () => void client.subscribeAsync(filter, { qos: 1 }).catch(() => undefined));
    return sub;
  }

  private record(topic: string, payload: Buffer, retain: boolean, correlationData: Buffer | null): void {
    const text = payload.toString('utf8');
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      /* commands sent by a test may be deliberately malformed */
    }
    const schema = schemaForTopic(topic);
    // Commands are the test's own input (some deliberately wrong); everything else is the gateway's.
    if (schema && schema !== 'command' && text) {
      try {
        expectValid(schema, json);
      } catch (err) {
        this.problems.push(`${topic}: ${(err as Error).message}`);
      }
      for (const s of this.secrets) if (text.includes(s)) this.problems.push(`${topic}: contains a secret`);
    }
    this.messages.push({ topic, text, json, retain, correlationData, at: Date.now() });
  }

  on(topicSuffix: string): Seen[] {
    return this.messages.filter((m) => m.topic.endsWith(topicSuffix));
  }

  last(topicSuffix: string): Seen | undefined {
    return this.on(topicSuffix).at(-1);
  }

  clear(): void {
    this.messages.length = 0;
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** A fresh client that only reads what the broker retains for a topic filter. */
export async function retained(url: string, filter: string, opts: IClientOptions = {}): Promise<Seen[]> {
  const s = await Subscriber.connect(url, filter, [], { reconnectPeriod: 0, ...opts });
  // Retained messages arrive right after SUBACK; a ping round trip makes sure they are in.
  await new Promise<void>((r) => s.client.publish('edgegw-test/ping', '', { qos: 1 }, () => r()));
  await s.close();
  return s.messages.filter((m) => m.retain);
}
