// Stepped reconnect delays with jitter: after a power cut every box of a region reconnects at
// once, and without jitter they would hit the broker in lock-step (FIELD-NOTES, MQTT).

/** The delay before attempt `attempt` (0-based): the steps in order, the last repeating, +-20 %. */
export function backoffDelay(stepsMs: readonly number[], attempt: number, random: () => number): number {
  const step = stepsMs[Math.min(attempt, stepsMs.length - 1)] ?? 1000;
  return Math.round(step * (0.8 + 0.4 * random()));
}
