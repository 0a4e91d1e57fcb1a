"""Load on the real server: gunicorn (2 workers, DEBUG off) driven by wrk over loopback.

    .venv/bin/python bench/bench_load.py [--reuse] [--port 8105] [--duration 20]
        [--levels 10,25,50] [--per-page] [--writers 20] [--write-duration 20]
        [--skip-read] [--skip-write] [--database-url URL] [--sqlite PATH]

gunicorn runs with the project's configuration (gongfang/gunicorn_conf.py, when present) with
its bind address and worker count overridden; its log, with the tracebacks of any 500, is
/tmp/gongfang-bench-gunicorn-<port>.log, and the most frequent exceptions in it are printed.

Readers: the zaozhuang demo city on PostgreSQL (database ``gongfang_bench_load``, rebuilt unless
``--reuse`` finds it built). The bench signs in as ``zz_bureau`` through the login form and its
second factor (code from ``manage.py demo_totp``), makes a read-only API token on the 接口令牌
page, then wrk drives a mix of the dashboard, the room list, a filtered room list, the warning
centre (session cookie) and the API room list (token) at each concurrency level. Printed per
level: requests/s, p50/p95/p99, non-2xx answers and socket errors (timeouts included). Goal at 50
concurrent clients: p95 < 500 ms and 0 errors.

Writers: the same city in SQLite (``/tmp/gongfang-bench-load.sqlite3``); 20 clients PATCH the
names of different rooms through the API with a read-write token. Goal: 0 errors.

Needs Debian's ``wrk`` (scripts/install_system_packages.sh) and a PostgreSQL on 127.0.0.1:5432
(``--database-url``); without one the readers are skipped with a note.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
# The production configuration, when the project has one (its bind and workers are overridden).
GUNICORN_CONFIGS = [ROOT / "gongfang" / "gunicorn_conf.py", ROOT / "gunicorn.conf.py"]
HOST = "127.0.0.1"
WORKERS = 2
USERNAME = "zz_bureau"
PASSWORD = "Demo@2026!"
GOAL_P95_MS = 500.0
GOAL_CLIENTS = 50
WRK_THREADS = 2
WRK_TIMEOUT = "30s"
PER_PAGE_CLIENTS = 10

READ_PATHS = {
    "dashboard": "/",
    "room list": "/rooms/",
    "room list, filtered": "/rooms/?category=office&status=in_use&region=370481&page=2",
    "warning centre": "/warnings/",
}
API_LIST = "/api/registry/rooms/"
# The last line of a traceback, e.g. "django.db.utils.OperationalError: database is locked".
EXCEPTION_LINE = re.compile(r"^((?:[A-Za-z_][\w]*\.)*[A-Za-z_]\w*(?:Error|Exception)\b.*)$", re.M)

# wrk's Lua side: requests taken in turn from REQUESTS, thread i taking rows i, i + THREADS, ...
# (with an even number of rows the two threads never share one); every answer outside 2xx
# counted per status; done() prints one JSON line the bench reads.
WRK_SCRIPT = r"""
local threads = {}

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = offset
  non2xx = 0
  statuses = ""
  sample = ""
end

function request()
  counter = counter + THREADS
  local r = REQUESTS[(counter % #REQUESTS) + 1]
  return wrk.format(r[1], r[2], r[3], r[4])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    statuses = statuses .. status .. " "
    if sample == "" and body then
      sample = string.gsub(string.sub(body, 1, 300), '[%c"\\]', " ")
    end
  end
end

function done(summary, latency, requests)
  local non2xx_total, statuses_all, sample_first = 0, "", ""
  for _, thread in ipairs(threads) do
    non2xx_total = non2xx_total + thread:get("non2xx")
    statuses_all = statuses_all .. thread:get("statuses")
    if sample_first == "" then sample_first = thread:get("sample") end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "p50": %.0f, "p95": %.0f, "p99": %.0f, "max": %.0f, ' ..
    '"non2xx": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d, "statuses": "%s", ' ..
    '"sample": "%s"}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, non2xx_total, e.connect, e.read, e.write, e.timeout,
    statuses_all, sample_first))
