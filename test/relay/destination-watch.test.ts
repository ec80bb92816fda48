// How a tee destination is judged from its TCP connection: the state machine against a sequence
// of table snapshots (a black hole, a hung server, a slow link), and the table, the evidence and
// the connection reset against real sockets.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.ts';
import { DeliveryEvidence, judge } from '../../src/relay/delivery-evidence.ts';
import {
  DestinationWatch,
  EndpointAddresses,
  endpointOf,
  fifoOpenFailure,
  type CameraView,
} from '../../src/relay/destination-watch.ts';
import { ProcessSocketCache } from '../../src/relay/process-sockets.ts';
import { canonicalIp, readTcpTable, resetConnection, type TcpSocket } from '../../src/relay/tcp-table.ts';
import { blackholePort, canBlackhole } from '../support/blackhole.ts';
import { waitFor } from '../support/wait.ts';

const log = createLogger({ level: 'silent' });
/** 4000 kbit/s: 500 bytes a millisecond. */
const cam: CameraView = { pid: 42, live: true, fps: 25, kbps: 4000, lastFrameAgeMs: 40 };
const WINDOW = 1_000_000;

/** A snapshot of one connection at time t of a stream at 500 bytes/ms. */
function sock(inode: string, s: Partial<TcpSocket> = {}, remote = '10.1.2.3:1935'): TcpSocket {
  return {
    inode,
    local: '10.0.0.2:50000',
    remote,
    sendQueue: 0,
    lastAckMs: 5,
    bytesAcked: 0,
    // The server's side of the protocol (handshake, RTCP, acknowledgements): its application spoke.
    bytesReceived: 3000,
    sndWnd: WINDOW,
    ...s,
  };
}
/** A healthy connection at t: everything written acknowledged and read, the window wide open. */
const reading = (inode: string, t: number) => sock(inode, { bytesAcked: t * 500 });

/** A started watch; `refused`: its certificate was refused before the start, as the relay checks first. */
function watch(refused?: string, over: Partial<ConstructorParameters<typeof DestinationWatch>[0]> = {}) {
  const states: string[] = [];
  const w = new DestinationWatch({
    destinationId: 'national',
    addresses: new EndpointAddresses({ host: '10.1.2.3', port: 1935 }),
    stallMs: 10_000,
    graceMs: 20_000,
    logger: log,
    onStateChange: (s) => states.push(s),
    ...over,
  });
  if (refused) w.refuse(refused, 0);
  w.start(0);
  return { w, states };
}

