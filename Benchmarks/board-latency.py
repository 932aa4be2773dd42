#!/usr/bin/python3
"""The alarm board (issue 12): trip-to-board latency in a real browser, and what 20 boards cost
the daemon. `watchroomd run` polls one device of the plain libmodbus server (wire/modbus-server.c,
built here with gcc -lmodbus) whose discrete inputs 0..599 are 600 zones (type 24h); the board
listens on loopback; headless Chromium (Debian's chromium + chromedriver, driven by Selenium) is
logged in as an operator.

  Benchmarks/board-latency.py bench [TRIPS]     latency over TRIPS trips (100), then 20 boards' CPU and memory
  Benchmarks/board-latency.py flood             the same 500-alarm flood with no board open (the daemon's own cost)
  Benchmarks/board-latency.py screenshot [OUT]  a flood of 50 alarms on the board -> OUT (docs/board-flood.png)
  (BIN=.build/release to change the daemon; POLL_MS=250 the poll interval; loopback only; stops by itself)

latency: the server is told `trip k` (inputs 0..k-1 read 1: exactly one new zone trips), the
script noting the wall clock right before. A MutationObserver in the page stamps
(performance.timeOrigin + performance.now()) the first time a row with that zone's data-source
is in the DOM. Trip-to-board = stamp - trip time; commit-to-board = stamp - the raised event's
`time` in the journal (the engine's stamp of the poll step that saw it; the commit follows it).
Trips are spaced by a random 0..POLL_MS so they fall at every phase of the poll cycle.

cost: /proc/PID/stat utime+stime of the daemon over 30 s (STEADY_S=30) of steady state with no boards, then
with 20 boards (one Chromium + 19 plain SSE sessions over http.client, each logged in with its
own session and reading its stream), then from `trip 600` (500 new alarms at once) until every
SSE client has the 500 alarm events and the browser shows 600 rows, plus 2 s, and 30 s after it. VmRSS/VmHWM from
/proc/PID/status at each step.
"""
import http.client, json, math, os, random, shutil, sqlite3, subprocess, sys, tempfile, threading, time
import urllib.parse

import bcrypt
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("BIN", os.path.join(ROOT, ".build/debug"))
POLL_MS = int(os.environ.get("POLL_MS", "250"))
WIRE = os.path.join(ROOT, "Benchmarks/wire")
TICK = os.sysconf("SC_CLK_TCK")
STEADY_S = float(os.environ.get("STEADY_S", "30"))  # each steady-state CPU window
PASSWORD = "bench-operator"

# The screenshot's flood: what a real site's zones look like (types, areas, names).
KINDS = [("perimeter", "围墙", "perimeter"), ("fire", "烟感", "office"), ("24h", "库房", "finance"),
         ("panic", "紧急按钮", "control-room"), ("entry_exit", "门禁", "office"), ("tamper", "箱体防拆", "control-room")]


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def build(work):
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libmodbus"], capture_output=True, text=True, check=True).stdout.split()
    out = os.path.join(work, "modbus-server")
    subprocess.run(["gcc", "-O2", "-Wall", "-o", out, os.path.join(WIRE, "modbus-server.c")] + flags, check=True)
    return out


