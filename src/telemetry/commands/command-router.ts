// Inbound commands: authenticate, validate, run, reply. Never throws to the MQTT client and
// never awaits a command inline, so a slow camera cannot hold up heartbeats or other commands.
import type { Logger } from '../../log/logger.ts';
import type { InboundMessage } from '../broker-link.ts';
import { COMMANDS, type CommandName, type Topics } from '../topics.ts';
import { parseArgs } from './command-args.ts';
import { CommandError } from './command-error.ts';
import { NonceCache, verifyCommand } from './envelope.ts';

export interface CommandOps {
  rediscover(): Promise<unknown>;
  diagnose(cameraId: string): Promise<unknown>;
  restart(cameraId: string): Promise<unknown>;
  snapshot(cameraId: string): Promise<unknown>;
  config(): unknown;
}

export interface CommandRouterDeps {
  topics: Topics;
  site: string;
  secret: string | null;
  windowMs: number;
  ops: CommandOps;
  reply(topic: string, payload: Record<string, unknown>, correlationData: Buffer | null): Promise<void>;
  logger: Logger;
  now?: () => number;
}

/** Camera calls take seconds; more than this many at once are refused as busy, not queued forever. */
const MAX_HEAVY = 2;
const HEAVY = new Set<CommandName>(['rediscover', 'diagnose', 'snapshot']);
/** A response topic chosen by the sender must be a plain topic, not a filter. */
const isPlainTopic = (t: string) =>
  t.length > 0 && t.length <= 256 && !/[#+]/.test(t) && !t.includes('\u0000');

export class CommandRouter {
  private readonly nonces: NonceCache;
  private heavy = 0;
  handled = 0;

  constructor(private readonly deps: CommandRouterDeps) {
    this.nonces = new NonceCache(deps.windowMs);
  }

  handle(msg: InboundMessage): void {
    this.handled++;
    void this.run(msg).catch((err: unknown) => this.deps.logger.error({ err }, 'command handling failed'));
  }

  private async run(msg: InboundMessage): Promise<void> {
    const { topics, logger } = this.deps;
    const name = topics.commandName(msg.topic) ?? 'unknown';
    // Until the sender is authenticated it cannot choose where we publish.
    let replyTo = topics.reply(name);
    const send = (
      id: string | null,
      body: { result: unknown } | { error: { code: string; message: string } },
    ) =>
      this.deps.reply(
        replyTo,
        { id, cmd: name, ok: 'result' in body, at: new Date().toISOString(), ...body },
        msg.correlationData,
      );

    const verified = verifyCommand(msg.payload, {
      secret: this.deps.secret,
      site: this.deps.site,
      topicName: name,
      windowMs: this.deps.windowMs,
      nonces: this.nonces,
      nowMs: (this.deps.now ?? Date.now)(),
    });
    if ('refusal' in verified) {
      logger.warn(
        { cmd: name, code: verified.refusal.code, reason: verified.refusal.message },
        'command refused',
      );
      return send(null, { error: verified.refusal });
    }
    const { body } = verified;
    if (msg.responseTopic && isPlainTopic(msg.responseTopic)) replyTo = msg.responseTopic;
    if (!(COMMANDS as readonly string[]).includes(name)) {
      logger.warn({ cmd: name, id: body.id }, 'unknown command');
      return send(body.id, { error: { code: 'unknown-command', message: `no command ${name}` } });
    }
    const cmd = name as CommandName;
    const parsed = parseArgs(cmd, body.args);
    if (!parsed.ok) {
      logger.warn({ cmd, id: body.id, reason: parsed.message }, 'command invalid');
      return send(body.id, { error: { code: 'invalid', message: parsed.message } });
    }
    if (HEAVY.has(cmd) && this.heavy >= MAX_HEAVY)
      return send(body.id, {
        error: { code: 'busy', message: 'other camera commands are running; retry later' },
      });
    logger.info({ cmd, id: body.id }, 'command accepted');
    if (HEAVY.has(cmd)) this.heavy++;
    try {
      const result = await this.dispatch(cmd, parsed.args);
      return await send(body.id, { result });
    } catch (err) {
      const e = err instanceof CommandError ? err : new CommandError('failed', (err as Error).message);
      logger.warn({ cmd, id: body.id, code: e.code, err: e }, 'command failed');
      return send(body.id, { error: { code: e.code, message: e.message } });
    } finally {
      if (HEAVY.has(cmd)) this.heavy--;
    }
  }

  private dispatch(cmd: CommandName, args: { cameraId?: string }): Promise<unknown> {
    const ops = this.deps.ops;
    const id = args.cameraId ?? '';
    switch (cmd) {
      case 'rediscover':
        return ops.rediscover();
      case 'diagnose':
        return ops.diagnose(id);
      case 'restart':
        return ops.restart(id);
      case 'snapshot':
        return ops.snapshot(id);
      case 'config':
        return Promise.resolve(ops.config());
    }
  }
}
