"""Turns the load benchmark's samples into the table in docs/benchmarks.md and a chart.

Usage (from run.sh): report.py WORK DOCS WRITE QUICK NGINX_V HAPROXY_V WRK_V DURATION ROUNDS
"""
import datetime
import os
import platform
import statistics
import subprocess
import sys

work, docs, write, quick, nginx_v, haproxy_v, wrk_v, duration, rounds = sys.argv[1:10]
START = "<!-- load-benchmark:start -->"
END = "<!-- load-benchmark:end -->"

samples = {}
for line in open(os.path.join(work, "samples")):
    label, conns, rps, p50, p99, cpu = line.split()
    samples.setdefault((label, int(conns)), []).append((float(rps), float(p50), float(p99), float(cpu)))

peak = dict(line.split() for line in open(os.path.join(work, "rss")))
idle = dict(line.split() for line in open(os.path.join(work, "rss.idle")))


def median(key, index):
    return statistics.median(s[index] for s in samples[key])


def split(label):
    mode, rest = label.split("-", 1)
    target, path = rest.rsplit("-", 1)
    return mode, target, path


NAMES = {
    "direct": "backend directly",
    "nginx": "nginx (keep-alive upstream)",
    "haproxy": "HAProxy (http mode)",
    "portcullis-proxy": "Portcullis: REST `http_proxy` route",
    "portcullis-baseline": "Portcullis: the `http_proxy` route served by the baseline binary (an earlier commit: see the text)",
    "portcullis-stealing": "Portcullis: the same route on the work-stealing runtime (`--runtime work-stealing`)",
    "portcullis-logged": "Portcullis: the same route, each request access-logged (JSON preset, to a file)",
    "portcullis-keyed": "Portcullis: the same route with an API key and a usage plan (throttle, quota, usage)",
    "portcullis-full": "Portcullis: the same route behind a Cognito authorizer (cached JWT), an API key with a usage plan, and an access log",
    "portcullis-mock": "Portcullis: MOCK integration with a response template",
    "portcullis-cached": "Portcullis: the `http_proxy` route on a stage with a cache, every request a hit",
}

rows = []
for (label, conns) in sorted(samples, key=lambda k: (split(k[0])[0], split(k[0])[2], k[1], list(NAMES).index(split(k[0])[1]))):
    mode, target, path = split(label)
    rps, p50, p99, cpu = (median((label, conns), i) for i in range(4))
    nginx = (f"{mode}-nginx-{path}", conns)
    direct = (f"{mode}-direct-{path}", conns)
    ratio_nginx_rps = rps / median(nginx, 0) if nginx in samples else None
    ratio_nginx_cpu = cpu / median(nginx, 3) if nginx in samples and median(nginx, 3) > 0 else None
    ratio_direct_rps = rps / median(direct, 0) if direct in samples else None
    rss_key = f"{mode}-{target}" if target != "direct" else "direct"
    rows.append(
        dict(mode=mode, target=target, path=path, conns=conns, rps=rps, p50=p50, p99=p99, cpu=cpu,
             rn=ratio_nginx_rps, cn=ratio_nginx_cpu, rd=ratio_direct_rps,
             peak=int(peak.get(rss_key, 0)) / 1024, idle=int(idle.get(rss_key, 0)) / 1024 if rss_key in idle else None)
    )


def fmt(value, spec="{:.2f}", empty="–"):
    return empty if value is None else spec.format(value)


cpu_model = "unknown"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu_model = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
today = datetime.date.today().isoformat()

out = [START, "", "## Load benchmark (`benches/load/run.sh`)", ""]
out.append(
    f"Run {today}{' (quick: one round)' if quick == '1' else ''} on {os.cpu_count()} cores ({cpu_model}), "
    f"{platform.system()} {platform.release()}; {rustc}; nginx {nginx_v}, HAProxy {haproxy_v}, wrk {wrk_v}. "
    f"wrk: 1 thread, {duration} s per measurement, {rounds} round(s) interleaved "
    "(direct, nginx, HAProxy, Portcullis configurations, then again); figures are medians of the rounds."
)
out.append("")
out.append(
    "*1 worker*: every proxy on CPU 0 with one worker (nginx `worker_processes 1`, HAProxy `nbthread 1`, "
    "Portcullis `--workers 1`, its default per-core runtime unless the row says otherwise), the backend and wrk on CPU 1. *2 workers*: every proxy with two workers on both "
    "CPUs, sharing them with the backend and wrk. CPU µs/req is the measured server's user+system CPU time "
    "(from `/proc/PID/stat`, workers included) divided by the requests served; for the direct rows it is the "
    "backend's own cost. Peak RSS is `VmHWM` summed over the server's processes. `/small` answers 13 bytes, "
    "`/json` 4 KB."
)
out.append("")
out.append("| workers | path | conns | configuration | req/s | vs nginx | vs direct | p50 µs | p99 µs | CPU µs/req | CPU vs nginx | peak RSS MB |")
out.append("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    out.append(
        f"| {r['mode'][1:]} | /{r['path']} | {r['conns']} | {NAMES[r['target']]} | {r['rps']:.0f} | {fmt(r['rn'])} | "
        f"{fmt(r['rd'])} | {r['p50']:.0f} | {r['p99']:.0f} | {r['cpu']:.1f} | {fmt(r['cn'])} | {r['peak']:.1f} |"
    )
out.append("")
idle_lines = [f"{k}: {int(v) / 1024:.1f} MB" for k, v in sorted(idle.items())]
out.append("Idle RSS of Portcullis after start (goal: under 20 MB): " + "; ".join(idle_lines) + ".")
out.append("")
out.append("A Lambda proxy row arrives with its own issue.")
out.append("")
out.append("![CPU µs per request by configuration](load-cpu.png)")
out.append("")
out.append(END)
section = "\n".join(out)

# Chart: CPU µs per request, 1 worker, /small, 32 connections.
chart_rows = [r for r in rows if r["mode"] == "w1" and r["path"] == "small" and r["conns"] == 32]
if chart_rows:
    data = os.path.join(work, "chart.dat")
    with open(data, "w") as f:
        for r in chart_rows:
            f.write(f"\"{r['target']}\" {r['cpu']:.2f}\n")
    script = f"""
set terminal pngcairo size 900,480 font 'sans,11'
set output '{os.path.join(docs, 'load-cpu.png')}'
set title 'CPU time per request (1 worker, /small, 32 connections, {today})'
set ylabel 'CPU µs per request (lower is better)'
set style fill solid 0.8
set boxwidth 0.6
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
set grid ytics
unset key
plot '{data}' using 0:2:xtic(1) with boxes lc rgb '#3b6ea8', '' using 0:2:(sprintf('%.1f', $2)) with labels offset 0,1
"""
    if write == "1":
        subprocess.run(["gnuplot"], input=script, text=True, check=True)

if write == "1":
    path = os.path.join(docs, "benchmarks.md")
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    open(path, "w").write(text)
print(section)
