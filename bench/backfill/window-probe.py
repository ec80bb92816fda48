#!/usr/bin/python3
# What a publisher's TCP connection shows when the ingest stops reading: ffmpeg publishes a clip
# (-re, copy) to nginx-rtmp or GStreamer's RTSP record server (test/ingest) on loopback, the
# socket's TCP_INFO is sampled every 0.5 s with `ss -tinHe`, and the server is SIGSTOPped at
# STOP_AT seconds (never if STOP_AT exceeds RUN_FOR). Prints one row per sample; the rows in
# test/fixtures/tcp-info came from it. bench/backfill/README.md reads them.
#   window-probe.py rtmp|rtsp CLIP STOP_AT RUN_FOR
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RTSP_SERVER = os.path.join(HERE, '..', '..', 'test', 'ingest', 'rtsp_record_server.py')
RTMP_MODULES = ['/usr/lib/nginx/modules/ngx_rtmp_module.so', '/usr/share/nginx/modules/ngx_rtmp_module.so']


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_server(proto, port, d):
    if proto == 'rtmp':
        module = next(p for p in RTMP_MODULES if os.path.exists(p))
        with open(f'{d}/nginx.conf', 'w') as f:
            f.write(f'''load_module {module};
daemon off; master_process off; worker_processes 1; pid {d}/nginx.pid; error_log {d}/error.log info;
events {{ worker_connections 64; }}
rtmp {{ access_log off; server {{ listen 127.0.0.1:{port};
  application live {{ live on; record all; record_path {d}; record_unique on; }} }} }}
''')
        srv = subprocess.Popen(['/usr/sbin/nginx', '-p', d + '/', '-c', f'{d}/nginx.conf', '-e', f'{d}/error.log'])
        return srv, f'rtmp://127.0.0.1:{port}/live/x', ['-f', 'flv']
    srv = subprocess.Popen(
        ['/usr/bin/python3', RTSP_SERVER, '--address', '127.0.0.1', '--port', str(port), '--dir', d],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    return srv, f'rtsp://127.0.0.1:{port}/x', ['-f', 'rtsp', '-rtsp_transport', 'tcp']


def field(key, line):
    m = re.search(r'\b' + key + r':(\d+)', line)
    return int(m.group(1)) if m else 0


def main():
    proto, clip, stop_at, run_for = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    port = free_port()
    d = tempfile.mkdtemp(prefix='window-probe-')
    srv, url, fmt = start_server(proto, port, d)
    ff = None
    try:
        for _ in range(200):
            try:
                socket.create_connection(('127.0.0.1', port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        ff = subprocess.Popen(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1',
                               '-i', clip, '-c', 'copy', *fmt, url])
        t0 = time.time()
        stopped = False
        prev = None
        print('t stop sendq acked dAcked recv dRecv lastrcv lastack snd_wnd edge dEdge')
        while time.time() - t0 < run_for:
            t = time.time() - t0
            if not stopped and t >= stop_at:
                os.kill(srv.pid, signal.SIGSTOP)
                stopped = True
            out = subprocess.run(['ss', '-tinHe', 'state', 'established', 'dst', f'127.0.0.1:{port}'],
                                 capture_output=True, text=True).stdout.strip().split('\n')
            if len(out) >= 2:
                queue = int(out[0].split()[1])
                acked, recv, wnd = field('bytes_acked', out[1]), field('bytes_received', out[1]), field('snd_wnd', out[1])
                cur = (acked, recv, acked + wnd)
                dd = [c - p for c, p in zip(cur, prev)] if prev else [0, 0, 0]
                print(f'{t:5.1f} {int(stopped)} {queue} {acked} {dd[0]} {recv} {dd[1]} {field("lastrcv", out[1])} '
                      f'{field("lastack", out[1])} {wnd} {acked + wnd} {dd[2]}', flush=True)
                prev = cur
            time.sleep(0.5)
    finally:
        os.kill(srv.pid, signal.SIGCONT)
        for p in (ff, srv):
            if p:
                p.kill()
                p.wait()
        shutil.rmtree(d, ignore_errors=True)


main()
