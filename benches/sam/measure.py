"""Measures `portcullis serve --template` on tests/sam/hello.

First response: from spawning the binary to the first 200 of
GET /Prod/hello/bench, polling every 2 ms (the template is read, the API
compiled, the Python function's process started on the first request, its
answer returned). Warm: 2,000 sequential requests on one keep-alive
connection after 200 of warm-up; the function does no work, so the figure
is what the gateway and the runtime client add to a function's own time.
"""

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time

binary, python, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
template = os.path.join("tests", "sam", "hello", "template.yaml")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start(port):
    return subprocess.Popen(
        [binary, "serve", "--template", template, "--runtime-command",
         "python=%s -m awslambdaric" % python, "--listen", "127.0.0.1:%d" % port, "--no-admin"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def first_response(port):
    began = time.perf_counter()
    server = start(port)
    try:
        deadline = began + 10
        while time.perf_counter() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/Prod/hello/bench")
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    return time.perf_counter() - began
            except OSError:
                time.sleep(0.002)
        raise SystemExit("no answer within 10 s")
    finally:
        server.kill()
        server.wait()


def warm(port, count=2000, warmup=200):
    server = start(port)
    try:
        conn = None
        for _ in range(5000):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/Prod/hello/bench")
                conn.getresponse().read()
                break
            except OSError:
                time.sleep(0.002)
        samples = []
        for i in range(warmup + count):
            t = time.perf_counter()
            conn.request("GET", "/Prod/hello/bench")
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit("status %d" % response.status)
            if i >= warmup:
                samples.append(time.perf_counter() - t)
        return samples
    finally:
        server.kill()
        server.wait()


firsts = sorted(first_response(free_port()) for _ in range(runs))
samples = sorted(warm(free_port()))


def pct(p):
    return samples[min(len(samples) - 1, int(len(samples) * p))]


print(json.dumps({
    "first_response_ms": {"median": round(statistics.median(firsts) * 1e3, 1),
                          "min": round(firsts[0] * 1e3, 1), "max": round(firsts[-1] * 1e3, 1), "runs": runs},
    "warm_ms": {"p50": round(pct(0.5) * 1e3, 3), "p90": round(pct(0.9) * 1e3, 3),
                "p99": round(pct(0.99) * 1e3, 3), "max": round(samples[-1] * 1e3, 3), "requests": len(samples)},
}, indent=2))
