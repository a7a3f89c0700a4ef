#!/usr/bin/env python3
"""A loopback HTTP proxy that adds a fixed delay to every request, as AWS round trips do.

moto answers in a millisecond or two and serializes requests, so measured against moto alone
a benchmark measures moto. Behind this proxy each request costs at least --delay-ms, so wall
time shows how many round trips deep a run is and how well it overlaps requests.

It counts requests and the most in flight at once; GET /__proxy/stats returns them as JSON
and POST /__proxy/reset zeroes them. Listens on 127.0.0.1 only and forwards to --target
(also on loopback). Stdlib only.

For fault tests, --lose-after N makes it vanish as a dropped network does: the Nth request
and every one after it get their connection reset, and the proxy stops listening, so new
connections are refused.

Usage: latency_proxy.py --target http://127.0.0.1:5000 --delay-ms 50 --port-file FILE
       [--lose-after N]
"""

import argparse
import http.client
import http.server
import json
import socket
import threading
import time
import urllib.parse

HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
    "trailers", "transfer-encoding", "upgrade",
}


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.in_flight = 0
        self.max_in_flight = 0

    def enter(self):
        with self.lock:
            self.requests += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self):
        with self.lock:
            self.in_flight -= 1

    def snapshot(self):
        with self.lock:
            return {"requests": self.requests, "max_in_flight": self.max_in_flight}

    def reset(self):
        with self.lock:
            self.requests = 0
            self.max_in_flight = self.in_flight


def make_handler(target, delay, stats, lose_after=None, lost=None):
    host, port = target.hostname, target.port

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def forward(self):
            if self.path == "/__proxy/stats":
                return self.reply(200, stats.snapshot())
            if self.path == "/__proxy/reset":
                stats.reset()
                return self.reply(200, {"reset": True})
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            if lose_after is not None and (lost.is_set() or stats.requests + 1 >= lose_after):
                lost.set()
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            # In flight: from the request's arrival until the upstream answer is read (the
            # client may send its next request as soon as it has this answer).
            stats.enter()
            try:
                time.sleep(delay)
                conn = http.client.HTTPConnection(host, port, timeout=300)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
            finally:
                stats.leave()
            self.send_response(resp.status, resp.reason)
            for k, v in resp.getheaders():
                if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = forward

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", required=True)
    parser.add_argument("--delay-ms", type=float, default=50)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--lose-after", type=int, default=None)
    args = parser.parse_args()
    target = urllib.parse.urlparse(args.target)
    if target.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("latency_proxy: the target must be on loopback")
    stats = Stats()

    class Server(http.server.ThreadingHTTPServer):
        # The default listen backlog (5) overflows when a client opens dozens of connections
        # at once; dropped SYNs retransmit after 1 s, 3 s, ... and the proxy would measure
        # the kernel's patience instead of the client.
        request_queue_size = 1024

    lost = threading.Event()
    server = Server(
        ("127.0.0.1", 0),
        make_handler(target, args.delay_ms / 1000, stats, args.lose_after, lost),
    )

    def stop_listening():
        lost.wait()
        server.shutdown()
        server.server_close()

    threading.Thread(target=stop_listening, daemon=True).start()
    server.daemon_threads = True
    with open(args.port_file, "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
