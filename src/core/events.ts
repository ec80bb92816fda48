// The typed event bus between modules: one interface names every event and its payload.
// A listener that throws is reported through onListenerError, never to the emitter.

export type CameraHealth = 'online' | 'offline' | 'degraded';

export interface GatewayEvents {
  /** A camera's overall state: online (ingest live, every destination live), degraded (ingest live, some destination not), offline. */
  'camera.state': { cameraId: string; state: CameraHealth; previous: CameraHealth | null; at: string };
  /** A destination of one camera going up or down. */
  'destination.state': {
    cameraId: string;
    destinationId: string;
    up: boolean;
    at: string;
    reason: string | null;
    /**
     * Going down: what is owed from, i.e. when it last verifiably delivered less the backfill
     * margin (earlier than `at`: a stall is seen only after stallSeconds).
     */
    deliveredUntil?: string | null;
  };
  /** Discovery found a camera new to the inventory, found a known one at a new address, or lost one. */
  'discovery.camera': {
    cameraId: string;
    change: 'found' | 'moved' | 'lost';
    address: string | null;
    /** moved: where it was. */
    previousAddress?: string | null;
    at: string;
  };
  /** A camera rejected the credentials: they are not tried again until `retryAt` (null: until they change). */
  'camera.auth': {
    cameraId: string;
    address: string | null;
    via: 'onvif' | 'rtsp';
    retryAt: string | null;
    at: string;
  };
  /**
   * A camera's ffmpeg, a destination or the recording failed relay.failingAfter times in a row
   * (an alarm, raised once), or delivered again (`cleared`). It retries at the slowest step meanwhile.
   */
  'part.failing': {
    cameraId: string;
    part: 'camera' | 'destination' | 'recording';
    /** destination: which one; null otherwise. */
    destinationId: string | null;
    /** Failures in a row when it entered; 0 when cleared. */
    failures: number;
    /** The last failure's reason; null when cleared. */
    reason: string | null;
    cleared: boolean;
    at: string;
  };
  /** The outage ledger opened or closed an interval; `endAt` is null while it is open. */
  outage: {
    cameraId: string;
    destinationId: string;
    cause: 'uplink' | 'destination' | 'camera' | 'gateway';
    startAt: string;
    endAt: string | null;
    at: string;
  };
  /** A new configuration was applied: what changed, and what needs a restart to take effect. */
  'config.reloaded': {
    at: string;
    cameras: string[];
    destinations: string[];
    sections: string[];
    restartNeeded: string[];
  };
  'disk.alarm': { path: string; freeBytes: number; message: string; at: string; cleared: boolean };
  /**
   * The wall clock jumped by `deltaMs` (NTP's first sync, a bad server): the index and ledger rows of
   * this boot are re-dated already; a module holding wall times in memory moves them by the same.
   */
  'clock.step': { deltaMs: number; at: string; whileStopped: boolean };
}

export type EventName = keyof GatewayEvents;
type Listener<K extends EventName> = (payload: GatewayEvents[K]) => void;

export class EventBus {
  private readonly listeners = new Map<EventName, Listener<EventName>[]>();

  constructor(private readonly onListenerError: (event: EventName, err: unknown) => void = () => undefined) {}

  on<K extends EventName>(event: K, listener: Listener<K>): () => void {
    const list = this.listeners.get(event) ?? [];
    list.push(listener as Listener<EventName>);
    this.listeners.set(event, list);
    return () =>
      this.listeners.set(
        event,
        (this.listeners.get(event) ?? []).filter((l) => l !== listener),
      );
  }

  emit<K extends EventName>(event: K, payload: GatewayEvents[K]): void {
    for (const l of this.listeners.get(event) ?? []) {
      try {
        l(payload);
      } catch (err) {
        this.onListenerError(event, err);
      }
    }
  }
}
