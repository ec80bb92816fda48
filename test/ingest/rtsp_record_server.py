#!/usr/bin/python3
"""RTSP ingest for the relay tests: accepts ANNOUNCE/RECORD on any path and records each session.

Run with /usr/bin/python3 (it needs Debian's python3-gi). Arguments:
  --address A --port P --dir D [--threads N] [--cert PEM --key PEM]
With --cert and --key it speaks RTSP over TLS (RTSPS) on the same port, presenting that certificate.
A publisher pushing to rtsp://A:P/any/path/<name> (RTP interleaved over TCP, as `ffmpeg -f rtsp
-rtsp_transport tcp` does) is recorded to D/<name>-<n>.ts, a new n for every session, so a killed
publisher that reconnects never overwrites what was stored. H.264/H.265 video is muxed into MPEG-TS,
which stays readable while it grows; other media in the SDP (AAC, G.711, ...) are accepted and
dropped, so a camera with audio does not make the ANNOUNCE fail.

Prints JSON lines: {"ready": true, "port": P} when listening (or {"error": "..."} and exit 2), then
{"record": "<name>", "file": "<path>"} for each session. Exits 0 on SIGTERM/SIGINT or when stdin
closes (the parent died).
"""
import argparse
import ctypes
import json
import os
import re
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
gi.require_version("GstSdp", "1.0")
from gi.repository import Gio, GLib, Gst, GstRtsp, GstRtspServer, GstSdp  # noqa: E402


def emit(obj):
    print(json.dumps(obj), flush=True)


def current_request_body():
    """Body of the RTSP request being handled (the SDP of an ANNOUNCE), or None.

    gst_rtsp_context_get_current() is not in the typelib, so go through ctypes. GstRTSPContext is a
    public struct whose fourth member is `GstRTSPMessage *request` (rtsp-context.h).
    """
    try:
        server_lib = ctypes.CDLL("libgstrtspserver-1.0.so.0")
        rtsp_lib = ctypes.CDLL("libgstrtsp-1.0.so.0")
        server_lib.gst_rtsp_context_get_current.restype = ctypes.c_void_p
        ctx = server_lib.gst_rtsp_context_get_current()
        if not ctx:
            return None
        request = ctypes.c_void_p.from_address(ctx + 3 * ctypes.sizeof(ctypes.c_void_p)).value
        if not request:
            return None
        data = ctypes.POINTER(ctypes.c_uint8)()
        size = ctypes.c_uint()
        rtsp_lib.gst_rtsp_message_get_body.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.POINTER(ctypes.c_uint8)),
            ctypes.POINTER(ctypes.c_uint),
        ]
        if rtsp_lib.gst_rtsp_message_get_body(request, ctypes.byref(data), ctypes.byref(size)) != 0:
            return None
        return ctypes.string_at(data, size.value) if size.value else None
    except (OSError, AttributeError, ValueError):
        return None


def sdp_encodings(body):
    """Upper-case RTP encoding name of each m= section, in order ('H264', 'H265', 'MPEG4-GENERIC', ...)."""
    if not body:
        return ["H264"]  # no SDP visible: assume the common case, one H.264 video stream
    res, msg = GstSdp.SDPMessage.new_from_text(body.decode("utf-8", "replace"))
    if res != GstSdp.SDPResult.OK:
        return ["H264"]
    encodings = []
    for i in range(msg.medias_len()):
        media = msg.get_media(i)
        name = ""
        if media.formats_len() > 0:
            caps = media.get_caps_from_media(int(media.get_format(0)))
            if caps is not None and caps.get_size() > 0:
                name = caps.get_structure(0).get_string("encoding-name") or ""
        encodings.append(name.upper())
    return encodings


# Video that is recorded, per RTP encoding; everything else (audio above all) goes to a fakesink: the
# tests judge video, and muxing ffmpeg's AAC-over-RTP came out garbled here.
# Video is forced to whole access units: left free, h264parse may hand mpegtsmux single NAL units
# without timestamps when an audio stream is present, and the recording then holds no pictures.
BRANCHES = {
    "H264": "rtph264depay name=depay{i} ! h264parse config-interval=-1 ! video/x-h264,alignment=au",
    "H265": "rtph265depay name=depay{i} ! h265parse config-interval=-1 ! video/x-h265,alignment=au",
}


