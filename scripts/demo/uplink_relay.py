#!/usr/bin/python3
"""The demo's uplink: a userspace TCP relay, one loopback listener per far end.

  uplink_relay.py --ends '[{"name": "rtmp", "host": "127.0.0.1", "port": 1935}, ...]'

Prints {"ready": true, "ports": {name: port}} once listening. Reads commands on stdin, one a line,
and answers each with a JSON line: "cut" (stop forwarding both ways and hold every connection: a
black hole) and "restore"; it exits when stdin closes (the parent died).

Why Python: the receive buffer of every accepted socket is set small (SO_RCVBUF on the listener,
which Node cannot do), so that while the relay does not read, the kernel advertises a zero window
after a few kilobytes instead of accepting megabytes on the far end's behalf. Otherwise the sender
would see its data acknowledged for the whole outage, which is a hung server, not a dead 4G link.
"""
import argparse
import asyncio
import json
import signal
import socket
import sys

RCVBUF = 4096  # the kernel doubles it; a few ms of video at camera bitrates
HIGH_WATER = 64 * 1024
BACKLOG = 128


class Relay:
    def __init__(self):
        self.cut = False
        self.links = set()
        self.deferred = []
        self.listeners = []

    def when_up(self, fn):
        if self.cut:
            self.deferred.append(fn)
        else:
            fn()

    def do_cut(self):
        self.cut = True
        for listener in self.listeners:
            listener.cut()
        for link in self.links:
            link.pause()

    def do_restore(self):
        self.cut = False
        for listener in self.listeners:
            listener.restore()
        for link in list(self.links):
            if link.stillborn:
                link.abort()  # opened during the cut: it never reached the far end
            else:
                link.resume()
        deferred, self.deferred = self.deferred, []
        for fn in deferred:
            fn()


class Side(asyncio.Protocol):
    """One socket of a link; forwards what it reads to the other side."""

    def __init__(self, link, name):
        self.link = link
        self.name = name
        self.transport = None
        self.other = None
        self.blocked = False  # the other side's buffer is full
        self.early = []  # read before the far end was connected (pause_reading in
        # connection_made does not hold on every Python: the reader is added after it)

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        if self.other and self.other.transport:
            self.other.transport.write(data)
        else:
            self.early.append(data)
            self.transport.pause_reading()

    def eof_received(self):
        other = self.other
        self.link.relay.when_up(lambda: other and other.transport and other.transport.write_eof())
        return True

    def connection_lost(self, exc):
        self.link.side_lost(self)

    def pause_writing(self):
        # Our buffer toward this socket is full: stop reading the other side.
        if self.other:
            self.other.blocked = True
            self.other.transport.pause_reading()

    def resume_writing(self):
        if self.other:
            self.other.blocked = False
            if not self.link.relay.cut:
                self.other.transport.resume_reading()


class Link:
    def __init__(self, relay, end):
        self.relay = relay
        self.end = end
        self.near = Side(self, "near")
        self.far = None
        self.stillborn = relay.cut
        self.piped = False
        relay.links.add(self)

    def start(self):
        self.near.transport.pause_reading()
        if not self.stillborn:
            asyncio.ensure_future(self.connect())

    async def connect(self):
        loop = asyncio.get_running_loop()
        far = Side(self, "far")
        try:
            await loop.create_connection(lambda: far, self.end["host"], self.end["port"])
        except OSError:
            self.relay.when_up(self.abort)
            return
        self.far = far
        far.other, self.near.other = self.near, far
        far.transport.set_write_buffer_limits(high=HIGH_WATER)
        self.near.transport.set_write_buffer_limits(high=HIGH_WATER)
        self.piped = True
        for data in self.near.early:
            far.transport.write(data)
        self.near.early = []
        if self.relay.cut:
            far.transport.pause_reading()
        else:
            self.near.transport.resume_reading()

    def sides(self):
        return [s for s in (self.near, self.far) if s and s.transport and not s.transport.is_closing()]

    def pause(self):
        for s in self.sides():
            s.transport.pause_reading()

    def resume(self):
        if not self.piped:
            return
        for s in self.sides():
            if not s.blocked:
                s.transport.resume_reading()

    def abort(self):
        for s in self.sides():
            s.transport.abort()
        self.relay.links.discard(self)

    def side_lost(self, side):
        # A close cannot cross a dead link: the other side learns of it when the link is back.
        other = self.far if side is self.near else self.near
        self.relay.when_up(lambda: other and other.transport and other.transport.close())
        if not self.sides():
            self.relay.links.discard(self)


class Listener:
    """One far end's loopback port. While the link is cut it accepts nothing and its accept queue
    is kept full (backlog 0 and one connection of our own), so the kernel drops new SYNs: a client
    sees its connect hang in SYN-SENT, as on a dead link, and gets through when it comes back."""

    def __init__(self, relay, end):
        self.relay = relay
        self.end = end
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)  # inherited by accepted sockets
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(BACKLOG)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]
        self.plug = None
        self.plugs = set()
        self.loop = asyncio.get_running_loop()
        self.loop.add_reader(self.sock, self.accept)

    def accept(self):
        while True:
            try:
                conn, addr = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return  # ECONNABORTED and the like: the client gave up
            if addr in self.plugs:
                self.plugs.discard(addr)
                conn.close()  # our own plug from the cut
                continue
            link = Link(self.relay, self.end)
            asyncio.ensure_future(self.adopt(conn, link))

    async def adopt(self, conn, link):
        await self.loop.connect_accepted_socket(lambda: link.near, conn)
        link.start()

    def cut(self):
        self.loop.remove_reader(self.sock)
        self.sock.listen(0)
        plug = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        plug.setblocking(False)
        try:
            plug.connect(("127.0.0.1", self.port))
        except BlockingIOError:
            pass  # completes in the queue; if the queue was already full, it is full
        self.plug = plug
        self.plugs.add(plug.getsockname())

    def restore(self):
        self.sock.listen(BACKLOG)
        self.loop.add_reader(self.sock, self.accept)
        # Our own plug comes out of the queue with the others and is closed there.
        if self.plug:
            self.plug.close()
            self.plug = None


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ends", required=True)
    args = ap.parse_args()
    relay = Relay()
    ports = {}
    for end in json.loads(args.ends):
        listener = Listener(relay, end)
        relay.listeners.append(listener)
        ports[end["name"]] = listener.port
    print(json.dumps({"ready": True, "ports": ports}), flush=True)

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        if not line:
            return  # the parent is gone
        cmd = line.decode().strip()
        if cmd == "cut":
            relay.do_cut()
        elif cmd == "restore":
            relay.do_restore()
        print(json.dumps({"done": cmd, "links": len(relay.links)}), flush=True)


if __name__ == "__main__":
    # A Ctrl-C at the terminal reaches the whole process group: the demo stops us in order.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    asyncio.run(main())
