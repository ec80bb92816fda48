// How a tee destination is judged from its TCP connection: the state machine against a sequence
// of socket-table snapshots, and the /proc reading and the connection reset against real sockets.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.ts';
import {
  canonicalIp,
  DestinationWatch,
  EndpointAddresses,
  endpointOf,
  type CameraView,
} from '../../src/relay/destination-watch.ts';
import { resetConnection } from '../../src/relay/socket-reset.ts';
import { blackholePort, canBlackhole } from '../support/blackhole.ts';
import { waitFor } from '../support/wait.ts';
import {
  decodeProcAddress,
  ProcessSocketCache,
  processSockets,
  readTcpSockets,
  type TcpSocket,
} from '../../src/relay/upstream-ack.ts';

const log = createLogger({ level: 'silent' });
const cam: CameraView = { pid: 42, live: true, fps: 25, kbps: 4000, lastFrameAgeMs: 40 };
const sock = (
  inode: string,
  sendQueue: number,
  remote = '10.1.2.3:1935',
  ackedWithinRto = false,
): TcpSocket => ({
  inode,
  local: '10.0.0.2:50000',
  remote,
  established: true,
  sendQueue,
  ackedWithinRto,
  rtoMs: 300,
});
/** A socket whose far end still acknowledges (its retransmission timer never fired), queue or not. */
const acking = (inode: string, sendQueue: number) => sock(inode, sendQueue, '10.1.2.3:1935', true);

function watch() {
  const states: string[] = [];
  const w = new DestinationWatch({
    destinationId: 'national',
    addresses: new EndpointAddresses({ host: '10.1.2.3', port: 1935 }),
    stallMs: 10_000,
    lookMs: 2000,
    graceMs: 20_000,
    logger: log,
    onStateChange: (s) => states.push(s),
  });
  w.start(0);
  return { w, states };
}