class RecordFactory(GstRtspServer.RTSPMediaFactory):
    """One factory for every mount: the pipeline is built per ANNOUNCE from the URL and the SDP."""

    def __init__(self, out_dir):
        super().__init__()
        self.out_dir = out_dir
        self.counters = {}
        self.set_transport_mode(GstRtspServer.RTSPTransportMode.RECORD)
        # Every publisher gets its own media, so a new session never waits for a stale one.
        self.set_shared(False)
        # TCP only (interleaved RTP, what the relay pushes): then the listening port is the only
        # socket a test has to know about to inject faults.
        self.set_protocols(GstRtsp.RTSPLowerTrans.TCP)

    def next_file(self, name):
        # Continue the numbering found on disk so a restarted server does not overwrite old sessions.
        if name not in self.counters:
            pattern = re.compile(re.escape(name) + r"-(\d+)\.ts$")
            found = [int(m.group(1)) for f in os.listdir(self.out_dir) if (m := pattern.match(f))]
            self.counters[name] = max(found, default=0)
        self.counters[name] += 1
        return os.path.join(self.out_dir, f"{name}-{self.counters[name]}.ts")

    def do_create_element(self, url):
        name = stream_name(url.abspath)
        branches = []
        muxed = 0
        for i, enc in enumerate(sdp_encodings(current_request_body())):
            if enc in BRANCHES:
                branches.append(BRANCHES[enc].format(i=i) + " ! queue ! mux.")
                muxed += 1
            else:
                branches.append(f"identity name=depay{i} ! fakesink sync=false async=false")
        path = self.next_file(name)
        sink = ""
        if muxed:
            # Unbuffered so that what was received is on disk at once: tests read the file as it grows.
            sink = f'mpegtsmux name=mux ! filesink location="{path}" buffer-mode=unbuffered sync=false'
        emit({"record": name, "file": path if muxed else None})
        return Gst.parse_launch("( " + " ".join(branches + [sink]) + " )")


def stream_name(abspath):
    last = abspath.rstrip("/").rsplit("/", 1)[-1] or "stream"
    return re.sub(r"[^A-Za-z0-9._-]", "_", last)


class AnyPathMounts(GstRtspServer.RTSPMountPoints):
    """Mounts the record factory at any path the first time a client names it.

    ANNOUNCE looks its factory up by exact path, so one factory at /live would not match
    /live/cam-1; SETUP (/live/cam-1/streamid=0) goes by longest prefix and finds the mount made here.
    """

    def __init__(self, factory):
        super().__init__()
        self.factory = factory

    def do_make_path(self, url):
        path = GstRtspServer.RTSPMountPoints.do_make_path(self, url)
        if path and self.match(path)[0] is None:
            self.add_factory(path, self.factory)
        return path


def use_tls(server, factory, cert, key):
    """RTSPS: an auth that presents the certificate, and lets anyone record (no credentials asked)."""
    auth = GstRtspServer.RTSPAuth()
    auth.set_tls_certificate(Gio.TlsCertificate.new_from_files(cert, key))
    token = GstRtspServer.RTSPToken()
    token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "anonymous")
    auth.set_default_token(token)
    factory.add_role_from_structure(
        Gst.Structure.new_from_string(
            "anonymous, media.factory.access=(boolean)true, media.factory.construct=(boolean)true"
        )
    )
    server.set_auth(auth)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--address", default="127.0.0.1")
    ap.add_argument("--port", required=True, type=int)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    args = ap.parse_args()

    Gst.init(None)
    loop = GLib.MainLoop()
    server = GstRtspServer.RTSPServer()
    server.set_address(args.address)
    server.set_service(str(args.port))
    server.set_backlog(64)  # GStreamer's default of 5 makes a relay's many publishers wait for SYN retries
    factory = RecordFactory(args.dir)
    server.set_mount_points(AnyPathMounts(factory))
    if args.cert:
        use_tls(server, factory, args.cert, args.key)
    # Publishers in a pool of threads: with the default single client thread one thread reads every
    # publisher's interleaved RTP (32 x 4 Mbit/s in the relay bench) and the ingest falls behind.
    server.get_thread_pool().set_max_threads(args.threads)

    try:
        source_id = server.attach(None)
    except GLib.Error as e:  # port taken or address not local
        emit({"error": str(e)})
        sys.exit(2)
    if source_id == 0:
        emit({"error": f"cannot listen on {args.address}:{args.port}"})
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

    emit({"ready": True, "port": server.get_bound_port()})
    loop.run()
    sys.exit(0)


if __name__ == "__main__":
    main()
