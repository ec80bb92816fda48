# Stands in for systemd's notification socket (sd_notify(3)): binds a unix datagram socket and
# prints each message as one JSON line with the time it arrived. File descriptors that come with a
# message (systemd-notify's BARRIER=1 pipe) are closed at once, which is what releases the sender.
import array, json, os, socket, sys, time

path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
print(json.dumps({"bound": path}), flush=True)
fd_size = array.array("i").itemsize
while True:
    data, anc, _flags, _addr = s.recvmsg(65536, socket.CMSG_SPACE(16 * fd_size))
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(payload[: len(payload) - (len(payload) % fd_size)])
            for fd in fds:
                os.close(fd)
    print(json.dumps({"ms": time.monotonic() * 1000, "msg": data.decode("utf-8", "replace")}), flush=True)
