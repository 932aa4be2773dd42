#!/usr/bin/python3
"""The whole daemon against the wire (issue 15): the release `watchroomd run` as a process
against a plain C libmodbus server process (wire/modbus-server.c, counting the requests it
answers), beside a plain C client loop issuing the identical request sequence
(wire/plain-client.c); both are built here with gcc -lmodbus.

  Benchmarks/daemon-vs-wire.py throughput [ROUNDS] [SECONDS]   saturated site, alternating rounds
  Benchmarks/daemon-vs-wire.py storm                             5,000 zones at once at 200 x 64
  Benchmarks/daemon-vs-wire.py memory                            VmHWM at 200 x 64, then after a storm
  Benchmarks/daemon-vs-wire.py idle [SECONDS]                    200 x 64 polled at 1 Hz: CPU, memory, start to READY
  (BIN=.build/release to change the binaries; loopback only; stops by itself)

throughput: 246 units x 2 requests (16 discrete inputs, 2 input registers) = 492 requests per
scan, polled every 10 ms (every cycle overruns). In each round the daemon polls for SECONDS
(the server counts), then it is stopped (SIGSTOP) while the plain loop runs as long; requests/s
of each from the server's count, CPU per request from /proc/PID/stat (daemon) and getrusage
(plain loop). The ratio is of the medians.

storm: 200 devices x 64 zones (12,800 points) polled every 100 ms; the server trips inputs 0-24
of every unit (5,000 zones) at once. "First ingest" is the engine's stamp on the first raised
event (the time of the step that saw it); "all journaled" is when the journal, polled every 5 ms,
holds 5,000 raised events. `watchroomctl status` runs back to back from the trip until 0.5 s
after the last journaled event; its latency includes starting the process.
"""
import os, shutil, sqlite3, statistics, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("BIN", os.path.join(ROOT, ".build/release"))
WIRE = os.path.join(ROOT, "Benchmarks/wire")
TICK = os.sysconf("SC_CLK_TCK")


def build(work):
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libmodbus"], capture_output=True, text=True, check=True).stdout.split()
    for name in ("modbus-server", "plain-client"):
        subprocess.run(["gcc", "-O2", "-Wall", "-o", os.path.join(work, name), os.path.join(WIRE, name + ".c")] + flags, check=True)


