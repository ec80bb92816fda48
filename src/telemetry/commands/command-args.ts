// The argument schema of each command: strict (unknown fields are refused), mirrored by
// docs/telemetry/command-body.schema.json. A command does nothing beyond what these allow.
import { z } from 'zod';
import type { CommandName } from '../topics.ts';

const cameraId = z.strictObject({
  cameraId: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be a camera id'),
});
const none = z.strictObject({});

export const COMMAND_ARGS = {
  rediscover: none,
  diagnose: cameraId,
  restart: cameraId,
  snapshot: cameraId,
  config: none,
} satisfies Record<CommandName, z.ZodType>;

export type CommandArgs = { [K in CommandName]: z.output<(typeof COMMAND_ARGS)[K]> };

export function parseArgs<K extends CommandName>(
  name: K,
  args: unknown,
): { ok: true; args: CommandArgs[K] } | { ok: false; message: string } {
  const r = COMMAND_ARGS[name].safeParse(args ?? {});
  if (r.success) return { ok: true, args: r.data as CommandArgs[K] };
  const issue = r.error.issues[0];
  const path = issue?.path.join('.') ?? '';
  const message =
    issue?.code === 'unrecognized_keys'
      ? `unknown field ${issue.keys.join(', ')}`
      : (issue?.message ?? 'invalid');
  return { ok: false, message: path ? `args.${path}: ${message}` : `args: ${message}` };
}