describe('destination watch', () => {
  it('goes live at the second look, and resets a black-holed connection once nothing is acknowledged for stallMs', () => {
    const { w, states } = watch();
    expect(w.tick(1000, cam, [reading('7', 1000)])).toEqual([]);
    expect(w.status(1000).state, 'first sight: no verdict yet').toBe('starting');
    w.tick(3000, cam, [reading('7', 3000)]);
    expect(w.status(3000).state).toBe('live');
    // Black-holed at 3000: nothing comes back, the queue grows, the kernel's last ACK ages.
    const hole = (t: number) =>
      sock('7', { bytesAcked: 1_500_000, sendQueue: (t - 3000) * 500, lastAckMs: t - 3000 });
    for (let t = 5000; t <= 13_000; t += 2000) expect(w.tick(t, cam, [hole(t)])).toEqual([]);
    // Reset at the first look more than stallMs after the last acknowledgement.
    const stuck = w.tick(15_000, cam, [hole(15_000)]);
    expect(stuck.map((s) => s.inode)).toEqual(['7']);
    const st = w.status(15_000);
    expect(st).toMatchObject({ state: 'backing-off', restartsLastHour: 1 });
    expect(st.lastError).toMatch(/nothing acknowledged by the destination for 12 s/);
    // The last look that saw it read was at 3000, so it read after 1000 at least: owed from there.
    expect(st.deliveredUntil).toBe(1000);
    expect(st.windowMs, 'its window in ms of stream at 4000 kbit/s').toBe(2000);
    // The condemned connection, still listed while the reset goes through, does not make it live.
    w.tick(16_000, cam, [hole(16_000)]);
    expect(w.status(16_000).state).toBe('backing-off');
    // ffmpeg's fifo reconnects: a new connection that reads.
    w.tick(18_000, cam, [reading('9', 100)]);
    w.tick(20_000, cam, [reading('9', 2100)]);
    expect(w.status(20_000).state).toBe('live');
    expect(states).toEqual(['starting', 'live', 'stalled', 'backing-off', 'live']);
  });

  it('resets a hung server once its window has been shut for stallMs, though its kernel still acknowledges', () => {
    // The ingest process freezes at 10_000: its kernel ACKs into the receive buffer until it is
    // full (here at 12_000), then shuts the window and answers zero-window probes, lastack fresh.
    const { w } = watch();
    for (let t = 0; t <= 10_000; t += 2000) w.tick(t, cam, [reading('7', t)]);
    expect(w.status(10_000).state).toBe('live');
    const edge = 10_000 * 500 + WINDOW;
    const hung = (t: number) => {
      const acked = Math.min(edge, t * 500);
      return sock('7', {
        bytesAcked: acked,
        sndWnd: edge - acked,
        sendQueue: t * 500 - acked + 1,
        lastAckMs: 50,
      });
    };
    let stuckAt = 0;
    for (let t = 12_000; t <= 40_000 && !stuckAt; t += 2000)
      if (w.tick(t, cam, [hung(t)]).length) stuckAt = t;
    // Shut at the look of 12_000, read at most until the look before: reset at the first look
    // more than stallMs after that one.
    expect(stuckAt).toBe(22_000);
    const st = w.status(stuckAt);
    expect(st.lastError).toMatch(/reads nothing: its window has shut since a look 12 s ago/);
    // The last look with the window at its highest and new bytes acknowledged was at 10_000: it
    // read after 8000, perhaps only just, so what was written before that is proven read.
    expect(st.deliveredUntil, 'what it last proved it read').toBe(8000);
    expect(st.windowMs).toBe(2000);
  });

  it('resets a hung server whose window only shrinks, long before it shuts, and dates delivery from its highest', () => {
    // A stopped reader's window falls a little at every look while its kernel ACKs into the
    // buffer, by a good share of what arrives, at a low bitrate long before it shuts
    // (test/relay/delivery-evidence.test.ts replays recorded ones): 10 bytes/ms from the stop.
    const { w } = watch();
    for (let t = 0; t <= 10_000; t += 2000) w.tick(t, cam, [reading('7', t)]);
    const shrinking = (t: number) =>
      sock('7', {
        bytesAcked: 10_000 * 500 + (t - 10_000) * 10,
        sndWnd: WINDOW - 1024 * Math.floor((t - 10_000) / 1100),
        sendQueue: 700,
      });
    let stuckAt = 0;
    for (let t = 12_000; t <= 50_000 && !stuckAt; t += 2000)
      if (w.tick(t, cam, [shrinking(t)]).length) stuckAt = t;
    // Fell at 12_000 and 14_000, never rose: unread since the look of 10_000, reset more than
    // stallMs after it.
    expect(stuckAt).toBe(22_000);
    const st = w.status(stuckAt);
    expect(st.lastError).toMatch(/reads nothing: its window has only shrunk since a look 12 s ago/);
    // Not dated past the look before the last one at its highest.
    expect(st.deliveredUntil).toBe(8000);
  });

  it('keeps a reader live whose window dips and comes back', () => {
    const { w, states } = watch();
    for (let t = 0; t <= 10_000; t += 2000) w.tick(t, cam, [reading('7', t)]);
    // Two looks lower, then back up, again and again (as GStreamer's RTSP server reading 2 Mbit/s).
    const dips = [WINDOW - 3072, WINDOW - 22_528, WINDOW];
    for (let i = 0, t = 12_000; t <= 60_000; i++, t += 2000)
      expect(w.tick(t, cam, [sock('7', { bytesAcked: t * 500, sndWnd: dips[i % 3] })])).toEqual([]);
    expect(w.status(60_000).state).toBe('live');
    expect(states).toEqual(['starting', 'live']);
  });

  it('keeps a reader live whose window shrinks while it lags under load but still sends its RTCP reports', () => {
    const { w, states } = watch();
    // A server that reports every 12 s (longer than stallMs); its window falls for 16 s (it reads
    // less than arrives: a tenth of the 10 bytes/ms of a low-bitrate stream).
    const lagging = (t: number) =>
      sock('7', {
        bytesAcked: t * 10,
        bytesReceived: 3000 + 88 * Math.floor(t / 12_000),
        sndWnd: WINDOW - (t > 20_000 ? 1024 * Math.floor((t - 20_000) / 1000) : 0),
      });
    for (let t = 0; t <= 36_000; t += 1000) expect(w.tick(t, cam, [lagging(t)]), `at ${t}`).toEqual([]);
    expect(w.status(36_000).state).toBe('live');
    expect(states).toEqual(['starting', 'live']);
    // The same server stopped at 36_000: no report, the window still falls.
    const stopped = (t: number) => sock('7', { ...lagging(t), bytesReceived: 3000 + 88 * 3 });
    let stuckAt = 0;
    for (let t = 37_000; t <= 60_000 && !stuckAt; t += 1000)
      if (w.tick(t, cam, [stopped(t)]).length) stuckAt = t;
    // Silent more than half as long again as its longest silence (12 s) since its last report
    // (36_000), and unread for longer than stallMs by then.
    expect(stuckAt).toBe(55_000);
  });

  it('keeps a link slower than the stream live: its queue grows for longer than stallMs, but it reads what arrives', () => {
    const { w, states } = watch();
    // Half the stream gets through: acks at 250 bytes/ms, the queue grows by as much.
    for (let t = 1000; t <= 31_000; t += 2000)
      expect(w.tick(t, cam, [sock('7', { bytesAcked: t * 250, sendQueue: t * 250, lastAckMs: 30 })])).toEqual(
        [],
      );
    expect(w.status(31_000).state).toBe('live');
    expect(w.wantsCloseLook(), 'acknowledged and read: sparse looks are enough').toBe(false);
    // What is proven read lags by the queue: 29000 - 7_750_000 bytes / 500 bytes a ms.
    expect(w.status(31_000).deliveredUntil).toBe(29_000 - 15_500);
    expect(states).toEqual(['starting', 'live']);
  });

  it('asks for close looks while something waits or was just seen, and goes back to sparse ones', () => {
    const { w } = watch();
    expect(w.wantsCloseLook(), 'starting').toBe(true);
    w.tick(1000, cam, [reading('7', 1000)]);
    expect(w.wantsCloseLook(), 'first sight').toBe(true);
    w.tick(2000, cam, [reading('7', 2000)]);
    expect(w.wantsCloseLook()).toBe(false);
    // Ticks without a look change nothing, whatever the time.
    expect(w.tick(9000, cam, null)).toEqual([]);
    expect(w.status(9000).state).toBe('live');
    w.tick(10_000, cam, [sock('7', { bytesAcked: 1_000_000, sendQueue: 50_000, lastAckMs: 300 })]);
    expect(w.wantsCloseLook(), 'its edge did not move').toBe(true);
    w.tick(11_000, cam, [reading('7', 11_000)]);
    expect(w.wantsCloseLook()).toBe(false);
  });

  it('does not go live on a connection whose server never answered (a hung server accepting in its backlog)', () => {
    const { w } = watch();
    // Its kernel accepted and acknowledges the handshake; its application never answered.
    const never = (t: number) => sock('7', { bytesAcked: 1537 + t, bytesReceived: 0, lastAckMs: 40 });
    for (let t = 1000; t <= 30_000; t += 2000) {
      w.tick(t, cam, [never(t)]);
      expect(w.status(t).state).not.toBe('live');
    }
  });

  it('counts a closed connection as a drop, and other hosts\u2019 sockets as nothing', () => {
    const { w } = watch();
    w.tick(1000, cam, [reading('7', 1000)]);
    w.tick(2000, cam, [reading('7', 2000)]);
    w.tick(3000, cam, [sock('8', {}, '10.9.9.9:1935'), sock('3', {}, '10.1.2.3:554')]);
    const st = w.status(3000);
    expect(st.state).toBe('backing-off');
    expect(st.lastError).toBe('the connection to the destination closed');
    expect(st.restartsLastHour).toBe(1);
  });

  it('counts a connection replaced between two looks as a drop (a hung server killed and back), then goes live on the new one', () => {
    const { w } = watch();
    w.tick(1000, cam, [reading('7', 1000)]);
    w.tick(2000, cam, [reading('7', 2000)]);
    expect(w.status(2000).state).toBe('live');
    const delivered = w.status(2000).deliveredUntil;
    // The old connection is gone and a new one to the same server carries on, all within one look.
    w.tick(7000, cam, [reading('9', 1000)]);
    const st = w.status(7000);
    expect(st.state).toBe('backing-off');
    expect(st.lastError).toBe('the connection to the destination was replaced');
    expect(st.deliveredUntil, 'owed from what the old connection proved read').toBe(delivered);
    w.tick(8000, cam, [reading('9', 2000)]);
    w.tick(9000, cam, [reading('9', 3000)]);
    expect(w.status(9000).state).toBe('live');
  });

  it('stays off with its reason while its certificate is refused, even on a look at a connection to its address', () => {
    const { w, states } = watch('TLS certificate of destination national failed verification (self-signed)');
    // Another destination on the same address delivers: not this one's connection.
    for (let t = 1000; t <= 5000; t += 2000) w.tick(t, cam, [reading('7', t)]);
    expect(w.status(5000).state).toBe('backing-off');
    expect(w.status(5000).lastError).toMatch(/self-signed/);
    w.refuse(null, 6000);
    w.tick(7000, cam, [reading('7', 7000)]);
    w.tick(9000, cam, [reading('7', 9000)]);
    expect(states).toEqual(['backing-off', 'starting', 'live']);
  });

  it('counts each refused reconnect as a failure in a row: failing once at N, cleared once it delivers', () => {
    const alarms: [boolean, number][] = [];
    const { w } = watch(undefined, { failingAfter: 3, onFailing: (on, n) => alarms.push([on, n]) });
    for (let t = 2000; t <= 10_000; t += 2000)
      w.noteOpenFailure('could not open the destination: Connection refused', t);
    expect(w.status(10_000)).toMatchObject({ state: 'backing-off', failures: 5, failingSince: 6000 });
    expect(alarms).toEqual([[true, 3]]);
    w.tick(11_000, cam, [reading('7', 1000)]);
    w.tick(12_000, cam, [reading('7', 2000)]);
    expect(w.status(12_000)).toMatchObject({ state: 'live', failures: 0, failingSince: null });
    expect(alarms).toEqual([
      [true, 3],
      [false, 0],
    ]);
  });

  it("tells ffmpeg's failed opens of this destination from another's on the same server", () => {
    const line = '[fifo @ 0x559bc626ef80] Error opening rtmp://***@10.1.2.3/live/a: Connection refused';
    expect(fifoOpenFailure(line, 'rtmp://10.1.2.3/live/a')).toBe('Connection refused');
    expect(fifoOpenFailure(line, 'rtmp://10.1.2.3/live/b')).toBe(null);
    expect(
      fifoOpenFailure('[tcp @ 0x1] Connection to tcp://10.1.2.3:1935 failed', 'rtmp://10.1.2.3/live/a'),
    ).toBe(null);
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

  it('knows the default port of each protocol, that SRT has no connection to watch, and one spelling per address', () => {
    expect(endpointOf('rtmp://a.example/live/x', 'rtmp')).toEqual({ host: 'a.example', port: 1935 });
    expect(endpointOf('rtsp://[2001:db8::1]/x', 'rtsp')).toEqual({ host: '2001:db8::1', port: 554 });
    expect(endpointOf('rtmps://a.example:4443/live/x', 'rtmps')).toEqual({ host: 'a.example', port: 4443 });
    expect(endpointOf('srt://a.example:9000', 'srt')).toBeNull();
    expect(canonicalIp('2001:0db8::0001')).toBe('2001:db8:0:0:0:0:0:1');
    expect(canonicalIp('::1')).toBe('0:0:0:0:0:0:0:1');
    expect(canonicalIp('::ffff:127.0.0.1')).toBe('0:0:0:0:0:ffff:7f00:1');
    expect(canonicalIp('fe80::1%eth0')).toBe('fe80:0:0:0:0:0:0:1');
  });
});

describe('TCP table, evidence and connection reset (real sockets)', () => {
  let server: Server | null = null;
  let client: Socket | null = null;
  let peer: Socket | null = null;
  afterEach(() => {
    client?.destroy();
    peer?.destroy();
    server?.close();
  });

  async function connectedPair(host = '127.0.0.1'): Promise<{ client: Socket; peer: Socket; port: number }> {
    // The server end reads until paused; the reset reaches it as a RST.
    const accepted = new Promise<Socket>((r) => {
      server = createServer((s) => {
        s.on('error', () => undefined).resume();
        s.write('hello'); // a server speaks: a handshake, RTCP, acknowledgements
        r(s);
      });
    });
    await new Promise<void>((r) => server!.listen(0, host, r));
    const port = (server!.address() as { port: number }).port;
    client = createConnection(port, host);
    await new Promise<void>((r) => client!.once('connect', () => r()));
    peer = await accepted;
    return { client, peer, port };
  }

  const find = async (c: Socket, port: number, host = '127.0.0.1') => {
    const table = await readTcpTable();
    expect(table, 'ss ran').not.toBeNull();
    return [...table!.values()].find(
      (s) => s.remote === `${canonicalIp(host)}:${port}` && s.local === `${canonicalIp(host)}:${c.localPort}`,
    );
  };

  it("finds this process's connections, IPv4 and IPv6 from one read, with their counters", async () => {
    const { client, port } = await connectedPair();
    client.write(Buffer.alloc(100_000));
    await new Promise((r) => setTimeout(r, 200));
    const s = await find(client, port);
    expect(s?.bytesAcked).toBeGreaterThanOrEqual(100_000);
    expect(s?.sndWnd, 'the window the reading peer advertises').toBeGreaterThan(0);
    const cache = new ProcessSocketCache();
    expect(cache.sockets(process.pid, (await readTcpTable())!, true).some((x) => x.inode === s!.inode)).toBe(
      true,
    );

    const v6server = createServer((p) => p.resume());
    await new Promise<void>((r) => v6server.listen(0, '::1', r));
    const v6port = (v6server.address() as { port: number }).port;
    const v6 = createConnection(v6port, '::1');
    await new Promise<void>((r) => v6.once('connect', () => r()));
    try {
      expect(await find(v6, v6port, '::1')).toBeDefined();
    } finally {
      v6.destroy();
      v6server.close();
    }
  });

  it('tells a peer whose application stopped reading from one that reads, while its kernel still acknowledges', async () => {
    const { client, peer, port } = await connectedPair();
    const evidence = new DeliveryEvidence(500);
    const writer = setInterval(() => client.write(Buffer.alloc(50_000)), 10);
    const lookAt = async () => {
      const s = (await find(client, port))!;
      return { s, j: judge(evidence, [s], Date.now(), null) };
    };
    try {
      for (let i = 0; i < 5; i++) {
        const { j } = await lookAt();
        expect(j.stuck).toBeNull();
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await lookAt()).j.delivering).toBe(true);
      peer.pause(); // the application stops reading; its kernel does not
      let last = await lookAt();
      await waitFor(
        async () => (last = await lookAt()).j.stuck !== null,
        'the stopped reader judged stuck',
        10_000,
      );
      expect(last.j.stuck?.reason).toMatch(/reads nothing: its window has shut/);
      expect(last.s.sndWnd, 'its kernel shut the window it advertises').toBe(0);
    } finally {
      clearInterval(writer);
    }
  });

  it.skipIf(!canBlackhole())(
    'sees a black-holed connection unacknowledged, and acknowledged again once restored',
    async () => {
      const { client, port } = await connectedPair();
      const writer = setInterval(() => client.write(Buffer.alloc(20_000)), 20);
      const restore = blackholePort(port);
      try {
        await waitFor(
          async () => ((await find(client, port))?.lastAckMs ?? 0) > 1000,
          'the last ACK to age',
          10_000,
        );
        expect((await find(client, port))!.sendQueue).toBeGreaterThan(0);
      } finally {
        restore();
      }
      // The next retransmission (the timer backed off: a few seconds at most) is acknowledged.
      await waitFor(
        async () => ((await find(client, port))?.lastAckMs ?? Infinity) < 1000,
        'an acknowledgement',
        15_000,
      );
      clearInterval(writer);
    },
  );

  it.skipIf(process.getuid?.() !== 0)(
    'ends a connection from outside, so a blocked writer gets an error',
    async () => {
      const { client, port } = await connectedPair();
      const conn = (await find(client, port))!;
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
