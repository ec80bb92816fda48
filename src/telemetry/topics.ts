// The topic tree under {topicPrefix}/{siteId}; docs/telemetry.md describes it.

export const COMMANDS = ['rediscover', 'diagnose', 'restart', 'snapshot', 'config'] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface Topics {
  base: string;
  status: string;
  heartbeat: string;
  events: string;
  camera(cameraId: string): string;
  /** What the gateway subscribes to: every command, one level below cmd/. */
  commands: string;
  commandName(topic: string): string | null;
  reply(name: string): string;
}

export function topicsFor(prefix: string, siteId: string): Topics {
  const base = `${prefix}/${siteId}`;
  return {
    base,
    status: `${base}/status`,
    heartbeat: `${base}/heartbeat`,
    events: `${base}/events`,
    camera: (id) => `${base}/cameras/${id}/status`,
    commands: `${base}/cmd/+`,
    commandName: (topic) => {
      const rest = topic.startsWith(`${base}/cmd/`) ? topic.slice(base.length + 5) : null;
      return rest && !rest.includes('/') ? rest : null;
    },
    // A name comes from an inbound topic: anything but a plain word would leave the subtree.
    reply: (name) => `${base}/cmd/${/^[A-Za-z0-9_-]{1,40}$/.test(name) ? name : 'unknown'}/reply`,
  };
}
