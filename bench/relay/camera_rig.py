#!/usr/bin/python3
"""Camera rig for the relay bench: RTSP mounts that serve pre-encoded H.264, no live encoding.

Run with /usr/bin/python3 (it needs Debian's python3-gi). Arguments:
  --address A --port P --mounts JSON [--threads N]
JSON is a list of {"path": "/cam-01", "rtpPort": 50000}. Each mount relays the RTP that a feeder
(`ffmpeg -re -stream_loop -1 -i clip.ts -c copy -f rtp rtp://127.0.0.1:<rtpPort>`) sends to a
loopback UDP port: depayloaded and payloaded again (no decoding), so a camera costs a fraction of a
percent of a core instead of the ~5 % of an encoding mount. Media are shared between clients.

Prints one JSON line when listening: {"ready": true, "port": P} (or {"error": "..."} and exit 2),
and exits 0 on SIGTERM/SIGINT or when stdin closes (the parent died).
"""
import argparse
import json
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

RTP_CAPS = "application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=96"


def launch_line(m):
    # The clip already repeats SPS/PPS in band before every IDR (x264 into MPEG-TS), so a client
    # joining mid-stream can decode; config-interval=0 because inserting them again makes ffmpeg
    # see two packets with the same DTS at every key frame.
    return (
        f'( udpsrc address=127.0.0.1 port={m["rtpPort"]} buffer-size=4194304 caps="{RTP_CAPS}" ! '
        "rtph264depay ! rtph264pay name=pay0 pt=96 config-interval=0 )"
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--address", required=True)
    ap.add_argument("--port", required=True, type=int)
    ap.add_argument("--mounts", required=True)
    ap.add_argument("--threads", type=int, default=8)
    args = ap.parse_args()

    Gst.init(None)
    loop = GLib.MainLoop()
    server = GstRtspServer.RTSPServer()
    server.set_address(args.address)
    server.set_service(str(args.port))
    # Clients in a pool of threads: a DESCRIBE waits for the mount to prepare (up to a key frame),
    # and with the default single client thread every other client waits behind it.
    server.get_thread_pool().set_max_threads(args.threads)
    mounts = server.get_mount_points()
    for m in json.loads(args.mounts):
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch_line(m))
        factory.set_shared(True)
        mounts.add_factory(m["path"], factory)

    try:
        source_id = server.attach(None)
    except GLib.Error as e:  # port taken or address not local
        print(json.dumps({"error": str(e)}), flush=True)
        sys.exit(2)
    if source_id == 0:
        print(json.dumps({"error": f"cannot listen on {args.address}:{args.port}"}), flush=True)
        sys.exit(2)

    def quit_loop(*_a):
        loop.quit()
        return False

    GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGTERM, quit_loop)
    GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGINT, quit_loop)

    def on_stdin(_ch, cond):
        if cond & (GLib.IOCondition.HUP | GLib.IOCondition.ERR):
            return quit_loop()
        return True if sys.stdin.buffer.read1(4096) else quit_loop()

    GLib.io_add_watch(
        GLib.IOChannel.unix_new(sys.stdin.fileno()),
        GLib.PRIORITY_DEFAULT,
        GLib.IOCondition.HUP | GLib.IOCondition.IN | GLib.IOCondition.ERR,
        on_stdin,
    )

    print(json.dumps({"ready": True, "port": server.get_bound_port()}), flush=True)
    loop.run()
    sys.exit(0)


if __name__ == "__main__":
    main()