describe('destination watch', () => {
  it('is live while its connection is acknowledged, and resets it once nothing is for stallMs', () => {
    const { w, states } = watch();
    expect(w.tick(1000, cam, [sock('7', 0)])).toEqual([]);
    expect(w.status(1000).state).toBe('live');
    // Empty at t=1000, then it grows and never shrinks: nothing acknowledged after t=1000.
    w.tick(2000, cam, [sock('7', 5000)]);
    w.tick(8000, cam, [sock('7', 90_000)]);
    expect(w.tick(11_000, cam, [sock('7', 400_000)])).toEqual([]);
    const stuck = w.tick(12_500, cam, [sock('7', 800_000)]);
    expect(stuck.map((s) => s.inode)).toEqual(['7']);
    const st = w.status(12_500);
    expect(st.state).toBe('backing-off');
    expect(st.restartsLastHour).toBe(1);
    expect(st.lastError).toMatch(/nothing acknowledged by the destination for 12 s/);
    expect(st.deliveredUntil).toBe(1000);
    // The condemned connection, still listed while the reset goes through, does not make it live.
    w.tick(13_000, cam, [sock('7', 800_000)]);
    expect(w.status(13_000).state).toBe('backing-off');
    // ffmpeg's fifo reconnects: a new connection, acknowledged.
    w.tick(16_000, cam, [sock('9', 0)]);
    expect(w.status(16_000).state).toBe('live');
    expect(states).toEqual(['starting', 'live', 'stalled', 'backing-off', 'live']);
  });

  it('asks for close looks only while something waits, and judges a stall seen after a sparse look from no further back', () => {
    const { w } = watch();
    expect(w.wantsCloseLook(), 'starting').toBe(true);
    w.tick(1000, cam, [sock('7', 0)]);
    expect(w.wantsCloseLook(), 'live and acknowledged').toBe(false);
    // Ticks without a look change nothing, whatever the time.
    expect(w.tick(4000, cam, null)).toEqual([]);
    expect(w.status(4000).state).toBe('live');
    // The next look, 5 s after the last: the queue grew. The last acknowledgement lies somewhere
    // between 1000 and 6000; the stall is counted from 6000 - lookMs, so it takes stallMs from
    // there, not from 1000 (which would reset a destination after 7 s of real silence).
    w.tick(6000, cam, [sock('7', 50_000)]);
    expect(w.wantsCloseLook(), 'a queue that did not shrink').toBe(true);
    expect(w.tick(8000, cam, [sock('7', 90_000)])).toEqual([]);
    expect(w.tick(12_000, cam, [sock('7', 200_000)])).toEqual([]);
    expect(w.tick(14_000, cam, [sock('7', 300_000)])).toEqual([]);
    expect(w.tick(16_000, cam, [sock('7', 400_000)]).map((s) => s.inode)).toEqual(['7']);
    // What is known delivered stays the last look with evidence: the backfill resends from there.
    expect(w.status(16_000).deliveredUntil).toBe(1000);
  });

  it('dates what it knows delivered no later than the look before the last evidence, nor than the queue allows', () => {
    // Black-holed at t=4000, between two sparse looks: the look at 5000 still sees the queue
    // shrink (acknowledgements that were on their way), but proves nothing written after 3000.
    const { w } = watch();
    w.tick(1000, cam, [sock('7', 0)]);
    w.tick(3000, cam, [sock('7', 200_000)]);
    w.tick(5000, cam, [sock('7', 100_000)]);
    for (let t = 7000; t <= 17_000; t += 2000) w.tick(t, cam, [sock('7', t * 100)]);
    expect(w.status(17_000).state).toBe('backing-off');
    expect(w.status(17_000).deliveredUntil).toBe(3000);
    // A long queue dates further back: 1.5 MB at 4000 kbit/s is 3 s of stream.
    const b = watch().w;
    b.tick(1000, cam, [sock('7', 0)]);
    b.tick(3000, cam, [sock('7', 2_000_000)]);
    b.tick(5000, cam, [sock('7', 1_500_000)]);
    for (let t = 7000; t <= 17_000; t += 2000) b.tick(t, cam, [sock('7', 1_500_000 + t * 100)]);
    expect(b.status(17_000).deliveredUntil).toBe(2000);
  });

  it('keeps a link slower than the stream live: its queue grows for longer than stallMs, but acks go on', () => {
    // A 4G uplink whose capacity dips: the queue grows at every look, the far end still acknowledges.
    const { w, states } = watch();
    w.tick(1000, cam, [sock('7', 0)]);
    for (let t = 3000; t <= 31_000; t += 2000) expect(w.tick(t, cam, [acking('7', t * 50)])).toEqual([]);
    expect(w.status(31_000).state).toBe('live');
    expect(w.wantsCloseLook(), 'acknowledged: sparse looks are enough').toBe(false);
    // Then the link dies: the timer fires, nothing is acknowledged, and stallMs later it is reset.
    const stuck: string[] = [];
    for (let t = 33_000; t <= 45_000 && stuck.length === 0; t += 2000)
      stuck.push(...w.tick(t, cam, [sock('7', 2_000_000 + t)]).map((s) => s.inode));
    expect(stuck).toEqual(['7']);
    expect(w.status(45_000).lastError).toMatch(/nothing acknowledged by the destination for 1[0-2] s/);
    expect(states).toEqual(['starting', 'live', 'stalled', 'backing-off']);
  });

  it('goes back to sparse looks once the connection is acknowledged again', () => {
    const { w } = watch();
    w.tick(1000, cam, [sock('7', 0)]);
    w.tick(6000, cam, [sock('7', 50_000)]);
    expect(w.wantsCloseLook()).toBe(true);
    w.tick(8000, cam, [sock('7', 20_000)]);
    expect(w.wantsCloseLook()).toBe(false);
    expect(w.status(8000).state).toBe('live');
  });

  it('counts a closed connection as a drop, and other hosts\u2019 sockets as nothing', () => {
    const { w } = watch();
    w.tick(1000, cam, [sock('7', 0)]);
    w.tick(2000, cam, [sock('8', 0, '10.9.9.9:1935'), sock('3', 0, '10.1.2.3:554')]);
    const st = w.status(2000);
    expect(st.state).toBe('backing-off');
    expect(st.lastError).toBe('the connection to the destination closed');
    expect(st.restartsLastHour).toBe(1);
  });

  it('is not judged while its camera is down, and gives up waiting for a first connection after the grace', () => {
    const { w } = watch();
    w.tick(30_000, { ...cam, live: false, pid: null }, []);
    expect(w.status(30_000).state).toBe('starting');
    w.tick(45_000, cam, []);
    expect(w.status(45_000).state).toBe('starting');
    w.tick(51_000, cam, []);
    expect(w.status(51_000)).toMatchObject({ state: 'backing-off', restartsLastHour: 1 });
    expect(w.status(51_000).lastError).toMatch(/not connected within 20 s/);
  });

  it('knows the default port of each protocol, and that SRT has no connection to watch', () => {
    expect(endpointOf('rtmp://a.example/live/x', 'rtmp')).toEqual({ host: 'a.example', port: 1935 });
    expect(endpointOf('rtsp://[2001:db8::1]/x', 'rtsp')).toEqual({ host: '2001:db8::1', port: 554 });
    expect(endpointOf('rtmps://a.example:4443/live/x', 'rtmps')).toEqual({ host: 'a.example', port: 4443 });
    expect(endpointOf('srt://a.example:9000', 'srt')).toBeNull();
    expect(canonicalIp('2001:0db8::0001')).toBe('2001:db8:0:0:0:0:0:1');
    expect(canonicalIp('::1')).toBe('0:0:0:0:0:0:0:1');
  });

  it('decodes /proc/net addresses', () => {
    expect(decodeProcAddress('0100007F:1F90')).toBe('127.0.0.1:8080');
    expect(decodeProcAddress('00000000000000000000000001000000:0016')).toBe('0:0:0:0:0:0:0:1:22');
  });
});

