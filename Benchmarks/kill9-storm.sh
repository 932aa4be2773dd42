#!/usr/bin/env bash
# kill -9 in alarm storms: KILLS times, a burst of ZONES alarms is raised (and returned), operators
# ack and note while it rages, and the daemon is killed at a random moment and started again.
# Then: the journal must be sound, every ack and note that watchroomctl reported done must be in
# it, and every notification must have reached the webhook receiver. Prints the figures; exit 1
# when one does not hold. Loopback only; stops by itself.
#   Benchmarks/kill9-storm.sh            (BIN=.build/release KILLS=20 ZONES=368 to change)
set -euo pipefail
BIN=${BIN:-.build/debug}
KILLS=${KILLS:-20}
ZONES=${ZONES:-368}
dir=$(mktemp -d /tmp/watchroom-kill9-XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port); hook=$(free_port)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

cat > "$dir/di-2000.yaml" <<EOF
model: di-2000
source: "benchmark fixture: 2000 discrete inputs in one read"
points:
  di: {table: discrete_input, address: 0, count: 2000}
EOF
{
  echo "site: {name: 断电测试, timezone: Asia/Shanghai}"
  echo "state_dir: $dir"
  echo "control: {socket: $dir/control.sock}"
  echo "buses:"
  echo "  - {id: lan, tcp: {host: 127.0.0.1, port: $port}, poll_interval_ms: 100, timeout_ms: 500}"
  echo "devices:"
  echo "  - {id: d1, bus: lan, unit: 1, profile: di-2000}"
  echo "shifts:"
  echo "  - {name: day, start: \"08:00\", end: \"20:00\", leader: {name: 张伟, mobile: \"13800000001\"}}"
  echo "  - {name: night, start: \"20:00\", end: \"08:00\", leader: {name: 李强, mobile: \"13800000002\"}}"
  echo "notify:"
  echo "  - {id: hook, format: standard, url: \"http://127.0.0.1:$hook/hook\"}"
  echo "zones:"
  for i in $(seq 0 $((ZONES - 1))); do echo "  - {id: Z$i, name: 防区$i, type: 24h, input: \"d1.di[$i]\"}"; done
} > "$dir/site.yaml"

# The receiver: answers 200 and writes down every message id it got.
python3 - "$hook" "$dir/received" <<'EOF' &
import http.server, sys
port, out = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        with open(out, "a") as f: f.write(self.headers.get("webhook-id", "?") + "\n")
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
EOF
pids+=($!)
"$BIN/watchroomd" simulate --config "$dir/site.yaml" --control "$dir/sim.sock" > "$dir/sim.log" 2>&1 &
pids+=($!)
sim() { python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall((sys.argv[2]+"\n").encode()); s.recv(4096)' "$dir/sim.sock" "$1"; }
for _ in $(seq 50); do [ -S "$dir/sim.sock" ] && break; sleep 0.1; done

start_daemon() {
  "$BIN/watchroomd" run --config "$dir/site.yaml" >> "$dir/daemon.log" 2>&1 &
  daemon=$!
  pids+=($daemon)
  for _ in $(seq 100); do "$BIN/watchroomctl" --socket "$dir/control.sock" status > /dev/null 2>&1 && return; sleep 0.1; done
  echo "daemon did not start" >&2; exit 1
}
ctl() { "$BIN/watchroomctl" --socket "$dir/control.sock" "$@"; }
: > "$dir/acked"; : > "$dir/noted"
start_daemon
t0=$(date +%s.%N)
for k in $(seq "$KILLS"); do
  sim "fill d1.di $([ $((k % 2)) = 1 ] && echo true || echo false)"
  # Operators act while the storm is committed; only what they were told is done counts.
  (
    sleep 0.3
    for id in $(ctl --json alarms 2>/dev/null | python3 -c 'import json,sys; [print(a["id"]) for a in json.load(sys.stdin) if a["state"] in ("unacknowledged", "returned-unacknowledged")]' 2>/dev/null | head -8); do
      ctl ack "$id" --user 张三 > /dev/null 2>&1 && echo "$id" >> "$dir/acked"
      ctl note "$id" --user 张三 --text "第${k}轮 巡查 $id" > /dev/null 2>&1 && echo "$id 第${k}轮 巡查 $id" >> "$dir/noted"
    done
  ) &
  operators=$!
  sleep "$(python3 -c 'import random; print(round(random.uniform(0.8, 1.8), 2))')"
  kill -9 "$daemon"; wait "$daemon" 2>/dev/null || true
  wait "$operators" 2>/dev/null || true
  start_daemon
done
elapsed=$(python3 -c "import sys; print(round($(date +%s.%N) - $t0, 1))")
# Let the outbox drain (one request per message, in order), then stop cleanly.
for _ in $(seq 3000); do
  pending=$(sqlite3 "$dir/journal.sqlite" "SELECT COUNT(*) FROM outbox WHERE state != 'delivered'")
  [ "$pending" = 0 ] && break; sleep 0.2
done
kill -TERM "$daemon"; wait "$daemon" 2>/dev/null || true

db=$dir/journal.sqlite
integrity=$(sqlite3 "$db" "PRAGMA integrity_check")
alarms=$(sqlite3 "$db" "SELECT COUNT(*) FROM alarms")
events=$(sqlite3 "$db" "SELECT COUNT(*) FROM events")
lost_acks=0
while read -r id; do
  [ -n "$(sqlite3 "$db" "SELECT 1 FROM events WHERE kind = 'acknowledged' AND alarm_id = $id")" ] || lost_acks=$((lost_acks + 1))
done < "$dir/acked"
lost_notes=0
while read -r id text; do
  [ -n "$(sqlite3 "$db" "SELECT 1 FROM events WHERE kind = 'noted' AND alarm_id = $id AND text = '$text'")" ] || lost_notes=$((lost_notes + 1))
done < "$dir/noted"
rows=$(sqlite3 "$db" "SELECT id FROM outbox WHERE target = 'hook'")
undelivered=$(sqlite3 "$db" "SELECT COUNT(*) FROM outbox WHERE state != 'delivered'")
lost_notifications=0
for r in $rows; do grep -qx "wr-$r" "$dir/received" || lost_notifications=$((lost_notifications + 1)); done
echo "kills: $KILLS in ${elapsed} s; alarms: $alarms; events: $events; integrity: $integrity"
echo "acks reported done: $(wc -l < "$dir/acked"), lost: $lost_acks; notes reported done: $(wc -l < "$dir/noted"), lost: $lost_notes"
echo "notifications: $(echo "$rows" | grep -c .) in the outbox, $undelivered undelivered, $lost_notifications never received"
[ "$integrity" = ok ] && [ "$lost_acks" = 0 ] && [ "$lost_notes" = 0 ] && [ "$lost_notifications" = 0 ] && [ "$undelivered" = 0 ] \
  && rm -rf "$dir" || { echo "kept for inspection: $dir"; exit 1; }
