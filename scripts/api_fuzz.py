"""Fuzz the whole REST API against its own OpenAPI description (schemathesis), bounded in time.

Usage: .venv/bin/python scripts/api_fuzz.py [--seconds 240] [--port 8121] [--examples 8]

Builds the small demo into a fresh SQLite file, serves it with gunicorn (DEBUG off) on
127.0.0.1, creates API tokens for the bureau, the system administrator and the audit
administrator, and lets schemathesis generate requests for every operation the account may
reach: examples, boundary values (``coverage``) and random data (``fuzzing``). It fails on any
server error and any response, status code, content type or header the schema does not
describe. Writes go through the demo's data; the file is thrown away afterwards. `make
api-fuzz` runs it; CI runs it once per submission.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    ]
)
# Not checked here: whether every request the schema calls invalid is refused — a scalar body
# sent as multipart arrives as an empty form, which is a valid partial update. The query values
# that must be refused are tested directly (gongfang/framework/tests/test_api_conformance.py).
# Who fuzzes which part of the API: each account reaches what its role may (三员分立).
ACCOUNTS = (
    ("zz_bureau", None, 0.7),
    ("sys_admin", r"^/api/(accounts|scheduler)/", 0.15),
    ("audit_admin", r"^/api/framework/", 0.15),
)
# Not fuzzed: the token endpoint (it would lock the accounts out by design) and file downloads.
EXCLUDED = r"^/api/token/|/file/$"


def run(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(VENV / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True)


def make_tokens(env: dict[str, str]) -> dict[str, str]:
    code = (
        "from gongfang.accounts.models import ApiToken, User\n"
        "from gongfang.accounts.tokens import create_token\n"
        f"for name in {[name for name, *_ in ACCOUNTS]!r}:\n"
        "    _, key = create_token(user=User.objects.get(username=name),"
        " scope=ApiToken.Scope.READ_WRITE, days=1)\n"
        "    print(name, key)\n"
    )
    out = subprocess.run(
        [str(VENV / "python"), "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(line.split(" ", 1) for line in out.split("\n") if line.strip())


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise SystemExit(f"the server did not start on port {port}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=240, help="time budget of the whole fuzz")
    parser.add_argument("--port", type=int, default=8121)
    parser.add_argument("--examples", type=int, default=8, help="examples per operation")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="gongfang-fuzz-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'fuzz.sqlite3'}",
        "DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "gongfang.settings",
    }
    env.pop("SQLITE_TEST_NAME", None)
    print(f"api-fuzz: building the small demo in {workdir}", flush=True)
    run(env, "migrate", "--noinput", "-v0")
    run(env, "load_regions", "-v0")
    subprocess.run(
        [str(VENV / "python"), "manage.py", "load_demo", "--profile", "small"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    tokens = make_tokens(env)

    server = subprocess.Popen(
        [
            str(VENV / "gunicorn"),
            "gongfang.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
            # The fuzzer's longest URLs would meet gunicorn's request-line cap (414, an answer
            # of the server, not of the API); in production the proxy caps them first.
            "--limit-request-line",
            "0",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    failed = False
    try:
        wait_for(args.port)
        for name, include, share in ACCOUNTS:
            budget = max(20, int(args.seconds * share))
            command = [
                str(VENV / "schemathesis"),
                "run",
                f"http://127.0.0.1:{args.port}/api/schema/",
                "--header",
                f"Authorization: Token {tokens[name]}",
                "--phases",
                "examples,coverage,fuzzing",
                "--checks",
                CHECKS,
                "--max-examples",
                str(args.examples),
                "--max-time",
                str(budget),
                "--seed",
                "2026",
                "--exclude-path-regex",
                EXCLUDED,
                "--request-timeout",
                "30",
                "--warnings",
                "off",
            ]
            if include:
                command += ["--include-path-regex", include]
            print(f"\napi-fuzz: as {name} ({include or 'all operations'}), {budget} s", flush=True)
            result = subprocess.run(command, cwd=ROOT, env=env)
            failed = failed or result.returncode != 0
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    print("\napi-fuzz:", "FAILED" if failed else "0 server errors, 0 schema violations")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