describe('TCP table and connection reset (real sockets)', () => {
  let server: Server | null = null;
  let client: Socket | null = null;
  afterEach(() => {
    client?.destroy();
    server?.close();
  });

  async function connectedPair(reads = false): Promise<{ client: Socket; port: number }> {
    // Accepts and, unless asked to read, never reads; the reset reaches this end as a RST.
    server = createServer((s) => (reads ? s.resume() : s.pause()).on('error', () => undefined));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    client = createConnection(port, '127.0.0.1');
    await new Promise<void>((r) => client!.once('connect', () => r()));
    return { client, port };
  }

  it("finds this process's connection in /proc with where it goes", async () => {
    const { client, port } = await connectedPair();
    const mine = processSockets(process.pid, readTcpSockets({ v6: false }));
    const conn = mine.find(
      (s) => s.remote === `127.0.0.1:${port}` && s.local === `127.0.0.1:${client.localPort}`,
    );
    expect(conn?.established).toBe(true);
  });

  it("finds a process's connections across looks: a new one when asked, and after one closes", async () => {
    const { client: first, port } = await connectedPair();
    const cache = new ProcessSocketCache();
    const to = (c: Socket) => (s: TcpSocket) =>
      s.remote === `127.0.0.1:${port}` && s.local === `127.0.0.1:${c.localPort}`;
    const firstSocket = cache.sockets(process.pid, readTcpSockets({ v6: false }), false).find(to(first));
    expect(firstSocket?.established).toBe(true);

    // A second connection (a destination connecting): found when a listing is asked for.
    const second = createConnection(port, '127.0.0.1');
    await new Promise<void>((r) => second.once('connect', () => r()));
    try {
      expect(cache.sockets(process.pid, readTcpSockets({ v6: false }), true).some(to(second))).toBe(true);

      // The first one closes (a destination reconnecting): the next look lists the process again.
      const third = createConnection(port, '127.0.0.1');
      await new Promise<void>((r) => third.once('connect', () => r()));
      first.destroy();
      await waitFor(() => !readTcpSockets({ v6: false }).has(firstSocket!.inode), 'the first closed', 5000);
      const after = cache.sockets(process.pid, readTcpSockets({ v6: false }), false);
      expect(after.some(to(third)), 'a new connection found without being asked').toBe(true);
      expect(after.some(to(second))).toBe(true);
      third.destroy();
    } finally {
      second.destroy();
    }
  });

  it('finds an IPv6 connection once the table includes tcp6, without a new listing', async () => {
    await connectedPair(); // the camera's pull: an IPv4 connection that stays
    const cache = new ProcessSocketCache();
    const v6server = createServer((peer) => peer.resume());
    await new Promise<void>((r) => v6server.listen(0, '::1', r));
    const v6port = (v6server.address() as { port: number }).port;
    const v6 = createConnection(v6port, '::1');
    await new Promise<void>((r) => v6.once('connect', () => r()));
    const mine = (s: TcpSocket) => s.remote === `0:0:0:0:0:0:0:1:${v6port}` && s.established;
    try {
      // A destination whose name is not resolved yet: only the IPv4 table is read.
      expect(cache.sockets(process.pid, readTcpSockets({ v6: false }), true).some(mine)).toBe(false);
      // It resolved to ::1, so the next look reads tcp6 too: the connection is there.
      expect(cache.sockets(process.pid, readTcpSockets({ v6: true }), false).some(mine)).toBe(true);
    } finally {
      v6.destroy();
      v6server.close();
    }
  });

  it.skipIf(!canBlackhole())(
    'sees a black-holed connection unacknowledged once its retransmission timer fires, and acknowledged again once restored',
    async () => {
      const { client, port } = await connectedPair(true);
      const look = () =>
        processSockets(process.pid, readTcpSockets({ v6: false })).find(
          (s) => s.remote === `127.0.0.1:${port}` && s.local === `127.0.0.1:${client.localPort}`,
        )!;
      const writer = setInterval(() => client.write(Buffer.alloc(20_000)), 20);
      const restore = blackholePort(port);
      // Looks every 10 ms: data in flight with the timer not yet fired (the kernel's minimum RTO is
      // 200 ms), then the timer fires and nothing is acknowledged any more.
      const seen: boolean[] = [];
      try {
        for (let i = 0; i < 500 && seen.at(-1) !== false; i++) {
          const s = look();
          if (s.sendQueue > 0) seen.push(s.ackedWithinRto);
          await new Promise((r) => setTimeout(r, 10));
        }
      } finally {
        restore();
      }
      expect(look().rtoMs).toBeGreaterThanOrEqual(200);
      expect(seen.slice(0, -1), 'in flight, before the first RTO').toContain(true);
      expect(seen.at(-1), 'after it').toBe(false);
      // The next retransmission (the timer backed off: a few seconds at most) is acknowledged.
      await waitFor(() => look().ackedWithinRto || look().sendQueue === 0, 'an acknowledgement', 10_000);
      clearInterval(writer);
    },
  );

  it.skipIf(process.getuid?.() !== 0)(
    'ends a connection from outside, so a blocked writer gets an error',
    async () => {
      const { client, port } = await connectedPair();
      const conn = processSockets(process.pid, readTcpSockets({ v6: false })).find(
        (s) => s.remote === `127.0.0.1:${port}` && s.local === `127.0.0.1:${client.localPort}`,
      )!;
      const closed = new Promise<string>((r) => {
        client.once('error', (e: NodeJS.ErrnoException) => r(e.code ?? 'error'));
        client.once('close', () => r('close'));
      });
      client.write(Buffer.alloc(1024));
      expect(await resetConnection(conn)).toBe(true);
      client.write(Buffer.alloc(1024));
      expect(await closed).toMatch(/ECONNABORTED|close/);
    },
  );
});
