#!/usr/bin/env python3
"""A loopback HTTP proxy that adds a fixed delay to every request, as AWS round trips do.

moto answers in a millisecond or two and serializes requests, so measured against moto alone
a benchmark measures moto. Behind this proxy each request costs at least --delay-ms, so wall
time shows how many round trips deep a run is and how well it overlaps requests.

It counts requests and the most in flight at once; GET /__proxy/stats returns them as JSON
and POST /__proxy/reset zeroes them. Listens on 127.0.0.1 only and forwards to --target
(also on loopback). Stdlib only.

Faults, for tests of what the tool does when AWS or the network fails:
  --lose-after N        the Nth request and every one after it get their connection reset,
                        and the proxy stops listening, so new connections are refused: a
                        dropped network or VPN.
  --lose-at ACTION[:K]  the same, from the Kth request (default 1st) for the API action
                        ACTION (CreateChangeSet, ExecuteChangeSet, DescribeStackEvents, ...).
  --restore-after S     listen again on the same port S seconds after losing the network.
  --stall-at ACTION[:K] from the Kth request for ACTION on, hold every request unanswered:
                        an endpoint that accepts connections and never replies.
  --burst STATUS:COUNT[@N]
                        answer COUNT requests from the Nth (default 1st) with STATUS and an
                        empty body (e.g. 503:6@10), then forward again.
Each fault happens once. GET /__proxy/stats also reports the faults dealt.

Usage: latency_proxy.py --target http://127.0.0.1:5000 --delay-ms 50 --port-file FILE
       [--lose-after N | --lose-at ACTION[:K]] [--restore-after S] [--stall-at ACTION[:K]]
       [--burst STATUS:COUNT[@N]]
"""

import argparse
import http.client
import re
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
        self.faults = {"reset": 0, "stalled": 0, "burst": 0}

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
            return {
                "requests": self.requests,
                "max_in_flight": self.max_in_flight,
                "faults": dict(self.faults),
            }

    def fault(self, kind):
        with self.lock:
            self.faults[kind] += 1


class Faults:
    """Which requests fail and how; every decision under one lock, in arrival order."""

    def __init__(self, args):
        self.lock = threading.Lock()
        self.seen = 0
        self.per_action = {}
        self.lose_after = args.lose_after
        self.lose_at = parse_at(args.lose_at)
        self.stall_at = parse_at(args.stall_at)
        self.burst = None
        if args.burst:
            m = re.fullmatch(r"(\d{3}):(\d+)(?:@(\d+))?", args.burst)
            if not m:
                raise SystemExit("latency_proxy: --burst is STATUS:COUNT[@N]")
            self.burst = [int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)]
        self.lost = threading.Event()
        self.lost_once = False
        self.stalled = False

    def decide(self, action):
        """'reset', 'stall', ('status', N) or None (forward)."""
        with self.lock:
            self.seen += 1
            k = self.per_action[action] = self.per_action.get(action, 0) + 1
            if self.lost.is_set():
                return "reset"
            if not self.lost_once and (
                (self.lose_after is not None and self.seen >= self.lose_after)
                or (self.lose_at and self.lose_at == (action, k))
            ):
                self.lost_once = True
                self.lost.set()
                return "reset"
            if self.stalled or (self.stall_at and self.stall_at == (action, k)):
                self.stalled = True
                return "stall"
            if self.burst and self.burst[1] > 0 and self.seen >= self.burst[2]:
                self.burst[1] -= 1
                return ("status", self.burst[0])
            return None


def parse_at(text):
    if not text:
        return None
    action, _, k = text.partition(":")
    return (action, int(k or 1))


def action_of(body, path):
    """The API action of a query-protocol request (Action=...), else the path."""
    m = re.search(rb"(?:^|&)Action=([A-Za-z]+)", body or b"")
    return m.group(1).decode() if m else path

    def reset(self):
        with self.lock:
            self.requests = 0
            self.max_in_flight = self.in_flight


def make_handler(target, delay, stats, faults):
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
            decision = faults.decide(action_of(body, self.path))
            if decision == "reset":
                stats.fault("reset")
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if decision == "stall":
                stats.fault("stalled")
                time.sleep(3600)
                return
            if decision is not None:
                stats.fault("burst")
                self.send_response(decision[1])
                self.send_header("Content-Length", "0")
                self.end_headers()
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
    parser.add_argument("--lose-at", default=None)
    parser.add_argument("--restore-after", type=float, default=None)
    parser.add_argument("--stall-at", default=None)
    parser.add_argument("--burst", default=None)
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

    faults = Faults(args)
    handler = make_handler(target, args.delay_ms / 1000, stats, faults)
    server = Server(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    port = server.server_address[1]

    def stop_listening():
        faults.lost.wait()
        server.shutdown()
        server.server_close()
        if args.restore_after is None:
            return
        time.sleep(args.restore_after)
        again = Server(("127.0.0.1", port), handler)
        again.daemon_threads = True
        faults.lost.clear()
        again.serve_forever()

    lister = threading.Thread(target=stop_listening)
    lister.daemon = True
    lister.start()
    with open(args.port_file, "w") as f:
        f.write(str(port))
    server.serve_forever()
    # The network came back on a new server: keep the process alive while it serves.
    lister.join()


if __name__ == "__main__":
    main()
