// Command authentication. A command is {"body": "<JSON text>", "sig": "<hex HMAC-SHA256 of body>"}:
// signing the exact bytes of body avoids JSON canonicalisation, which differs between languages.
// The body names the command and the site (a signed command cannot be replayed to another topic
// or site) and carries a timestamp and nonce (it cannot be replayed later, nor twice).
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface CommandBody {
  id: string;
  cmd: string;
  site: string;
  ts: number;
  nonce: string;
  args: unknown;
}

export type Refusal = { code: 'malformed' | 'unauthorised' | 'disabled'; message: string };

export function sign(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

/** Builds a signed command payload; what a central system does, used by tests and tools. */
export function signedCommand(secret: string, body: CommandBody): string {
  const text = JSON.stringify(body);
  return JSON.stringify({ body: text, sig: sign(secret, text) });
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Remembers nonces for twice the window: a nonce older than that fails the timestamp check anyway. */
export class NonceCache {
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly windowMs: number,
    private readonly max = 10_000,
  ) {}

  /** True the first time a nonce is offered. */
  claim(nonce: string, nowMs: number): boolean {
    for (const [n, exp] of this.seen) if (exp < nowMs || this.seen.size > this.max) this.seen.delete(n);
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, nowMs + 2 * this.windowMs);
    return true;
  }
}

export interface VerifyContext {
  secret: string | null;
  site: string;
  topicName: string;
  windowMs: number;
  nonces: NonceCache;
  nowMs: number;
}

/** The authenticated body, or why the payload is refused. Never throws. */
export function verifyCommand(
  payload: Buffer,
  ctx: VerifyContext,
): { body: CommandBody } | { refusal: Refusal } {
  const refuse = (code: Refusal['code'], message: string) => ({ refusal: { code, message } });
  let env: unknown;
  try {
    env = JSON.parse(payload.toString('utf8'));
  } catch {
    return refuse('malformed', 'payload is not JSON');
  }
  if (!isRecord(env) || typeof env.body !== 'string' || typeof env.sig !== 'string')
    return refuse('malformed', 'payload must be {"body": string, "sig": string}');
  const extra = Object.keys(env).filter((k) => k !== 'body' && k !== 'sig');
  if (extra.length > 0) return refuse('malformed', `unknown field ${extra[0]}`);
  if (!ctx.secret) return refuse('disabled', 'remote commands are disabled (no mqtt.commandSecret)');
  const expected = Buffer.from(sign(ctx.secret, env.body), 'hex');
  const given = /^[0-9a-f]{64}$/i.test(env.sig) ? Buffer.from(env.sig, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return refuse('unauthorised', 'bad signature');
  let body: unknown;
  try {
    body = JSON.parse(env.body);
  } catch {
    return refuse('malformed', 'body is not JSON');
  }
  if (
    !isRecord(body) ||
    typeof body.id !== 'string' ||
    typeof body.cmd !== 'string' ||
    typeof body.site !== 'string' ||
    typeof body.ts !== 'number' ||
    typeof body.nonce !== 'string' ||
    !/^[\w-]{8,64}$/.test(body.nonce) ||
    !/^[\w.:-]{1,64}$/.test(body.id)
  )
    return refuse(
      'malformed',
      'body must have id, cmd, site, ts (ms), nonce (8-64 word characters) and args',
    );
  const unknown = Object.keys(body).filter((k) => !['id', 'cmd', 'site', 'ts', 'nonce', 'args'].includes(k));
  if (unknown.length > 0) return refuse('malformed', `unknown field ${unknown[0]}`);
  if (body.cmd !== ctx.topicName) return refuse('unauthorised', 'command signed for another topic');
  if (body.site !== ctx.site) return refuse('unauthorised', 'command signed for another site');
  if (Math.abs(ctx.nowMs - body.ts) > ctx.windowMs)
    return refuse('unauthorised', 'timestamp outside the window');
  if (!ctx.nonces.claim(body.nonce, ctx.nowMs)) return refuse('unauthorised', 'nonce already used');
  return { body: body as unknown as CommandBody };
}
