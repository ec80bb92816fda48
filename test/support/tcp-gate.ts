// A real listening socket in front of a real server, under the test's control: it notes when each
// connection attempt arrives, and either resets it at once (a platform that refuses) or passes it
// through to the server behind (the platform back).
import net from 'node:net';

export interface TcpGate {
  port: number;
  /** Arrival of each connection, ms since the epoch, oldest first. */
  attempts: number[];
  /** Pass connections through to the server behind from now on. */
  open(): void;
  close(): Promise<void>;
}

export async function startTcpGate(target: { host: string; port: number }): Promise<TcpGate> {
  const attempts: number[] = [];
  const live = new Set<net.Socket>();
  let passing = false;
  const server = net.createServer((client) => {
    attempts.push(Date.now());
    live.add(client);
    client.once('close', () => live.delete(client));
    client.on('error', () => undefined);
    if (!passing) return void client.resetAndDestroy();
    const upstream = net.connect(target.port, target.host);
    live.add(upstream);
    upstream.once('close', () => live.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    attempts,
    open: () => (passing = true),
    close: async () => {
      for (const s of live) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
