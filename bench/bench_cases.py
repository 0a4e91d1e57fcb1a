"""Cases at city scale: the leader's to-do and the case list with 10,000 open cases, and applying
an allocation of 200 rooms.

Usage: .venv/bin/python bench/bench_cases.py [--db /tmp/gongfang-bench-cases.sqlite3] [--reuse]
                                             [--open 10000] [--requests 40] [--rooms 200]

Builds the zaozhuang demo city (with its cases, built through the services) into a fresh SQLite
file (``--reuse`` keeps an existing one), then brings the city's open cases to ``--open``: the
demo's waiting cases are the models, copied in bulk (case, subjects, open task; numbers of their
own, due dates spread so a part is overdue), as the load a year of real use leaves. Then, as
bench_pages does (the whole server path through Django's test client, signed in past the second
factor, pages measured interleaved), it prints each page's median and p95 server time in
milliseconds, its ratio to a bare authenticated page measured in the same run, and its SQL
queries: the leader's to-do (城市 leader: the signing step of every city case) and the case list
of the 枣庄市 bureau. The goal (as issue 9's pages): median at most ``TARGET_RATIO`` times the
bare page.

Last, an allocation of ``--rooms`` rooms from one organization to another runs through the
services (create, submit, bureau approval, the leader's signature); applying it (``apply_case``:
every room moved through the registry's service, change-logged, re-checked) is timed and its
queries counted, and the whole final decision (signature included) beside it.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from bench_pages import BARE, bare_urlconf, count_queries, p95, setup, timed_get  # noqa: E402

TARGET_RATIO = 10.0


def fill_open_cases(target: int) -> int:
    """Copy the demo's waiting cases (with their subjects and open tasks) until the city has
    ``target`` open cases; returns how many were added."""
    from django.db import transaction

    from gongfang.framework import clock
    from gongfang.workflow.choices import PENDING_STATES, TaskState
    from gongfang.workflow.models import Case, CaseSubject, Task

    open_cases = Case.objects.filter(state__in=PENDING_STATES)
    missing = target - open_cases.count()
    if missing <= 0:
        return 0
    models = list(
        open_cases.filter(tasks__state=TaskState.OPEN)
        .distinct()
        .prefetch_related("subjects", "tasks")
        .order_by("pk")
    )
    if not models:
        raise SystemExit("the demo has no waiting case to copy: its cases part did not run")
    case_fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
    subject_fields = [
        f for f in CaseSubject._meta.concrete_fields if not f.primary_key and f.name != "case"
    ]
    task_fields = [f for f in Task._meta.concrete_fields if not f.primary_key and f.name != "case"]
    today = clock.today()
    year = today.year
    added = 0
    with transaction.atomic():
        while added < missing:
            batch = min(2000, missing - added)
            sources = [models[(added + i) % len(models)] for i in range(batch)]
            copies = []
            for i, source in enumerate(sources):
                copy = Case(**{f.attname: getattr(source, f.attname) for f in case_fields})
                copy.number = f"压测〔{year}〕{added + i + 1}号"
                copies.append(copy)
            Case.objects.bulk_create(copies)
            subjects, tasks = [], []
            for i, (source, copy) in enumerate(zip(sources, copies, strict=True)):
                for subject in source.subjects.all():
                    row = CaseSubject(
                        **{f.attname: getattr(subject, f.attname) for f in subject_fields}
                    )
                    row.case_id = copy.pk
                    subjects.append(row)
                for task in source.tasks.all():
                    if task.state != TaskState.OPEN:
                        continue
                    row = Task(**{f.attname: getattr(task, f.attname) for f in task_fields})
                    row.case_id = copy.pk
                    # A tenth overdue, the rest due within the next three weeks.
                    row.due_on = today + datetime.timedelta(days=(i % 22) - 2)
                    tasks.append(row)
            CaseSubject.objects.bulk_create(subjects)
            Task.objects.bulk_create(tasks)
            added += batch
    return added


def pages() -> dict[str, tuple[str, str]]:
    """name -> (account, URL)."""
    from django.urls import reverse

    from gongfang.workflow.models import Case

    cases = reverse("workflow:case_list")
    one = Case.objects.exclude(number="").order_by("pk").values_list("number", flat=True).first()
    return {
        BARE: ("leader", "/bench/bare/"),
        "leader to-do": ("leader", reverse("workflow:todo")),
        "case list (bureau)": ("zz_bureau", f"{cases}?per_page=50"),
        "case list, pending+overdue": (
            "zz_bureau",
            f"{cases}?pending=true&overdue=true&per_page=50",
        ),
        # Every number holds the year: all 10,000 match (the worst case of the search box).
        "case list, search (all)": ("zz_bureau", f"{cases}?q=2026&per_page=50"),
        "case list, search (one)": ("zz_bureau", f"{cases}?q={quote(one)}&per_page=50"),
        "bare page (bureau)": ("zz_bureau", "/bench/bare/"),
    }


def bench_pages(requests: int) -> list[str]:
    from django.conf import settings
    from django.test import Client
    from django.urls import clear_url_caches

    from gongfang.accounts.models import User
    from gongfang.accounts.testing import complete_login
    from gongfang.workflow.choices import PENDING_STATES
    from gongfang.workflow.models import Case, Task

    settings.ROOT_URLCONF = bare_urlconf()
    clear_url_caches()
    clients = {}
    for username in ("leader", "zz_bureau"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        complete_login(client, user)
        clients[username] = client
    urls = pages()
    for who, url in urls.values():
        for _ in range(3):
            timed_get(clients[who], url)
    times: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(requests):
        for name, (who, url) in urls.items():
            times[name].append(timed_get(clients[who], url)[0])
    queries = {name: count_queries(clients[who], url) for name, (who, url) in urls.items()}

    leader = User.objects.get(username="leader")
    print(
        f"open cases in the city: {Case.objects.filter(state__in=PENDING_STATES).count():,}; "
        f"the leader's open tasks: {Task.objects.for_user(leader).open().count():,}"
    )
    print(f"{requests} requests per page; target: median ≤ {TARGET_RATIO:.0f}× the bare page")
    print(f"{'page':<28}{'median ms':>10}{'p95 ms':>9}{'ratio':>8}{'queries':>9}  verdict")
    floors = {
        "leader": statistics.median(times[BARE]),
        "zz_bureau": statistics.median(times["bare page (bureau)"]),
    }
    missed = []
    for name, (who, _url) in urls.items():
        median = statistics.median(times[name])
        ratio = median / floors[who]
        bare = name in (BARE, "bare page (bureau)")
        verdict = "" if bare else ("PASS" if ratio <= TARGET_RATIO else "MISS")
        if verdict == "MISS":
            missed.append(name)
        print(
            f"{name:<28}{median:>10.1f}{p95(times[name]):>9.1f}{ratio:>7.1f}×"
            f"{queries[name]:>9}  {verdict}"
        )
    return missed


@contextmanager
def counting() -> Iterator[list[int]]:
    """Count the SQL statements run inside (all of them, no log limit): ``[n]``."""
    from django.db import connection

    count = [0]

    def wrapper(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield count


def allocation_data(rooms: int) -> tuple[object, dict]:
    """An allocation of ``rooms`` rooms (in use or idle, of the busiest organizations of the
    city) to another organization, taking effect on approval: (applicant, form data)."""
    from django.db.models import Count

    from gongfang.registry.choices import RoomStatus
    from gongfang.registry.models import Organization, Room

    city = Organization.objects.filter(status="active", region__code="370400")
    busiest = list(city.annotate(n=Count("rooms")).order_by("-n", "pk")[:4])
    receiver = city.exclude(pk__in=[o.pk for o in busiest]).order_by("pk").first()
    chosen = list(
        Room.objects.filter(
            organization__in=busiest, status__in=[RoomStatus.IN_USE, RoomStatus.IDLE]
        )
        .order_by("organization_id", "pk")
        .values_list("pk", flat=True)[:rooms]
    )
    if len(chosen) < rooms:
        raise SystemExit(f"only {len(chosen)} rooms to allocate")
    return busiest[0], {
        "rooms": chosen,
        "receiver": receiver.pk,
        "end_occupancies": True,
        "reason": "压测：整体调配",
    }


def bench_allocation(rooms: int) -> list[str]:
    """An allocation of ``rooms`` rooms: drafted, submitted and approved by the bureau through
    the services; then the leader's signed approval, which applies it in its transaction: timed
    and its queries counted, and the identity check (password hash + code) timed alone beside
    it, so the effect's own cost shows."""
    from gongfang.accounts.models import User
    from gongfang.demo.story import Story
    from gongfang.framework import clock
    from gongfang.workflow import services
    from gongfang.workflow.choices import CaseState
    from gongfang.workflow.selectors import actor_tasks, needs_signature
    from gongfang.workflow.signing import confirm_identity

    users = {u.username: u for u in User.objects.filter(username__in=["zz_bureau", "leader"])}
    story = Story(users, clock.today())
    bureau, leader = users["zz_bureau"], users["leader"]
    applicant, data = allocation_data(rooms)
    timings: dict[str, float] = {}

    def timed(name, fn, **kwargs):
        started = time.perf_counter()
        result = fn(**kwargs)
        timings[name] = timings.get(name, 0) + (time.perf_counter() - started) * 1000
        return result

    case = timed(
        "create",
        services.create_case,
        actor=bureau,
        kind="allocation",
        applicant=applicant,
        data=data,
    )
    case = timed("submit", services.submit_case, actor=bureau, case=case)
    while case.state in (CaseState.SUBMITTED, CaseState.IN_REVIEW):
        actor = next(u for u in (bureau, leader) if actor_tasks(u, case).exists())
        if not needs_signature(actor, case):
            case = timed(
                "bureau decision", services.decide, actor=actor, case=case, decision="approve"
            )
            continue
        with counting() as check:
            started = time.perf_counter()
            confirm_identity(user=actor, **story.signature(actor))
            check_ms = (time.perf_counter() - started) * 1000
        signing = story.signature(actor)
        with counting() as decided:
            started = time.perf_counter()
            case = services.decide(actor=actor, case=case, decision="approve", **signing)
            decide_ms = (time.perf_counter() - started) * 1000
    queries = decided[0] - check[0]
    apply_ms = decide_ms - check_ms
    print(
        f"allocation of {rooms} rooms, the signed approval that applies it: {decide_ms:,.0f} ms, "
        f"{decided[0]:,} queries; without the identity check "
        f"({check_ms:,.0f} ms, {check[0]} queries): {apply_ms:,.0f} ms, "
        f"{queries:,} queries ({queries / rooms:.1f} per room)"
    )
    print("  before it: " + ", ".join(f"{k} {v:,.0f} ms" for k, v in timings.items()))
    return [] if case.state == CaseState.APPLIED else [f"allocation {case.get_state_display()}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=Path("/tmp/gongfang-bench-cases.sqlite3"))
    parser.add_argument("--reuse", action="store_true", help="keep an existing demo database")
    parser.add_argument("--open", type=int, default=10_000, help="open cases in the city")
    parser.add_argument("--requests", type=int, default=40, help="requests per page")
    parser.add_argument("--rooms", type=int, default=200, help="rooms of the allocation")
    parser.add_argument("--only", choices=["pages", "allocation"], help="run only this part")
    args = parser.parse_args()
    setup(args.db, args.reuse)
    started = time.perf_counter()
    added = fill_open_cases(args.open)
    if added:
        print(f"{added:,} open cases copied in {time.perf_counter() - started:.1f} s")
    missed = [] if args.only == "allocation" else bench_pages(args.requests)
    if args.only != "pages":
        missed += bench_allocation(args.rooms)
    print("all within the target" if not missed else "MISSED: " + "; ".join(missed))
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
