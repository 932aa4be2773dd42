#!/usr/bin/env bash
# Uplink throughput and lag: a storm of EVENTS journal events (EVENTS/2 zones raised, then all
# returned) forwarded to a local Mosquitto, watched by mosquitto_sub as the centre would.
#   live:     the broker is up during the storm: when the journal has the last event, and when
#             the centre has it (the storm's pace is the pipeline's; the uplink's lag is the figure).
#   catch-up: the same storm while the broker is down, then the broker comes back: how fast the
#             backlog drains (first to last event at the centre), in seq order, none missing.
# Loopback only; stops by itself.   Benchmarks/uplink-storm.sh   (BIN=.build/release EVENTS=5000)
set -euo pipefail
BIN=${BIN:-.build/debug}
EVENTS=${EVENTS:-5000}
ZONES=$((EVENTS / 2))
PER_DEVICE=$(((ZONES + 1) / 2))
MOSQUITTO=${MOSQUITTO:-/usr/sbin/mosquitto}
dir=$(mktemp -d /tmp/watchroom-uplink-XXXXXX)
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port); mqtt=$(free_port)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
now() { date +%s.%N; }
secs() { /usr/bin/python3 -c "import sys; print(f'{float(sys.argv[1]):.2f}')" "$1"; }

cat > "$dir/di-2000.yaml" <<YAML
model: di-2000
source: "benchmark fixture: 2000 discrete inputs in one read"
points:
  di: {table: discrete_input, address: 0, count: 2000}
YAML
{
  echo "site: {name: 上传测试, timezone: Asia/Shanghai}"
  echo "state_dir: $dir"
  echo "control: {socket: $dir/control.sock}"
  echo "buses:"
  echo "  - {id: lan, tcp: {host: 127.0.0.1, port: $port}, poll_interval_ms: 100, timeout_ms: 500}"
  echo "devices:"
  echo "  - {id: d1, bus: lan, unit: 1, profile: di-2000}"
  echo "  - {id: d2, bus: lan, unit: 2, profile: di-2000}"
  echo "shifts:"
  echo "  - {name: all, start: \"00:00\", end: \"24:00\", leader: {name: 张伟}}"
  echo "uplink:"
  echo "  mqtt: {host: 127.0.0.1, port: $mqtt, client_id: bench, topic_prefix: watchroom/bench, qos: 1}"
  echo "zones:"
  for i in $(seq 0 $((ZONES - 1))); do d=$((i / PER_DEVICE + 1)); echo "  - {id: Z$i, name: 防区$i, type: 24h, input: \"d$d.di[$((i % PER_DEVICE))]\"}"; done
} > "$dir/site.yaml"
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 0\n' "$mqtt" > "$dir/mosquitto.conf"

broker_up() { "$MOSQUITTO" -c "$dir/mosquitto.conf" > "$dir/broker.log" 2>&1 & broker=$!; pids+=($broker); sleep 0.3; }
broker_down() { kill -TERM "$broker"; wait "$broker" 2>/dev/null || true; }
centre() {  # the centre's subscriber, timestamps in ns; output file $1
  mosquitto_sub -h 127.0.0.1 -p "$mqtt" -t watchroom/bench/events -q 1 -F '@s.@N %p' > "$1" & pids+=($!)
  sleep 0.3
}
sim() { /usr/bin/python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall((sys.argv[2]+"\n").encode()); s.recv(4096)' "$dir/sim.sock" "$1"; }
journal_seq() { sqlite3 "$dir/journal.sqlite" "SELECT COALESCE(MAX(seq), 0) FROM events"; }
wait_journal() { for _ in $(seq 6000); do [ "$(journal_seq)" -ge "$1" ] && { now; return; }; sleep 0.01; done; echo "journal stuck at $(journal_seq)" >&2; exit 1; }
wait_centre() { for _ in $(seq 12000); do [ "$(grep -c . "$2" || true)" -ge "$1" ] && return; sleep 0.01; done; echo "centre got $(grep -c . "$2") of $1" >&2; exit 1; }
# first/last arrival and a check that the seqs are 1..N in order (duplicates dropped by seq, as the centre does)
report() {
  /usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import json, sys
path, lo, hi = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = [(float(l.split(" ", 1)[0]), json.loads(l.split(" ", 1)[1])["seq"]) for l in open(path) if l.strip()]
rows = [r for r in rows if lo < r[1] <= hi]
last, kept, dups = 0, [], 0
for t, s in rows:
    if s <= last: dups += 1; continue
    kept.append((t, s)); last = s
ok = [s for _, s in kept] == list(range(lo + 1, hi + 1))
print(f"{rows[0][0]} {kept[-1][0]} {len(kept)} {dups} {'in-order-complete' if ok else 'GAP-OR-DISORDER'}")
PY
}

"$BIN/watchroomd" simulate --config "$dir/site.yaml" --control "$dir/sim.sock" > "$dir/sim.log" 2>&1 & pids+=($!)
for _ in $(seq 50); do [ -S "$dir/sim.sock" ] && break; sleep 0.1; done
broker_up
centre "$dir/live.out"
"$BIN/watchroomd" run --config "$dir/site.yaml" > "$dir/daemon.log" 2>&1 & daemon=$!; pids+=($daemon)
for _ in $(seq 200); do grep -q "uplink connected" "$dir/daemon.log" && break; sleep 0.1; done
sleep 1
base=$(journal_seq)

# Live: the storm with the broker up.
t0=$(now)
sim "fill d1.di true"; sim "fill d2.di true"
sleep 1
sim "fill d1.di false"; sim "fill d2.di false"
target=$((base + EVENTS))
tj=$(wait_journal "$target")
wait_centre "$EVENTS" "$dir/live.out"
read -r first last n dups verdict < <(report "$dir/live.out" "$base" "$target")
echo "live storm: $n events (seq $((base + 1))..$target), $verdict, $dups repeats"
echo "  journal has the last event after $(secs "$(echo "$tj - $t0" | bc)") s; the centre has it after $(secs "$(echo "$last - $t0" | bc)") s (lag behind the journal $(secs "$(echo "$last - $tj" | bc)") s)"

# Catch-up: the same storm while the broker is down, then it returns.
broker_down
base=$(journal_seq)
sim "fill d1.di true"; sim "fill d2.di true"
sleep 1
sim "fill d1.di false"; sim "fill d2.di false"
target=$((base + EVENTS))
wait_journal "$target" > /dev/null
backlog=$("$BIN/watchroomctl" --socket "$dir/control.sock" status | grep '^uplink' || true)
echo "catch-up: broker down, storm committed; status says: $backlog"
broker_up
centre "$dir/catchup.out"
t1=$(now)
wait_centre "$EVENTS" "$dir/catchup.out"
read -r first last n dups verdict < <(report "$dir/catchup.out" "$base" "$target")
echo "  backlog of $n events drained, $verdict, $dups repeats: $(/usr/bin/python3 -c "print(round($n / ($last - $first)))") events/s (first to last at the centre)"
kill -TERM "$daemon"; wait "$daemon" 2>/dev/null || true
echo "(state in $dir)"