end
"""


@dataclass
class Result:
    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    max: float
    non2xx: int
    socket_errors: int
    statuses: dict[int, int]
    sample: str

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.non2xx + self.socket_errors


# Databases ------------------------------------------------------------------------------------
def manage(database_url: str, *args: str) -> str:
    """Run ``manage.py`` on the given database (DEBUG off); its output."""
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0"}
    env["DJANGO_SETTINGS_MODULE"] = "gongfang.settings"
    done = subprocess.run(
        [str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def demo_present(database_url: str) -> bool:
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0"}
    check = [str(PYTHON), "scripts/dbstate.py", "demo"]
    return subprocess.run(check, cwd=ROOT, env=env, capture_output=True).returncode == 0


def build_demo(database_url: str) -> None:
    """Migrate, load the divisions and the zaozhuang city (as ``make demo`` does)."""
    started = time.perf_counter()
    manage(database_url, "migrate", "--noinput")
    manage(database_url, "load_regions")
    manage(database_url, "load_demo", "--profile", "zaozhuang")
    print(f"  demo city built in {time.perf_counter() - started:.0f} s")


def prepare_postgres(database_url: str, reuse: bool) -> bool:
    """The bench's own PostgreSQL database with the demo city; False when unreachable."""
    import psycopg

    url = urllib.parse.urlsplit(database_url)
    name = url.path.lstrip("/")
    if not name.startswith("gongfang_bench"):
        sys.exit(f"refusing to rebuild database {name!r}: its name must start with gongfang_bench")
    admin = urllib.parse.urlunsplit(url._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists and not (reuse and demo_present(database_url)):
                conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                exists = None
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL not reachable ({exc}); readers skipped.")
        return False
    if demo_present(database_url):
        print(f"PostgreSQL database {name}: demo city present, reused")
        manage(database_url, "migrate", "--noinput")
    else:
        print(f"PostgreSQL database {name}: building the demo city")
        build_demo(database_url)
    return True


def prepare_sqlite(path: Path, reuse: bool) -> str:
    database_url = f"sqlite:///{path}"
    if reuse and path.exists() and demo_present(database_url):
        print(f"SQLite {path}: demo city present, reused")
        manage(database_url, "migrate", "--noinput")
    else:
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        print(f"SQLite {path}: building the demo city")
        build_demo(database_url)
    return database_url


# Server ---------------------------------------------------------------------------------------
@contextmanager
def gunicorn(database_url: str, port: int) -> Iterator[str]:
    """gunicorn serving the site on loopback; yields its base URL, stops it afterwards."""
    if not GUNICORN.exists():
        sys.exit(f"{GUNICORN} not found: run `make install` (gunicorn is in pyproject.toml).")
    command = [str(GUNICORN), "gongfang.wsgi:application"]
    config = next((c for c in GUNICORN_CONFIGS if c.exists()), None)
    if config is not None:
        command += ["--config", str(config)]
    command += ["--workers", str(WORKERS), "--bind", f"{HOST}:{port}"]
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0"}
    env["DJANGO_SETTINGS_MODULE"] = "gongfang.settings"
    log_path = server_log(port)
    base = f"http://{HOST}:{port}"
    with log_path.open("w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_up(base, server, log_path)
            print(
                f"  gunicorn pid {server.pid}: {WORKERS} workers on {base}"
                + (f", config {config.relative_to(ROOT)}" if config else "")
                + f"; log {log_path}"
            )
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def server_log(port: int) -> Path:
    return Path(tempfile.gettempdir()) / f"gongfang-bench-gunicorn-{port}.log"


def show_server_exceptions(port: int) -> None:
    """The exceptions in the server's log (tracebacks of the 500s), most frequent first."""
    found = Counter(EXCEPTION_LINE.findall(server_log(port).read_text(errors="replace")))
    for line, count in found.most_common(3):
        print(f"    server log: {count} x {line[:160]}")


def wait_until_up(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/accounts/login/", timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    sys.exit(f"gunicorn did not answer within 60 s:\n{log.read_text()[-3000:]}")


# Signing in -----------------------------------------------------------------------------------
class Browser:
    """Enough of a browser for the login flow: cookies, redirects, CSRF tokens from forms."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path, timeout=30) as answer:
            return answer.geturl(), answer.read().decode()

    def post_form(self, path: str, page: str, fields: dict[str, str]) -> tuple[str, str]:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            sys.exit(f"no CSRF token in the form of {path}")
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), **fields}).encode()
        headers = {"Referer": self.base + path}
        request = urllib.request.Request(self.base + path, data=data, headers=headers)
        with self.opener.open(request, timeout=30) as answer:
            return answer.geturl(), answer.read().decode()

    def cookie(self, name: str) -> str:
        return next(c.value for c in self.cookies if c.name == name)


def sign_in(base: str, database_url: str) -> Browser:
    """Password, then the authenticator's code, as a person would; a code is valid once, so a
    refused one (used by a run moments ago) is retried with the next 30 s code."""
    browser = Browser(base)
    url, page = browser.get("/accounts/login/")
    url, page = browser.post_form(
        "/accounts/login/", page, {"username": USERNAME, "password": PASSWORD}
    )
    for attempt in range(3):
        if "/2fa/verify/" not in url:
            break
        if attempt:
            time.sleep(31 - time.time() % 30)
        code = re.search(r"(\d{6})", manage(database_url, "demo_totp", USERNAME)).group(1)
        path = urllib.parse.urlsplit(url)
        url, page = browser.post_form(f"{path.path}?{path.query}", page, {"token": code})
    landed = urllib.parse.urlsplit(url).path
    if landed != "/":
        sys.exit(f"sign-in as {USERNAME} ended on {url}, not the dashboard")
    return browser


def api_token(browser: Browser, scope: str) -> str:
    """A token made on the 接口令牌 page (shown once on the page after the redirect)."""
    _, page = browser.get("/accounts/tokens/")
    _, page = browser.post_form(
        "/accounts/tokens/", page, {"name": "bench_load", "scope": scope, "days": "1"}
    )
    key = re.search(r"\b(gf_[A-Za-z0-9_-]{20,})", page)
    if key is None:
        sys.exit("the 接口令牌 page showed no new token")
    return key.group(1)


# Load -----------------------------------------------------------------------------------------
def lua_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid Lua string here


def lua_requests(requests: list[tuple[str, str, dict[str, str], str | None]]) -> str:
    rows = []
    for method, path, headers, body in requests:
        header_items = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())
        body_lua = lua_string(body) if body is not None else "nil"
        rows.append(
            f"  {{{lua_string(method)}, {lua_string(path)}, {{{header_items}}}, {body_lua}}}"
        )
    return "REQUESTS = {\n" + ",\n".join(rows) + "\n}\n"


def run_wrk(
    base: str,
    requests: list[tuple[str, str, dict[str, str], str | None]],
    clients: int,
    seconds: int,
) -> Result:
    threads = min(WRK_THREADS, clients)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f"THREADS = {threads}\n" + lua_requests(requests) + WRK_SCRIPT)
    try:
        command = [
            "wrk", f"--threads={threads}", f"--connections={clients}",
            f"--duration={seconds}s", f"--timeout={WRK_TIMEOUT}", f"--script={script.name}", base,
        ]  # fmt: skip
        done = subprocess.run(
            command, capture_output=True, text=True, errors="replace", timeout=seconds + 120
        )
    finally:
        os.unlink(script.name)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        sys.exit(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")
    raw = json.loads(line.removeprefix("BENCH "))
    statuses: dict[int, int] = {}
    for status in raw["statuses"].split():
        statuses[int(status)] = statuses.get(int(status), 0) + 1
    return Result(
        requests=raw["requests"],
        seconds=raw["seconds"],
        p50=raw["p50"] / 1000,
        p95=raw["p95"] / 1000,
        p99=raw["p99"] / 1000,
        max=raw["max"] / 1000,
        non2xx=raw["non2xx"],
        socket_errors=raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
        statuses=statuses,
        sample=raw["sample"],
    )


HEADER = (
    f"{'clients':>8}{'requests':>10}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    f"{'max ms':>9}{'non-2xx':>9}{'socket':>8}"
)


def row(clients: int, result: Result) -> str:
    line = (
        f"{clients:>8}{result.requests:>10}{result.rate:>8.1f}{result.p50:>9.0f}{result.p95:>9.0f}"
        f"{result.p99:>9.0f}{result.max:>9.0f}{result.non2xx:>9}{result.socket_errors:>8}"
    )
    if result.statuses:
        line += "  statuses " + ", ".join(f"{s}×{n}" for s, n in sorted(result.statuses.items()))
    return line


def show_load(when: str) -> None:
    """The machine's load average: other work on the same cores moves every figure here."""
    one, five, _ = os.getloadavg()
    print(f"  load average {when}: {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores")


def show_sample(result: Result) -> None:
    if result.sample:
        print(f"    first non-2xx body: {' '.join(result.sample.split())[:200]}")


def readers(args: argparse.Namespace) -> None:
    """The read mix at each level, then (``--per-page``) each page alone."""
    print("== readers: gunicorn on PostgreSQL, zaozhuang demo city")
    if not prepare_postgres(args.database_url, args.reuse):
        return
    with gunicorn(args.database_url, args.port) as base:
        browser = sign_in(base, args.database_url)
        token = api_token(browser, "read")
        page_headers = {"Cookie": f"sessionid={browser.cookie('sessionid')}"}
        named = {name: ("GET", path, page_headers, None) for name, path in READ_PATHS.items()}
        named["API room list"] = ("GET", API_LIST, {"Authorization": f"Token {token}"}, None)
        for name, request in named.items():
            print(f"  {name:<22}{request[1]}")
        print(
            f"  signed in as {USERNAME} (password + authenticator code); mix in turn, "
            f"{args.duration} s per level, wrk {WRK_THREADS} threads, timeout {WRK_TIMEOUT}"
        )
        requests = list(named.values())
        show_load("before")
        run_wrk(base, requests, clients=min(args.levels), seconds=3)  # warm both workers
        print(HEADER)
        goal = None
        for clients in args.levels:
            result = run_wrk(base, requests, clients=clients, seconds=args.duration)
            print(row(clients, result))
            show_sample(result)
            if clients == GOAL_CLIENTS:
                goal = result
        if args.per_page:
            print(f"each page alone, {PER_PAGE_CLIENTS} clients, {args.duration} s:")
            print(f"{'page':<22}" + HEADER)
            for name, request in named.items():
                result = run_wrk(base, [request], clients=PER_PAGE_CLIENTS, seconds=args.duration)
                print(f"{name:<22}" + row(PER_PAGE_CLIENTS, result))
                show_sample(result)
        show_load("after")
    show_server_exceptions(args.port)
    if goal is not None:
        met = goal.p95 < GOAL_P95_MS and goal.errors == 0
        print(
            f"goal at {GOAL_CLIENTS} clients: p95 < {GOAL_P95_MS:.0f} ms and 0 errors: "
            f"{'met' if met else 'MISSED'} (p95 {goal.p95:.0f} ms = "
            f"{goal.p95 / GOAL_P95_MS:.1f}x the goal, {goal.errors} errors)"
        )


def writers(args: argparse.Namespace) -> None:
    """Concurrent PATCHes of different rooms on SQLite (goal: 0 errors)."""
    print(f"== writers: gunicorn on SQLite, {args.writers} clients PATCHing different rooms")
    database_url = prepare_sqlite(args.sqlite, args.reuse)
    with gunicorn(database_url, args.port) as base:
        browser = sign_in(base, database_url)
        token = api_token(browser, "read_write")
        auth = {"Authorization": f"Token {token}"}
        request = urllib.request.Request(f"{base}{API_LIST}?limit=1000&ordering=id", headers=auth)
        with urllib.request.urlopen(request, timeout=60) as answer:
            rooms = [r["id"] for r in json.load(answer)["results"]]
        headers = {**auth, "Content-Type": "application/json"}
        stamp = time.strftime("%H%M%S")
        requests = [
            ("PATCH", f"{API_LIST}{room}/", headers, json.dumps({"name": f"压测{stamp}-{room}"}))
            for room in rooms
        ]
        print(f"  {len(rooms)} rooms, each thread takes its own in turn; {args.write_duration} s")
        show_load("before")
        print(HEADER)
        result = run_wrk(base, requests, clients=args.writers, seconds=args.write_duration)
        print(row(args.writers, result))
        show_sample(result)
        show_load("after")
    show_server_exceptions(args.port)
    verdict = "met" if result.errors == 0 else "MISSED"
    print(
        f"goal with {args.writers} writers: 0 errors: {verdict} ({result.errors} of "
        f"{result.requests} failed)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="keep demo databases already built")
    parser.add_argument("--port", type=int, default=8105)
    parser.add_argument("--duration", type=int, default=20, help="seconds per level")
    parser.add_argument(
        "--levels", type=lambda s: [int(x) for x in s.split(",")], default=[10, 25, GOAL_CLIENTS]
    )
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--write-duration", type=int, default=20)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/gongfang_bench_load"
    )
    parser.add_argument("--sqlite", type=Path, default=Path("/tmp/gongfang-bench-load.sqlite3"))
    parser.add_argument("--skip-read", action="store_true")
    parser.add_argument("--skip-write", action="store_true")
    parser.add_argument(
        "--per-page", action="store_true", help="also load each read page alone (adds 5 x duration)"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: bash scripts/install_system_packages.sh installs it (Debian).")
    if not args.skip_read:
        readers(args)
    if not args.skip_write:
        writers(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
