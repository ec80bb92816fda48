// A command that was understood but cannot be done: its code and message go into the reply.
export type CommandErrorCode =
  | 'unknown-camera'
  | 'not-relayed'
  | 'no-onvif'
  | 'no-snapshot'
  | 'too-large'
  | 'failed'
  | 'busy'
  | 'store-closed';

export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    readonly code: CommandErrorCode,
    message: string,
  ) {
    super(message);
  }
}
