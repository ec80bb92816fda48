#!/usr/bin/python3
"""RTSP server for one simulated camera: real H.264 (or MJPEG) over RTSP/TCP and RTP/UDP.

Run with /usr/bin/python3 (it needs Debian's python3-gi). Arguments:
  --address A --port P --mounts JSON
JSON is a list of {"path": "/id/main", "width": W, "height": H, "fps": F, "bitrate": kbit/s,
"codec": "h264"|"h265"|"jpeg", "profile": "main"|"baseline"|"high"}.

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


def launch_line(m):
    # Shared factory: one encoder per mount, started on the first client and stopped after the last.
    src = (
        "videotestsrc is-live=true pattern=ball ! "
        f"video/x-raw,format=I420,width={m['width']},height={m['height']},framerate={m['fps']}/1"
    )
    if m.get("codec") == "jpeg":
        return f"( {src} ! jpegenc quality=60 ! rtpjpegpay name=pay0 pt=26 )"
    if m.get("codec") == "h265":
        return (
            f"( {src} ! x265enc tune=zerolatency speed-preset=ultrafast "
            f"key-int-max={2 * m['fps']} bitrate={m['bitrate']} ! "
            "video/x-h265,profile=main ! h265parse ! "
            "rtph265pay name=pay0 pt=96 config-interval=1 )"
        )
    profile = m.get("profile", "main")
    # ultrafast turns CABAC off, which makes x264 signal Constrained Baseline; Main/High need it back.
    x264_opts = "" if profile == "baseline" else "option-string=cabac=1"
    # A keyframe every 2 s keeps first-frame latency low without much bitrate cost.
    return (
        f"( {src} ! x264enc tune=zerolatency speed-preset=ultrafast "
        f"key-int-max={2 * m['fps']} bitrate={m['bitrate']} {x264_opts} ! "
        f"video/x-h264,profile={profile} ! h264parse ! "
        "rtph264pay name=pay0 pt=96 config-interval=1 )"
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--address", required=True)
    ap.add_argument("--port", required=True, type=int)
    ap.add_argument("--mounts", required=True)
    args = ap.parse_args()

    Gst.init(None)
    loop = GLib.MainLoop()
    server = GstRtspServer.RTSPServer()
    server.set_address(args.address)
    server.set_service(str(args.port))
    mounts = server.get_mount_points()
    for m in json.loads(args.mounts):
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch_line(m))
        factory.set_shared(True)  # default protocols already cover RTP/UDP and interleaved TCP
        mounts.add_factory(m["path"], factory)

    try:
        source_id = server.attach(None)
    except GLib.Error as e:  # port taken or address not local
        source_id = 0
        print(json.dumps({"error": str(e)}), flush=True)
    if source_id == 0:
        print(json.dumps({"error": f"cannot listen on {args.address}:{args.port}"}), flush=True)
        sys.exit(2)

    def quit_loop(*_a):
        loop.quit()
        return False

    GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGTERM, quit_loop)
    GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGINT, quit_loop)
    # The parent keeps our stdin open; when it dies the pipe closes and we go too.
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
