// Bitrates from the kernel's per-connection byte counters: ss output parsing, rates between
// samples, and the counters of real loopback connections.
import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { socketInodes } from '../../src/relay/process-sockets.ts';
import { BITRATE_EVERY_MS, BITRATE_FIRST_MS, ByteRates } from '../../src/relay/socket-bytes.ts';
import { readTcpTable, TcpTable } from '../../src/relay/tcp-table.ts';

type SocketBytes = { acked: number; received: number };
const SS = [
  '0      0      127.0.0.1:58397 127.0.0.1:55414 timer:(on,204ms,0) ino:563994 sk:10d3 cgroup:/ <->',
  '\t ts sack bbr wscale:10,10 rto:204 bytes_sent:300 bytes_acked:301 bytes_received:5000 segs_out:2 lastack:4 snd_wnd:65536',
  '0      1703758 [::1]:8554 [::ffff:10.0.0.1]:40000 timer:(persist,208ms,0) ino:42 sk:1 <->',
  '\t ts sack cubic rto:204 bytes_sent:10 bytes_acked:11 segs_out:2 notsent:1703758',
  '0      0      127.0.0.1:1 127.0.0.1:2 ino:0 sk:2 <->',
  '\t bytes_acked:5 bytes_received:5',
].join('\n');

describe('TcpTable', () => {
  it('reads where each connection goes, its queue, its last ACK, its counters and its window, by inode', () => {
    expect([...new TcpTable(SS).entries()]).toEqual([
      [
        '563994',
        {
          inode: '563994',
          local: '127.0.0.1:58397',
          remote: '127.0.0.1:55414',
          sendQueue: 0,
          lastAckMs: 4,
          bytesAcked: 301,
          bytesReceived: 5000,
          sndWnd: 65536,
        },
      ],
      // ss leaves out what is 0: nothing received, no ACK for under a millisecond, a shut window.
      [
        '42',
        {
          inode: '42',
          local: '0:0:0:0:0:0:0:1:8554',
          remote: '0:0:0:0:0:ffff:a00:1:40000',
          sendQueue: 1_703_758,
          lastAckMs: 0,
          bytesAcked: 11,
          bytesReceived: 0,
          sndWnd: 0,
        },
      ],
    ]);
  });
});

describe('TcpTable lookups', () => {
  it('answers for the inodes asked, and leaves out a connection whose TCP_INFO line is missing', () => {
    // ss cut short after an address line (a full pipe, a kill): that connection is not known.
    const cut = `${SS}\n0      0      127.0.0.1:3 127.0.0.1:4 ino:77 sk:3 <->`;
    const table = new TcpTable(cut);
    expect(table.get('42')?.bytesAcked).toBe(11);
    expect(table.has('563994')).toBe(true);
    expect(table.has('77')).toBe(false);
    expect(table.get('0')).toBeUndefined();
    expect(table.get('12345')).toBeUndefined();
    expect([...table.keys()]).toEqual(['563994', '42']);
    // An inode that is in no address line is not found in another line's fields either.
    expect(new TcpTable('0 0 1.1.1.1:1 2.2.2.2:2 sk:9\n\t bytes_acked:1 ino:5').has('5')).toBe(false);
  });
});

describe('ByteRates', () => {
  const sample = (entries: [string, SocketBytes][]) =>
    new Map(entries.map(([k, v]) => [k, { bytesAcked: v.acked, bytesReceived: v.received }]));

  it('gives kbit/s between the last two samples, summed over the connections asked for', () => {
    const r = new ByteRates();
    r.update(
      sample([
        ['1', { acked: 0, received: 0 }],
        ['2', { acked: 1000, received: 0 }],
      ]),
      0,
    );
    expect(r.kbps(['1'], 'bytesAcked', 0)).toBeNull(); // one sample is no rate
    r.update(
      sample([
        ['1', { acked: 500_000, received: 0 }],
        ['2', { acked: 251_000, received: 0 }],
      ]),
      2000,
    );
    expect(r.kbps(['1'], 'bytesAcked', 2000)).toBe(2000);
    expect(r.kbps(['1', '2'], 'bytesAcked', 2000)).toBe(3000);
    expect(r.kbps(['1'], 'bytesReceived', 2000)).toBe(0);
    // ss failing since: the last rate says nothing of now after two sampling periods.
    expect(r.kbps(['1'], 'bytesAcked', 2000 + 2 * BITRATE_EVERY_MS)).toBe(2000);
    expect(r.kbps(['1'], 'bytesAcked', 2001 + 2 * BITRATE_EVERY_MS)).toBeNull();
  });

  it('asks for two samples soon after start, then one every half minute, also when ss fails', () => {
    const r = new ByteRates();
    const t0 = 1_000_000;
    expect(r.claimSample(t0)).toBe(true);
    // That attempt failed (no sample): not retried at every tick.
    expect(r.claimSample(t0 + 2000)).toBe(false);
    expect(r.claimSample(t0 + BITRATE_FIRST_MS)).toBe(true);
    r.update(new Map(), t0 + BITRATE_FIRST_MS);
    expect(r.claimSample(t0 + 2 * BITRATE_FIRST_MS)).toBe(true);
    r.update(new Map(), t0 + 2 * BITRATE_FIRST_MS);
    // Two samples give a rate: from now on every BITRATE_EVERY_MS.
    expect(r.claimSample(t0 + 3 * BITRATE_FIRST_MS)).toBe(false);
    expect(r.claimSample(t0 + 2 * BITRATE_FIRST_MS + BITRATE_EVERY_MS)).toBe(true);
  });

  it('is null for connections not in both samples (a reconnect), not zero', () => {
    const r = new ByteRates();
    r.update(sample([['1', { acked: 0, received: 0 }]]), 0);
    r.update(sample([['9', { acked: 1_000_000, received: 0 }]]), 1000);
    expect(r.kbps(['9'], 'bytesAcked', 1000)).toBeNull();
    expect(r.kbps([], 'bytesAcked', 1000)).toBeNull();
  });
});

describe('readTcpTable counters on real connections', () => {
  it('finds this process connection and counts what the peer acknowledged and what came back', async () => {
    const server = createServer((peer) => {
      peer.on('data', () => {});
      peer.write(Buffer.alloc(20_000, 1));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const client: Socket = connect(port, '127.0.0.1');
    await once(client, 'connect');
    let received = 0;
    client.on('data', (b: Buffer) => (received += b.length));
    client.write(Buffer.alloc(100_000, 2));
    await new Promise((r) => setTimeout(r, 300));
    try {
      const before = new Set(socketInodes(process.pid));
      const table = await readTcpTable();
      expect(table, 'ss ran').not.toBeNull();
      const mine = [...table!.entries()]
        .filter(([inode]) => before.has(inode))
        .map(([, b]) => ({ acked: b.bytesAcked, received: b.bytesReceived }));
      // Both ends are this process: the client sent 100000 and received 20000, the server the
      // reverse. The kernel counts the connecting side's SYN as one acknowledged byte.
      expect(received).toBe(20_000);
      const rounded = mine.map((b) => ({ ...b, acked: Math.floor(b.acked / 10) * 10 }));
      expect(rounded).toContainEqual({ acked: 100_000, received: 20_000 });
      expect(rounded).toContainEqual({ acked: 20_000, received: 100_000 });
    } finally {
      client.destroy();
      server.close();
    }
  });
});