class Server:
    def __init__(self, work):
        self.p = subprocess.Popen([os.path.join(work, "modbus-server"), "0"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.port = int(self.p.stdout.readline().split()[1])
        self.lock = threading.Lock()

    def ask(self, line):
        with self.lock:
            self.p.stdin.write(line + "\n")
            self.p.stdin.flush()
            return self.p.stdout.readline().strip()

    def count(self):
        return int(self.ask("count"))

    def stop(self):
        self.p.stdin.close()
        self.p.wait()


def site(work, port, devices, zones, sensors, poll_ms, di):
    with open(os.path.join(work, "wire-dev.yaml"), "w") as f:
        f.write("model: wire-dev\nsource: \"benchmark fixture\"\npoints:\n")
        f.write(f"  di: {{table: discrete_input, address: 0, count: {di}}}\n")
        if sensors:
            f.write(f"  ir: {{table: input_register, address: 0, count: {sensors}, type: uint16}}\n")
    lines = ["site: {name: 线速测试, timezone: Asia/Shanghai}", f"state_dir: {work}/state", f"control: {{socket: {work}/control.sock}}",
             "buses:", f"  - {{id: lan, tcp: {{host: 127.0.0.1, port: {port}}}, poll_interval_ms: {poll_ms}, timeout_ms: 1000}}",
             "shifts:",
             "  - {name: day, start: \"08:00\", end: \"20:00\", leader: {name: 张伟, mobile: \"13800000001\"}}",
             "  - {name: night, start: \"20:00\", end: \"08:00\", leader: {name: 李强, mobile: \"13800000002\"}}",
             "notify: []", "devices:"]
    lines += [f"  - {{id: d{u}, bus: lan, unit: {u}, profile: wire-dev}}" for u in range(1, devices + 1)]
    lines.append("zones:")
    lines += [f"  - {{id: d{u}z{i}, name: 防区{u}-{i}, type: 24h, input: \"d{u}.di[{i}]\"}}" for u in range(1, devices + 1) for i in range(zones)]
    if sensors:
        lines.append("sensors:")
        lines += [f"  - {{id: d{u}s{i}, name: 温度{u}-{i}, input: \"d{u}.ir[{i}]\", low: -10, high: 50}}" for u in range(1, devices + 1) for i in range(sensors)]
    os.makedirs(f"{work}/state", exist_ok=True)
    path = os.path.join(work, "site.yaml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def start_daemon(work, config):
    log = open(os.path.join(work, "daemon.log"), "w")
    p = subprocess.Popen([os.path.join(BIN, "watchroomd"), "run", "--config", config], stdout=log, stderr=subprocess.STDOUT)
    for _ in range(300):
        if status(work)[0] == 0:
            return p
        time.sleep(0.1)
    raise SystemExit("daemon did not start; see " + log.name)


def status(work):
    t = time.monotonic()
    r = subprocess.run([os.path.join(BIN, "watchroomctl"), "--socket", f"{work}/control.sock", "status"], capture_output=True)
    return r.returncode, time.monotonic() - t


def cpu_seconds(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / TICK


def thread_cpu(pid):
    """User and system seconds of each thread of `pid`, summed by thread name."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            f = open(f"/proc/{pid}/task/{tid}/stat").read()
        except OSError:
            continue
        name, rest = f[f.index("(") + 1:f.rindex(")")], f.rsplit(")", 1)[1].split()
        u, s = out.get(name, (0, 0))
        out[name] = (u + int(rest[11]) / TICK, s + int(rest[12]) / TICK)
    return out


def proc_status(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])


def median(xs):
    return statistics.median(xs)


def throughput(work, rounds, seconds):
    units, di, ir = 246, 16, 2
    server = Server(work)
    config = site(work, server.port, units, di, ir, 10, di)
    daemon = start_daemon(work, config)
    time.sleep(2)  # connected, first cycles done
    d_rate, d_cpu, p_rate, p_cpu = [], [], [], []
    by_thread = {}
    try:
        for _ in range(rounds):
            c0, cpu0, t0, th0 = server.count(), cpu_seconds(daemon.pid), time.monotonic(), thread_cpu(daemon.pid)
            time.sleep(seconds)
            c1, cpu1, t1, th1 = server.count(), cpu_seconds(daemon.pid), time.monotonic(), thread_cpu(daemon.pid)
            for name, (u, s) in th1.items():
                u0, s0 = th0.get(name, (0, 0))
                a, b, n = by_thread.get(name, (0, 0, 0))
                by_thread[name] = (a + u - u0, b + s - s0, n)
            for name in by_thread:
                a, b, n = by_thread[name]
                by_thread[name] = (a, b, n + (c1 - c0)) if name in th1 else (a, b, n)
            d_rate.append((c1 - c0) / (t1 - t0))
            d_cpu.append((cpu1 - cpu0) * 1e6 / max(1, c1 - c0))
            daemon.send_signal(19)  # SIGSTOP: the wire is the plain loop's alone
            time.sleep(0.1)
            c0, t0 = server.count(), time.monotonic()
            out = subprocess.run([os.path.join(work, "plain-client"), str(server.port), str(units), str(di), str(ir), str(seconds)],
                                 capture_output=True, text=True, check=True).stdout.split()
            c1, t1 = server.count(), time.monotonic()
            p_rate.append((c1 - c0) / (t1 - t0))
            p_cpu.append(int(out[3]) / max(1, int(out[1])))
            daemon.send_signal(18)  # SIGCONT
            time.sleep(0.5)
    finally:
        daemon.terminate()
        daemon.wait()
        server.stop()
    fmt = lambda xs: ", ".join(f"{x:,.0f}" for x in xs)
    print(f"## Whole daemon vs the plain loop ({units} units, {units * 2} requests per scan, poll 10 ms, C libmodbus server process)")
    print(f"rounds: {rounds} x {seconds} s each, alternating")
    print(f"watchroomd run:  {fmt(d_rate)} req/s; median {median(d_rate):,.0f}; CPU {median(d_cpu):.1f} us/request")
    print(f"plain C loop:    {fmt(p_rate)} req/s; median {median(p_rate):,.0f}; CPU {median(p_cpu):.1f} us/request")
    print(f"ratio daemon/plain (medians): {median(d_rate) / median(p_rate):.3f}")
    print("daemon CPU per request by thread (user / system, all rounds): " + "; ".join(
        f"{name} {u * 1e6 / n:.1f} / {s * 1e6 / n:.1f} us" for name, (u, s, n) in sorted(by_thread.items(), key=lambda kv: -(kv[1][0] + kv[1][1])) if n and u + s > 0))


def raised_count(db):
    try:
        c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        r = c.execute("SELECT COUNT(*), MIN(time), MAX(time) FROM events WHERE kind = 'raised'").fetchone()
        c.close()
        return r
    except sqlite3.Error:
        return (0, None, None)


def storm(work, memory_only=False):
    devices, zones, tripped = 200, 64, 25
    server = Server(work)
    config = site(work, server.port, devices, zones, 0, 100, zones)
    daemon = start_daemon(work, config)
    time.sleep(3)
    quiet_hwm, quiet_rss = proc_status(daemon.pid, "VmHWM"), proc_status(daemon.pid, "VmRSS")
    print(f"## Storm and memory ({devices} devices x {zones} zones = {devices * zones:,} points, poll 100 ms)")
    print(f"before the storm (3 s of polling): VmHWM {quiet_hwm / 1024:.1f} MB, VmRSS {quiet_rss / 1024:.1f} MB "
          f"(anonymous {proc_status(daemon.pid, 'RssAnon') / 1024:.1f} MB, file-backed {proc_status(daemon.pid, 'RssFile') / 1024:.1f} MB)")
    db = f"{work}/state/journal.sqlite"
    latencies, polling = [], threading.Event()
    polling.set()

    def poll_status():
        while polling.is_set():
            latencies.append(status(work)[1])

    try:
        cpu0 = cpu_seconds(daemon.pid)
        poller = threading.Thread(target=poll_status)
        poller.start()
        t_trip = time.time()
        server.ask(f"trip {tripped}")
        want = devices * tripped
        while True:
            n, first, last = raised_count(db)
            if n >= want:
                t_done = time.time()
                break
            if time.time() - t_trip > 60:
                raise SystemExit(f"only {n} of {want} raised events journaled after 60 s")
            time.sleep(0.005)
        time.sleep(0.5)
        polling.clear()
        poller.join()
        cpu = cpu_seconds(daemon.pid) - cpu0
        time.sleep(1)
        hwm, rss = proc_status(daemon.pid, "VmHWM"), proc_status(daemon.pid, "VmRSS")
        lat = sorted(latencies)
        p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000
        if not memory_only:
            print(f"{want:,} zones tripped at once: first ingest to all journaled {t_done - first:.3f} s "
                  f"(trip to all journaled {t_done - t_trip:.3f} s, engine stamps {last - first:.3f} s apart); daemon CPU {cpu:.2f} s")
            print(f"watchroomctl status during the storm: {len(lat)} calls, p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, max {lat[-1] * 1000:.1f} ms")
            logged = open(os.path.join(work, "daemon.log")).read().splitlines()
            print(f"log lines of the daemon: {len(logged)} ({sum(' ERROR ' in l or 'error' in l.split(':')[0] for l in logged)} at error)")
        print(f"after the storm: VmHWM {hwm / 1024:.1f} MB, VmRSS {rss / 1024:.1f} MB "
              f"(anonymous {proc_status(daemon.pid, 'RssAnon') / 1024:.1f} MB, file-backed {proc_status(daemon.pid, 'RssFile') / 1024:.1f} MB)")
        if os.environ.get("SMAPS"):
            os.system(f"cat /proc/{daemon.pid}/smaps_rollup; awk '/^[0-9a-f]/{{name=$6}} /^Rss/{{rss[name]+=$2}} END{{for(n in rss) if (rss[n]>1000) print rss[n], n}}' /proc/{daemon.pid}/smaps | sort -rn | head -20")
    finally:
        daemon.terminate()
        daemon.wait()
        server.stop()


def ready_time(work, config):
    """Seconds from spawning `watchroomd run` to its READY=1 (sent once the config is loaded, the
    journal opened and every bus has attempted a first poll cycle), through a NOTIFY_SOCKET."""
    import socket
    path = os.path.join(work, "notify.sock")
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(30)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    log = open(os.path.join(work, "daemon.log"), "w")
    t0 = time.monotonic()
    p = subprocess.Popen([os.path.join(BIN, "watchroomd"), "run", "--config", config], stdout=log, stderr=subprocess.STDOUT, env=env)
    while True:
        msg = sock.recv(4096).decode()
        if "READY=1" in msg:
            t = time.monotonic() - t0
            break
    sock.close()
    return p, t


def idle(work, seconds):
    devices, zones = 200, 64
    server = Server(work)
    small = site(work, server.port, 1, 16, 0, 1000, 16)
    for _ in range(3):
        p, t = ready_time(work, small)
        p.terminate(); p.wait()
        print(f"start to READY (first poll cycle attempted), 1 device x 16 zones: {t * 1000:.0f} ms")
    shutil.rmtree(os.path.join(work, "state"), ignore_errors=True)
    config = site(work, server.port, devices, zones, 0, 1000, zones)
    daemon, t = ready_time(work, config)
    print(f"## Idle: {devices} devices x {zones} zones = {devices * zones:,} points polled at 1 Hz")
    print(f"start to READY: {t * 1000:.0f} ms")
    try:
        time.sleep(3)
        cpu0, t0, c0 = cpu_seconds(daemon.pid), time.monotonic(), server.count()
        time.sleep(seconds)
        cpu1, t1, c1 = cpu_seconds(daemon.pid), time.monotonic(), server.count()
        print(f"CPU over {seconds:.0f} s: {100 * (cpu1 - cpu0) / (t1 - t0):.2f} % of a core ({(c1 - c0) / (t1 - t0):.0f} requests/s)")
        print(f"VmHWM {proc_status(daemon.pid, 'VmHWM') / 1024:.1f} MB, VmRSS {proc_status(daemon.pid, 'VmRSS') / 1024:.1f} MB")
    finally:
        daemon.terminate()
        daemon.wait()
        server.stop()


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "throughput"
    work = tempfile.mkdtemp(prefix="watchroom-wire-")
    try:
        build(work)
        if what == "throughput":
            throughput(work, int(sys.argv[2]) if len(sys.argv) > 2 else 5, float(sys.argv[3]) if len(sys.argv) > 3 else 3)
        elif what == "idle":
            idle(work, float(sys.argv[2]) if len(sys.argv) > 2 else 30)
        elif what in ("storm", "memory"):
            storm(work, memory_only=what == "memory")
        else:
            raise SystemExit(__doc__)
    finally:
        shutil.rmtree(work, ignore_errors=True)
