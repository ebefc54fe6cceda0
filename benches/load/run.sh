#!/usr/bin/env bash
# The load benchmark: the same requests through the backend directly, nginx,
# HAProxy and Portcullis configurations, interleaved, on loopback only.
# Writes its table into the marked section of docs/benchmarks.md and a chart
# (docs/load-cpu.png). Full run: about 15 minutes; --quick: about 3.
#
#   bash benches/load/run.sh [--quick] [--no-write]
#
# PORTCULLIS_BASELINE=/path/to/an/older/portcullis adds a row: the proxy route
# served by that binary (an A/B of the same route across versions, same run).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

QUICK=0; WRITE=1
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    --no-write) WRITE=0 ;;
    *) echo "usage: $0 [--quick] [--no-write]" >&2; exit 2 ;;
  esac
done
if [ "$QUICK" = 1 ]; then ROUNDS=1; DURATION=4; CONNS="32"; else ROUNDS=3; DURATION=8; CONNS="32 256"; fi

# ---- tools -------------------------------------------------------------------
need=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
command -v wrk >/dev/null || need+=(wrk)
command -v gnuplot >/dev/null || need+=(gnuplot-nox)
if [ "${#need[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)

cargo build --release --quiet --bin portcullis --example bench_backend
PORTCULLIS=$ROOT/target/release/portcullis
BACKEND=$ROOT/target/release/examples/bench_backend

WORK=$(mktemp -d /tmp/portcullis-load.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

CLK_TCK=$(getconf CLK_TCK)
CORES=$(nproc)

wait_port() { # host port
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0; sleep 0.05; done
  echo "nothing answers on $1:$2" >&2; return 1
}

# CPU ticks (user+system) of a process and all its threads; for nginx and
# HAProxy, their worker processes too (children of the PID).
cpu_ticks() {
  local total=0 pid
  for pid in "$1" $(pgrep -P "$1" 2>/dev/null || true); do
    if [ -r "/proc/$pid/stat" ]; then
      total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
    fi
  done
  echo "$total"
}

# Peak RSS (kB) of a process and its children.
peak_rss() {
  local total=0 pid
  for pid in "$1" $(pgrep -P "$1" 2>/dev/null || true); do
    if [ -r "/proc/$pid/status" ]; then
      total=$((total + $(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")))
    fi
  done
  echo "$total"
}

rss_now() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# ---- servers -----------------------------------------------------------------
start_backend() {
  BACKEND_THREADS=1 taskset -c "$((CORES - 1))" "$BACKEND" 127.0.0.1:9101 >"$WORK/backend.log" 2>&1 &
  BACKEND_PID=$!; PIDS+=("$BACKEND_PID")
  wait_port 127.0.0.1 9101
}

# $1 = workers, $2 = cpu list
start_nginx() {
  cat >"$WORK/nginx.conf" <<CONF
worker_processes $1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  upstream backend { server 127.0.0.1:9101; keepalive 128; }
  server {
    listen 127.0.0.1:9102 backlog=4096;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
CONF
  taskset -c "$2" "$NGINX" -c "$WORK/nginx.conf" -p "$WORK" >"$WORK/nginx.log" 2>&1 &
  NGINX_PID=$!; PIDS+=("$NGINX_PID")
  wait_port 127.0.0.1 9102
}

start_haproxy() {
  cat >"$WORK/haproxy.cfg" <<CONF
global
  nbthread $1
  maxconn 8192
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  http-reuse always
frontend fe
  bind 127.0.0.1:9103
  default_backend be
backend be
  server s1 127.0.0.1:9101
CONF
  taskset -c "$2" "$HAPROXY" -f "$WORK/haproxy.cfg" -db >"$WORK/haproxy.log" 2>&1 &
  HAPROXY_PID=$!; PIDS+=("$HAPROXY_PID")
  wait_port 127.0.0.1 9103
}

write_apis() {
  cat >"$WORK/proxy.yaml" <<'API'
openapi: "3.0.1"
info: { title: "load-proxy", version: "1" }
paths:
  /{proxy+}:
    x-amazon-apigateway-any-method:
      parameters:
        - { name: proxy, in: path, required: true, schema: { type: string } }
      x-amazon-apigateway-integration:
        type: "http_proxy"
        httpMethod: "ANY"
        uri: "http://127.0.0.1:9101/{proxy}"
        requestParameters:
          integration.request.path.proxy: "method.request.path.proxy"
API
  # The proxy route behind an API key and a usage plan (limits far above the
  # load: the row measures the key check, the plan's bucket, quota and usage counter).
  cat >"$WORK/proxy-keyed.yaml" <<'API'
openapi: "3.0.1"
info: { title: "load-proxy-keyed", version: "1" }
paths:
  /{proxy+}:
    x-amazon-apigateway-any-method:
      security: [ { api_key: [] } ]
      parameters:
        - { name: proxy, in: path, required: true, schema: { type: string } }
      x-amazon-apigateway-integration:
        type: "http_proxy"
        httpMethod: "ANY"
        uri: "http://127.0.0.1:9101/{proxy}"
        requestParameters:
          integration.request.path.proxy: "method.request.path.proxy"
components:
  securitySchemes:
    api_key: { type: apiKey, name: x-api-key, in: header }
API
  # The proxy route on a stage with a cache (AWS's cache cluster), keyed by
  # the path: after the first request for a path, every request is a hit.
  cat >"$WORK/proxy-cached.yaml" <<'API'
openapi: "3.0.1"
info: { title: "load-proxy-cached", version: "1" }
paths:
  /{proxy+}:
    x-amazon-apigateway-any-method:
      parameters:
        - { name: proxy, in: path, required: true, schema: { type: string } }
      x-amazon-apigateway-integration:
        type: "http_proxy"
        httpMethod: "ANY"
        uri: "http://127.0.0.1:9101/{proxy}"
        requestParameters:
          integration.request.path.proxy: "method.request.path.proxy"
        cacheKeyParameters: [ "method.request.path.proxy" ]
API
  cat >"$WORK/cached-gateway.yaml" <<CONF
apis: [ { openapi: proxy-cached.yaml, stages: [ { name: \$default, cache: { ttl_seconds: 3600 } } ] } ]
throttling: { account: { rate_limit: 10000000, burst_limit: 10000000 } }
CONF
  # The proxy route behind everything a request can meet before its backend:
  # a Cognito user pool authorizer (a JWT, verified once, then served from the
  # token cache), an API key with a usage plan, and an access log.
  cat >"$WORK/proxy-full.yaml" <<'API'
openapi: "3.0.1"
info: { title: "load-proxy-full", version: "1" }
paths:
  /{proxy+}:
    x-amazon-apigateway-any-method:
      security: [ { pool: [], api_key: [] } ]
      parameters:
        - { name: proxy, in: path, required: true, schema: { type: string } }
      x-amazon-apigateway-integration:
        type: "http_proxy"
        httpMethod: "ANY"
        uri: "http://127.0.0.1:9101/{proxy}"
        requestParameters:
          integration.request.path.proxy: "method.request.path.proxy"
components:
  securitySchemes:
    api_key: { type: apiKey, name: x-api-key, in: header }
    pool:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: cognito_user_pools
      x-amazon-apigateway-authorizer:
        type: cognito_user_pools
        providerARNs: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Bench0001"]
API
  cat >"$WORK/full-gateway.yaml" <<CONF
apis: [ { openapi: proxy-full.yaml, id: full } ]
api_keys: [ { id: bench, value: "bench-key-0123456789abcdef" } ]
usage_plans:
  - id: bench
    throttle: { rate_limit: 10000000, burst_limit: 10000000 }
    quota: { limit: 1000000000000, period: MONTH }
    api_stages: [ { api: full } ]
    keys: [bench]
throttling: { account: { rate_limit: 10000000, burst_limit: 10000000 } }
access_log: { format: JSON, destination: $WORK/full-access.log }
jwt:
  cognito_user_pools:
    us-east-1_Bench0001:
      jwks_uri: http://127.0.0.1:9101/jwks.json
      issuer: http://127.0.0.1:9101/us-east-1_Bench0001
CONF
  # The account level (AWS's default: 10,000/s, burst 5,000) would refuse this
  # load; set far above it, it is still checked on every request and measured.
  for api in proxy mock; do
    cat >"$WORK/$api-gateway.yaml" <<CONF
apis: [ { openapi: $api.yaml } ]
throttling: { account: { rate_limit: 10000000, burst_limit: 10000000 } }
CONF
  done
  # The proxy route with every request access-logged (AWS's JSON preset, to a
  # file): with metrics, always on, what observing a request costs.
  cat >"$WORK/logged-gateway.yaml" <<CONF
apis: [ { openapi: proxy.yaml } ]
throttling: { account: { rate_limit: 10000000, burst_limit: 10000000 } }
access_log: { format: JSON, destination: $WORK/access.log }
CONF
  cat >"$WORK/keyed-gateway.yaml" <<'CONF'
apis: [ { openapi: proxy-keyed.yaml, id: keyed } ]
api_keys: [ { id: bench, value: "bench-key-0123456789abcdef" } ]
usage_plans:
  - id: bench
    throttle: { rate_limit: 10000000, burst_limit: 10000000 }
    quota: { limit: 1000000000000, period: MONTH }
    api_stages: [ { api: keyed } ]
    keys: [bench]
throttling: { account: { rate_limit: 10000000, burst_limit: 10000000 } }
CONF
  cat >"$WORK/mock.yaml" <<'API'
openapi: "3.0.1"
info: { title: "load-mock", version: "1" }
paths:
  /{proxy+}:
    get:
      parameters:
        - { name: proxy, in: path, required: true, schema: { type: string } }
      x-amazon-apigateway-integration:
        type: "mock"
        requestTemplates: { application/json: "{\"statusCode\": 200}" }
        responses:
          default:
            statusCode: "200"
            responseTemplates: { application/json: "{\"message\": \"Hello, world!\"}" }
API
}

# The admin listener (metrics) goes on port + 100: the default, port + 1, is the next gateway's.
# $1 = name, $2 = port, $3 = api file (or a config file: *gateway.yaml), $4 = workers, $5 = cpu list,
# $6 = another binary (the baseline: its admin listener is off unless configured),
# $7 = more arguments (`--runtime work-stealing`)
start_portcullis() {
  local source=--openapi binary=${6:-$PORTCULLIS} admin=(--admin "127.0.0.1:$(($2 + 100))")
  local extra=()
  [ -n "${7:-}" ] && read -r -a extra <<<"$7"
  case "$3" in *gateway.yaml) source=--config ;; esac
  [ -n "${6:-}" ] && admin=()
  RUST_LOG=warn taskset -c "$5" "$binary" serve "$source" "$3" --listen "127.0.0.1:$2" --workers "$4" \
    "${admin[@]}" "${extra[@]}" >"$WORK/$1.log" 2>&1 &
  local pid=$!; PIDS+=("$pid")
  wait_port 127.0.0.1 "$2"
  eval "PC_PID_$1=$pid"
  sleep 0.3
  eval "IDLE_RSS_$1=$(rss_now "$pid")"
}

# An ID token of the pool us-east-1_Bench0001 (issuer http://127.0.0.1:9101/us-east-1_Bench0001,
# expiring in 2100), signed RS256 once for this benchmark with the key whose public
# half examples/bench_backend.rs serves at /jwks.json (the private half was not kept).
BENCH_TOKEN="eyJhbGciOiJSUzI1NiIsImtpZCI6ImJlbmNoIiwidHlwIjoiSldUIn0.eyJzdWIiOiJiZW5jaC11c2VyIiwiaXNzIjoiaHR0cDovLzEyNy4wLjAuMTo5MTAxL3VzLWVhc3QtMV9CZW5jaDAwMDEiLCJhdWQiOiJiZW5jaC1jbGllbnQiLCJ0b2tlbl91c2UiOiJpZCIsImlhdCI6MTc2NDk3OTIwMCwiZXhwIjo0MTAyNDQ0ODAwLCJlbWFpbCI6ImJlbmNoQGV4YW1wbGUudGVzdCJ9.r0BWC0SWPIg0UPYRHfXcXBSkbpw8gfRdUcXExUmeF-H0lkO_55MozbL7IR3LxiYonWy4ltspceLY1oH3Bf5z2lH_N1JsJDRq0wtLCeqMTwwwH0bZ2eU9WvTDIC_sTV0csgB99BLlcPXyNhQfF5NDwLuerjP_3aayJxyMgLi4YiJbOw5OsKZNjo4YLRBXy9sZ8x4DwseowaqSCNsMdW6f7iU6nv_fpf7_gBTr_5IQIT7y4FTH0TJBHcVhR7KmzEPxYLTnhZw45k7TDYGRnkR28mK5PpgetOZFN3KG4PCUw87J0odAO44Y9BF-nCeozIkdYTrEFurATGkIx5FsJ0YKug"

# ---- measuring -----------------------------------------------------------------
# $1 = label, $2 = pid of the measured server, $3 = url, $4 = connections, $5 = wrk cpu list,
# $6, $7 = optional request headers
measure() {
  local before after out requests rps p50 p99
  local header=()
  [ -n "${6:-}" ] && header=(-H "$6")
  [ -n "${7:-}" ] && header+=(-H "$7")
  before=$(cpu_ticks "$2")
  out=$(taskset -c "$5" wrk -t1 -c"$4" -d"${DURATION}s" --latency "${header[@]}" "$3" 2>&1)
  after=$(cpu_ticks "$2")
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  # A run that saw error answers or broken connections measured something else:
  # it is recorded and the report is refused below.
  if echo "$out" | grep -q "Non-2xx"; then
    echo "$1 ($4 connections): $(echo "$out" | grep Non-2xx)" >>"$WORK/failures"
  fi
  if echo "$out" | grep -q "Socket errors"; then
    echo "$1 ($4 connections): $(echo "$out" | grep 'Socket errors')" >>"$WORK/failures"
  fi
  if [ -z "$requests" ] || [ "$requests" = 0 ]; then
    echo "$1 ($4 connections): wrk completed no request" >>"$WORK/failures"
  fi
  echo "$1 $4 $rps $(to_us "$p50") $(to_us "$p99") $(awk -v d=$((after - before)) -v r="$requests" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", (r > 0 ? d / hz * 1e6 / r : 0) }')" >>"$WORK/samples"
}

to_us() { # wrk latency (e.g. 312.00us, 1.20ms, 2.00s) -> microseconds
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) print n; else if (v ~ /ms$/) print n * 1000; else if (v ~ /s$/) print n * 1000000; else print n
  }'
}

# ---- a run per worker mode ---------------------------------------------------------
# mode 1: every proxy on one core (cpu 0), 1 worker; the backend and wrk on the other.
# mode 2: every proxy with 2 workers on both cores.
write_apis
start_backend
: >"$WORK/samples"
: >"$WORK/failures"
: >"$WORK/rss"
for mode in 1 2; do
  if [ "$mode" = 1 ]; then PROXY_CPUS=0; WRK_CPUS=$((CORES - 1)); else PROXY_CPUS="0-$((CORES - 1))"; WRK_CPUS="0-$((CORES - 1))"; fi
  start_nginx "$mode" "$PROXY_CPUS"
  start_haproxy "$mode" "$PROXY_CPUS"
  start_portcullis proxy 9110 "$WORK/proxy-gateway.yaml" "$mode" "$PROXY_CPUS"
  start_portcullis mock 9111 "$WORK/mock-gateway.yaml" "$mode" "$PROXY_CPUS"
  start_portcullis keyed 9112 "$WORK/keyed-gateway.yaml" "$mode" "$PROXY_CPUS"
  start_portcullis logged 9113 "$WORK/logged-gateway.yaml" "$mode" "$PROXY_CPUS"
  start_portcullis full 9116 "$WORK/full-gateway.yaml" "$mode" "$PROXY_CPUS"
  start_portcullis cached 9117 "$WORK/cached-gateway.yaml" "$mode" "$PROXY_CPUS"
  # The default runtime is per-core; this row serves the same route on the work-stealing one.
  start_portcullis stealing 9115 "$WORK/proxy-gateway.yaml" "$mode" "$PROXY_CPUS" "" "--runtime work-stealing"
  if [ -n "${PORTCULLIS_BASELINE:-}" ]; then
    start_portcullis baseline 9114 "$WORK/proxy-gateway.yaml" "$mode" "$PROXY_CPUS" "$PORTCULLIS_BASELINE"
    echo "w$mode-portcullis-baseline $IDLE_RSS_baseline" >>"$WORK/rss.idle"
  fi
  echo "w$mode-portcullis-proxy $IDLE_RSS_proxy" >>"$WORK/rss.idle"
  echo "w$mode-portcullis-keyed $IDLE_RSS_keyed" >>"$WORK/rss.idle"
  echo "w$mode-portcullis-mock $IDLE_RSS_mock" >>"$WORK/rss.idle"
  echo "w$mode-portcullis-logged $IDLE_RSS_logged" >>"$WORK/rss.idle"
  echo "w$mode-portcullis-stealing $IDLE_RSS_stealing" >>"$WORK/rss.idle"
  echo "w$mode-portcullis-full $IDLE_RSS_full" >>"$WORK/rss.idle"
  echo "w$mode-portcullis-cached $IDLE_RSS_cached" >>"$WORK/rss.idle"
  for path in small json; do
    for conns in $CONNS; do
      for round in $(seq "$ROUNDS"); do
        echo "mode $mode, /$path, $conns connections, round $round" >&2
        measure "w$mode-direct-$path" "$BACKEND_PID" "http://127.0.0.1:9101/$path" "$conns" "$WRK_CPUS"
        measure "w$mode-nginx-$path" "$NGINX_PID" "http://127.0.0.1:9102/$path" "$conns" "$WRK_CPUS"
        measure "w$mode-haproxy-$path" "$HAPROXY_PID" "http://127.0.0.1:9103/$path" "$conns" "$WRK_CPUS"
        measure "w$mode-portcullis-proxy-$path" "$PC_PID_proxy" "http://127.0.0.1:9110/$path" "$conns" "$WRK_CPUS"
        measure "w$mode-portcullis-cached-$path" "$PC_PID_cached" "http://127.0.0.1:9117/$path" "$conns" "$WRK_CPUS"
        if [ -n "${PORTCULLIS_BASELINE:-}" ]; then
          measure "w$mode-portcullis-baseline-$path" "$PC_PID_baseline" "http://127.0.0.1:9114/$path" "$conns" "$WRK_CPUS"
        fi
        if [ "$path" = small ]; then
          measure "w$mode-portcullis-stealing-$path" "$PC_PID_stealing" "http://127.0.0.1:9115/$path" "$conns" "$WRK_CPUS"
          measure "w$mode-portcullis-logged-$path" "$PC_PID_logged" "http://127.0.0.1:9113/$path" "$conns" "$WRK_CPUS"
          measure "w$mode-portcullis-keyed-$path" "$PC_PID_keyed" "http://127.0.0.1:9112/$path" "$conns" "$WRK_CPUS" "x-api-key: bench-key-0123456789abcdef"
          measure "w$mode-portcullis-full-$path" "$PC_PID_full" "http://127.0.0.1:9116/$path" "$conns" "$WRK_CPUS" "x-api-key: bench-key-0123456789abcdef" "Authorization: $BENCH_TOKEN"
          measure "w$mode-portcullis-mock-$path" "$PC_PID_mock" "http://127.0.0.1:9111/$path" "$conns" "$WRK_CPUS"
        fi
      done
    done
  done
  {
    echo "w$mode-nginx $(peak_rss "$NGINX_PID")"
    echo "w$mode-haproxy $(peak_rss "$HAPROXY_PID")"
    echo "w$mode-portcullis-proxy $(peak_rss "$PC_PID_proxy")"
    echo "w$mode-portcullis-mock $(peak_rss "$PC_PID_mock")"
    echo "w$mode-portcullis-keyed $(peak_rss "$PC_PID_keyed")"
    echo "w$mode-portcullis-logged $(peak_rss "$PC_PID_logged")"
    echo "w$mode-portcullis-stealing $(peak_rss "$PC_PID_stealing")"
    echo "w$mode-portcullis-full $(peak_rss "$PC_PID_full")"
    echo "w$mode-portcullis-cached $(peak_rss "$PC_PID_cached")"
    if [ -n "${PORTCULLIS_BASELINE:-}" ]; then echo "w$mode-portcullis-baseline $(peak_rss "$PC_PID_baseline")"; fi
  } >>"$WORK/rss"
  for pid in "$NGINX_PID" "$HAPROXY_PID" "$PC_PID_proxy" "$PC_PID_mock" "$PC_PID_keyed" "$PC_PID_logged" "$PC_PID_stealing" "$PC_PID_full" "$PC_PID_cached" ${PC_PID_baseline:-}; do kill "$pid"; wait "$pid" 2>/dev/null || true; done
done
echo "direct $(peak_rss "$BACKEND_PID")" >>"$WORK/rss"

# ---- report --------------------------------------------------------------------------
if [ -s "$WORK/failures" ]; then
  echo "load benchmark FAILED: some runs saw non-2xx answers or socket errors; no report written:" >&2
  cat "$WORK/failures" >&2
  exit 1
fi
python3 "$ROOT/benches/load/report.py" "$WORK" "$ROOT/docs" "$WRITE" "$QUICK" \
  "$("$NGINX" -v 2>&1 | sed 's/.*version: //')" "$("$HAPROXY" -v 2>&1 | head -1 | awk '{print $3}')" \
  "$(wrk --version 2>&1 | head -1 | awk '{print $2}')" "$DURATION" "$ROUNDS"
echo "raw samples: $WORK/samples" >&2