class Server:
    def __init__(self, binary):
        self.p = subprocess.Popen([binary, "0"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.port = int(self.p.stdout.readline().split()[1])

    def ask(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        return self.p.stdout.readline().strip()

    def stop(self):
        self.p.stdin.close()
        self.p.wait()


def site(work, modbus_port, board_port, zones, pretty):
    with open(os.path.join(work, "bench-di.yaml"), "w") as f:
        f.write(f"model: bench-di\nsource: \"benchmark fixture\"\npoints:\n  di: {{table: discrete_input, address: 0, count: {zones}, type: bool}}\n")
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    lines = ["site: {name: 东区园区监控中心, timezone: Asia/Shanghai}", f"state_dir: {work}/state", f"control: {{socket: {work}/control.sock}}",
             "buses:", f"  - {{id: lan, tcp: {{host: 127.0.0.1, port: {modbus_port}}}, poll_interval_ms: {POLL_MS}, timeout_ms: 1000}}",
             "shifts:", "  - {name: all, start: \"00:00\", end: \"24:00\", leader: {name: 张伟, mobile: \"13800000001\"}}",
             "notify: []", "devices:", "  - {id: d1, bus: lan, unit: 1, profile: bench-di, name: 1号开关量模块}", "zones:"]
    for i in range(zones):
        if pretty:
            kind, word, area = KINDS[i % len(KINDS)]
            lines.append(f"  - {{id: Z{i + 1:03}, name: {i // len(KINDS) + 1}号楼{word}{i % 4 + 1}, type: {kind}, input: \"d1.di[{i}]\", area: {area}, cameras: [C{i % 8 + 1:02}]}}")
        else:
            lines.append(f"  - {{id: z{i}, name: 防区{i}, type: 24h, input: \"d1.di[{i}]\"}}")
    if pretty:
        lines += ["recorders:", "  - {id: NVR-1, name: 1号录像机, cameras: [C01, C02, C03, C04, C05, C06, C07, C08], retention_days: 14, media: 16}"]
    lines += [f"board: {{listen: \"127.0.0.1:{board_port}\", sound_min_priority: high}}", "users:"]
    lines += [f"  - {{login: op{n}, name: 值班员{n}, roles: [operator], password_hash: \"{hashed}\"}}" for n in range(20)]
    os.makedirs(f"{work}/state", exist_ok=True)
    path = os.path.join(work, "site.yaml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def start_daemon(work, config, board_port):
    log = open(os.path.join(work, "daemon.log"), "w")
    p = subprocess.Popen([os.path.join(BIN, "watchroomd"), "run", "--config", config], stdout=log, stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            c = http.client.HTTPConnection("127.0.0.1", board_port, timeout=1)
            c.request("GET", "/login")
            if c.getresponse().status == 200:
                return p
        except OSError:
            pass
        if p.poll() is not None:
            break
        time.sleep(0.1)
    log.close()
    raise SystemExit("daemon did not start:\n" + open(log.name).read()[-3000:])


def login_cookie(board_port, user):
    c = http.client.HTTPConnection("127.0.0.1", board_port, timeout=10)
    c.request("POST", "/login", urllib.parse.urlencode({"username": user, "password": PASSWORD, "next": "/"}),
              {"Content-Type": "application/x-www-form-urlencoded"})
    r = c.getresponse()
    r.read()
    cookie = r.getheader("Set-Cookie", "")
    if r.status != 303 and r.status != 302 or "watchroom_board=" not in cookie:
        raise SystemExit(f"login {user}: {r.status} {cookie}")
    return cookie.split(";")[0]


class Board:
    """One plain SSE client: logged in with its own session, reading /events as a browser would."""

    def __init__(self, board_port, user):
        self.cookie, self.port = login_cookie(board_port, user), board_port
        self.alarms, self.snapshots = 0, 0
        self.t = threading.Thread(target=self.read, daemon=True)
        self.t.start()

    def read(self):
        c = http.client.HTTPConnection("127.0.0.1", self.port)
        c.request("GET", "/events", headers={"Cookie": self.cookie, "Accept": "text/event-stream"})
        r = c.getresponse()
        event = None
        while True:
            line = r.readline()
            if not line:
                return
            if line.startswith(b"event: "):
                event = line[7:].strip()
                if event == b"snapshot":
                    self.snapshots += 1
            elif line.startswith(b"data: ") and event == b"alarms":
                # One message per batch of committed events: count its rows.
                self.alarms += len(json.loads(line[6:]))
            elif line.startswith(b"data: ") and event == b"alarm":
                self.alarms += 1  # a daemon from before batched messages: one row a message


OBSERVER = """
window.__seen = {};
const stamp = () => {
  const now = performance.timeOrigin + performance.now();
  for (const tr of document.querySelectorAll('tr[data-alarm-id]')) {
    const s = tr.dataset.source;
    if (!(s in window.__seen)) window.__seen[s] = now;
  }
};
new MutationObserver(stamp).observe(document.body, {childList: true, subtree: true});
stamp();
"""


def browser(board_port, user, width=1600, height=1000):
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},{height}",
              "--autoplay-policy=no-user-gesture-required", "--lang=zh-CN", "--hide-scrollbars"]:
        opts.add_argument(a)
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    base = f"http://127.0.0.1:{board_port}"
    d.get(base + "/login")
    d.find_element(By.NAME, "username").send_keys(user)
    d.find_element(By.NAME, "password").send_keys(PASSWORD)
    d.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    until(lambda: d.execute_script("return !!document.getElementById('rows')"), 10, "the board after login")
    return d


def until(cond, timeout, what):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return
        time.sleep(0.02)
    raise SystemExit(f"timed out waiting for {what}")


def cpu_seconds(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / TICK


def mem(pid):
    out = {}
    for line in open(f"/proc/{pid}/status"):
        k = line.split(":")[0]
        if k in ("VmRSS", "VmHWM"):
            out[k] = int(line.split()[1]) / 1024
    return f"VmRSS {out['VmRSS']:.1f} MB, VmHWM {out['VmHWM']:.1f} MB"


def cpu_share(pid, seconds):
    c0, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pid) - c0) / (time.monotonic() - t0) * 100


def pct(xs, q):
    """Nearest rank: of 100 trips, p99 is the 99th, p50 the 50th."""
    xs = sorted(xs)
    return xs[max(0, math.ceil(q * len(xs)) - 1)]


def journal_times(work):
    c = sqlite3.connect(f"file:{work}/state/journal.sqlite?mode=ro", uri=True, timeout=5)
    rows = c.execute("SELECT zone, MIN(time) FROM events WHERE kind = 'raised' GROUP BY zone").fetchall()
    c.close()
    return dict(rows)


def bench(work, server_bin, trips):
    zones, flood = 600, 500
    server = Server(server_bin)
    board_port = free_port()
    daemon = start_daemon(work, site(work, server.port, board_port, zones, False), board_port)
    boards, d = [], None
    try:
        time.sleep(3)
        idle = cpu_share(daemon.pid, STEADY_S)
        print(f"## Board ({os.path.basename(os.path.dirname(BIN + '/'))} watchroomd, 1 device x {zones} zones, poll {POLL_MS} ms)")
        print(f"steady state, no boards: CPU {idle:.2f} % of a core over {STEADY_S:.0f} s; {mem(daemon.pid)}")

        d = browser(board_port, "op0")
        d.execute_script(OBSERVER)
        tripped = {}
        for k in range(1, trips + 1):
            time.sleep(random.uniform(0, POLL_MS / 1000))
            tripped[f"z{k - 1}"] = time.time() * 1000
            server.ask(f"trip {k}")
            until(lambda: d.execute_script(f"return 'z{k - 1}' in window.__seen"), 10, f"z{k - 1} on the board")
        seen = d.execute_script("return window.__seen")
        committed = journal_times(work)
        trip_lat = [seen[z] - t for z, t in tripped.items()]
        commit_lat = [seen[z] - committed[z] * 1000 for z in tripped]
        print(f"trip-to-board over {trips} trips: p50 {pct(trip_lat, 0.5):.0f} ms, p99 {pct(trip_lat, 0.99):.0f} ms, max {max(trip_lat):.0f} ms "
              f"(goal: p99 <= poll {POLL_MS} + 250 = {POLL_MS + 250} ms)")
        print(f"journal-event-to-board: p50 {pct(commit_lat, 0.5):.0f} ms, p99 {pct(commit_lat, 0.99):.0f} ms, max {max(commit_lat):.0f} ms")

        boards = [Board(board_port, f"op{n}") for n in range(1, 20)]
        until(lambda: all(b.snapshots for b in boards), 20, "19 SSE snapshots")
        time.sleep(3)
        steady = cpu_share(daemon.pid, STEADY_S)
        print(f"steady state, 20 boards ({trips} open alarms): CPU {steady:.2f} % of a core over {STEADY_S:.0f} s "
              f"(board share {steady - idle:.2f} %; goal < 5 %); {mem(daemon.pid)}")

        before = [b.alarms for b in boards]
        c0, t0 = cpu_seconds(daemon.pid), time.monotonic()
        server.ask(f"trip {trips + flood}")
        until(lambda: all(b.alarms - n >= flood for b, n in zip(boards, before)), 120, "the flood on 19 SSE clients")
        t_sse = time.monotonic() - t0
        until(lambda: d.execute_script("return document.querySelectorAll('tr[data-alarm-id]').length") >= trips + flood, 120, "the flood in the browser")
        t_dom = time.monotonic() - t0
        time.sleep(2)
        cpu = cpu_seconds(daemon.pid) - c0
        wall = time.monotonic() - t0
        print(f"flood of {flood} alarms at once, 20 boards: on all 19 SSE clients after {t_sse:.2f} s, {trips + flood} rows in the browser "
              f"after {t_dom:.2f} s; daemon CPU {cpu:.2f} s over {wall:.1f} s ({cpu / wall * 100:.1f} % of a core); {mem(daemon.pid)}")
        after = cpu_share(daemon.pid, STEADY_S)
        print(f"steady state after the flood, 20 boards ({trips + flood} open alarms): CPU {after:.2f} % of a core over {STEADY_S:.0f} s; {mem(daemon.pid)}")
    finally:
        if d:
            d.quit()
        daemon.terminate()
        daemon.wait()
        server.stop()


def unwatched_flood(work, server_bin):
    """The same 500-alarm flood with no board open: the daemon's own cost, to set the boards' apart."""
    zones, flood = 600, 500
    server = Server(server_bin)
    board_port = free_port()
    daemon = start_daemon(work, site(work, server.port, board_port, zones, False), board_port)
    try:
        time.sleep(3)
        c0, t0 = cpu_seconds(daemon.pid), time.monotonic()
        server.ask(f"trip {flood}")
        until(lambda: len(journal_times(work)) >= flood, 120, "500 raised events in the journal")
        t_journal = time.monotonic() - t0
        time.sleep(2)
        cpu, wall = cpu_seconds(daemon.pid) - c0, time.monotonic() - t0
        print(f"flood of {flood} alarms at once, no boards: journaled after {t_journal:.2f} s; daemon CPU {cpu:.2f} s over {wall:.1f} s "
              f"({cpu / wall * 100:.1f} % of a core); {mem(daemon.pid)}")
    finally:
        daemon.terminate()
        daemon.wait()
        server.stop()


def screenshot(work, server_bin, out):
    zones = 50
    server = Server(server_bin)
    board_port = free_port()
    daemon = start_daemon(work, site(work, server.port, board_port, zones, True), board_port)
    d = None
    try:
        d = browser(board_port, "op0", 1600, 1000)
        server.ask(f"trip {zones}")
        until(lambda: d.execute_script("return document.querySelectorAll('tr[data-alarm-id]').length") >= zones, 30, "50 rows")
        time.sleep(1.5)  # the status strip's next refresh
        # The whole board, every row: the window grows to the page's height (the chrome's ~143 px).
        height = d.execute_script("return document.documentElement.scrollHeight")
        d.set_window_size(1600, height + 143)
        time.sleep(0.5)
        d.save_screenshot(out)
        print(f"wrote {out}")
    finally:
        if d:
            d.quit()
        daemon.terminate()
        daemon.wait()
        server.stop()


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "bench"
    work = tempfile.mkdtemp(prefix="watchroom-board-bench-")
    try:
        server_bin = build(work)
        if mode == "bench":
            bench(work, server_bin, int(sys.argv[2]) if len(sys.argv) > 2 else 100)
        elif mode == "flood":
            unwatched_flood(work, server_bin)
        elif mode == "screenshot":
            screenshot(work, server_bin, os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "docs/board-flood.png")))
        else:
            raise SystemExit(__doc__)
    finally:
        if not os.environ.get("KEEP"):
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
