"""No raw code in what a user reads (issue 10, point 11).

The small demo (``load_demo --profile small``), with a few events on top that the demo does not
make (a warning put under rectification with a deadline, a second-factor verification, a ledger
export, a role change), is walked as each of its accounts: every page linked from the landing
page (the navigation and what the dashboard links to), then from each of those the pages they
link to — at most a few per URL name, so each list's first objects' detail pages are reached.

Each page's text — HTML stripped, attributes, scripts and styles left out — must not show any
choice code (every ``TextChoices`` value and every model field's choice value in the code base)
or any event code (registered event names and those written in the source) as a whole word.
"""

from __future__ import annotations

import datetime
import io
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.test import TestCase
from django.urls import Resolver404, resolve

from gongfang.accounts.models import User
from gongfang.accounts.roles import Role
from gongfang.framework.changelog import EVENT_LABELS, record_event

ROOT = Path(__file__).resolve().parent.parent / "gongfang"
# How many pages of one URL name are read per account (the first objects of each list).
PER_NAME = 2
# Never requested: ends the session, or answers a file rather than a page.
SKIP_NAMES = frozenset({"accounts:logout"})
SKIP_SUFFIXES = ("_export", "_download", "-export", "errors_file", "_file")
# Codes that are ordinary text where they appear (units, numbers, Latin abbreviations).
NOT_CODES = frozenset()


def choice_codes() -> set[str]:
    """Every choice value of the code base: TextChoices classes and model fields' choices."""
    codes: set[str] = set()

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for choices in subclasses(models.TextChoices):
        if choices.__module__.startswith("gongfang."):
            codes.update(str(v) for v in choices.values)
    for model in apps.get_models():
        if not model.__module__.startswith("gongfang."):
            continue
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str):
                    codes.add(value)
    return codes


EVENT_IN_SOURCE = re.compile(r"""(?:event=|_EVENT\s*=\s*|^\s*)["']([a-z_]+\.[a-z_]+)["']""", re.M)


def event_codes() -> set[str]:
    """Registered event names and every event name the source writes."""
    codes = set(EVENT_LABELS)
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        codes.update(EVENT_IN_SOURCE.findall(path.read_text(encoding="utf-8")))
    return codes


def is_code(value: str) -> bool:
    """Whether ``value`` can only be a code when shown (not a number, not a single letter)."""
    return len(value) >= 3 and re.search(r"[a-z]", value) is not None and value not in NOT_CODES


class PageText(HTMLParser):
    """The text a reader sees, with where it stands (the innermost tag)."""

    HIDDEN = frozenset({"script", "style", "template", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.parts.append(data)

    @property
    def text(self) -> str:
        return "\n".join(self.parts)


def find_codes(text: str, pattern: re.Pattern) -> set[str]:
    return set(pattern.findall(text))


class PageTextTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", profile="small", stdout=io.StringIO())
        # The demo's account names are role codes ("leader"): a name shown is data, not a leak.
        # What the demo's cases recorded before (the audit trail keeps the name an account had
        # when it acted, shown as "姓名（账号）") is data as well.
        cls.recorded_names = re.compile(
            "（(?:"
            + "|".join(re.escape(u) for u in User.objects.values_list("username", flat=True))
            + ")）"
        )
        for user in User.objects.all():
            User.objects.filter(pk=user.pk).update(username=f"u_{user.username}")
        cls.add_events()

    @classmethod
    def add_events(cls):
        """What the demo does not do but a user's pages then show."""
        from gongfang.accounts import services as accounts
        from gongfang.compliance.models import Mode, State, Warning
        from gongfang.compliance.services import transition

        bureau = User.objects.get(username="u_zz_bureau")
        warning = Warning.objects.restrict(bureau).filter(state=State.OPEN).order_by("pk").first()
        cls.seeds = [warning.get_absolute_url()]
        transition(
            actor=bureau,
            warning=warning,
            action="rectify",
            mode=Mode.DEADLINE,
            deadline=datetime.date.today() + datetime.timedelta(days=30),
            reason="拆分房间",
        )
        record_event(actor=bureau, event="auth.otp_verify", obj=bureau)
        record_event(actor=bureau, event="ledger.export", data={"rows": 3})
        sec = User.objects.get(username="u_sec_admin")
        leader = User.objects.get(username="u_leader")
        accounts.set_access(
            actor=sec,
            user=leader,
            roles=[Role.LEADER, Role.SUPERVISOR],
            scope_region=leader.scope_region,
        )

    def setUp(self):
        codes = {c for c in choice_codes() | event_codes() if is_code(c)}
        # Whole words: not part of a longer identifier, path or dotted name.
        self.pattern = re.compile(
            r"(?<![\w./-])("
            + "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
            + r")(?![\w/-]|\.\w)"
        )
        self.codes = codes

    def walk(self, user: User) -> tuple[int, dict[str, set[str]]]:
        """Pages read and, per page, the codes shown on it."""
        self.client.force_login(user)
        seen_names: dict[str, int] = defaultdict(int)
        queue, visited, found = ["/", *self.seeds], set(), {}
        while queue:
            url = queue.pop(0)
            if url in visited:
                continue
            visited.add(url)
            response = self.client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            parser = PageText()
            parser.feed(response.content.decode())
            shown = find_codes(self.recorded_names.sub("", parser.text), self.pattern)
            if shown:
                found[url] = shown
            for href in parser.links:
                target = self.follow(href, seen_names)
                if target and target not in visited:
                    queue.append(target)
        return len(visited), found

    def follow(self, href: str, seen_names: dict[str, int]) -> str | None:
        href = urldefrag(href)[0]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            return None
        if parts.path.startswith(("/static/", "/api/", "/media/")):
            return None
        try:
            match = resolve(parts.path)
        except Resolver404:
            return None
        name = match.view_name
        if name in SKIP_NAMES or name.endswith(SKIP_SUFFIXES):
            return None
        if seen_names[name] >= PER_NAME:
            return None
        seen_names[name] += 1
        return href

    def test_no_page_shows_a_choice_or_event_code(self):
        self.assertIn("deadline", self.codes)
        self.assertIn("auth.otp_verify", self.codes)
        failures = []
        for user in User.objects.filter(is_active=True).exclude(roles=[]).order_by("username"):
            with self.subTest(user=user.username):
                pages, found = self.walk(user)
                self.assertGreater(pages, 5, f"{user.username} reached too few pages")
                for url, codes in sorted(found.items()):
                    failures.append(f"{user.username:<12} {url}: {', '.join(sorted(codes))}")
        self.assertEqual(failures, [], "\n" + "\n".join(failures))
