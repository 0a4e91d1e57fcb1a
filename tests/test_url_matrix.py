"""Role × URL: every URL pattern of the project, requested (GET) by one account per role and by
an anonymous client, against a declared expectation (issue 5: 三员分立 §5, anonymous walk §8).

The URLconf is walked at run time, so a pattern added by any app is covered the day it lands;
each pattern falls into one area with a default expectation:

- public (login, logout, the API token exchange, a certificate's verification page): open to
  anyone;
- own account pages (``accounts:*``) and API (``api:accounts:my-*``): every signed-in role
  (password, second factor, sessions);
- landing pages (dashboard, search, API root, schema, docs): every signed-in role — their
  content is scoped, an administrator without a business role sees no business data there;
- account management (``manage:*``, ``api:accounts:*``, declared page by page below): system
  and security administrators, each only their part;
- the audit log (``framework:*``, ``api:framework:*``): the audit administrator only;
- the schedule of periodic jobs (``scheduler:*``, ``api:scheduler:*``): the system administrator
  only;
- everything else is business: the three administrators are refused (403/404); a business
  role gets exactly what the role table and its scope allow (for the generic views, whose
  rules are known) or at least no error (for other views).

Path parameters are filled with objects of side ``a`` of the test world (every account of the
matrix is scoped to side ``a``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.test import TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from gongfang.accounts.models import PendingPasswordReset, User
from gongfang.accounts.roles import BUSINESS_ROLES, Role
from gongfang.framework.api.viewsets import ScopedViewSetMixin
from gongfang.framework.changelog import record_event
from gongfang.framework.models import ObjectChange
from gongfang.framework.views.generic import BaseObjectView, ObjectEditView
from gongfang.registry.tests.world import PASSWORD, build_world, make_user
from gongfang.scheduler.services import sync_jobs

SYS, SEC, AUDIT = Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN
ADMINS = frozenset({SYS, SEC, AUDIT})

# The verification page a use certificate's QR code opens is read without login.
PUBLIC = frozenset({"accounts:login", "accounts:logout", "api:token", "verify:certificate"})
LANDING = frozenset({"home", "search", "api:root", "api:schema", "api:docs"})
# The caller's own account through the API (accounts/account_api.py).
OWN_API = frozenset(
    {
        "api:accounts:my-sessions",
        "api:accounts:my-session",
        "api:accounts:my-sessions-end-others",
        "api:accounts:my-password",
        "api:accounts:my-second-factor",
    }
)
AUDIT_NAMESPACES = ("framework", "api:framework")
# The framework's holiday calendar (节假日安排) is business data every business role reads and the
# bureau edits, not part of the audit area beside it.
CALENDAR_NAMES = ("holidayyear", "calendarday")
SCHEDULER_NAMESPACES = ("scheduler", "api:scheduler")
# The same for every account and slow to build (the whole OpenAPI description): asked by one
# role only; the anonymous walk still covers it.
ONE_ROLE_ONLY = frozenset({"api:schema"})

# Account management, page by page: who may open it. A page missing here fails the test.
MANAGE: dict[str, frozenset[str]] = {
    "manage:user_list": frozenset({SYS, SEC}),
    "manage:user": frozenset({SYS, SEC}),
    "manage:user_add": frozenset({SYS}),
    "manage:user_edit": frozenset({SYS}),
    "manage:user_password": frozenset({SYS}),
    "manage:user_active": frozenset({SYS}),
    "manage:user_reset_confirm": frozenset({SYS, SEC}),
    "manage:user_reset_cancel": frozenset({SYS, SEC}),
    "manage:user_access": frozenset({SEC}),
    "manage:user_unlock": frozenset({SEC}),
    "manage:lockouts": frozenset({SEC}),
    "manage:policy": frozenset({SEC}),
    "manage:lookup_regions": frozenset({SEC}),
    "manage:lookup_organizations": frozenset({SEC}),
    "api:accounts:user-list": frozenset({SYS, SEC}),
    "api:accounts:user-detail": frozenset({SYS, SEC}),
}
MANAGE_NAMESPACES = ("manage", "api:accounts")

ALLOWED = "allowed"  # 200, a redirect but to the login page, 400 (wants parameters), 405
REFUSED = "refused"  # 403, or 404 (out of scope, ids don't leak)
REACHABLE = "reachable"  # allowed, or 404 (someone else's session or token): never 403
NO_ERROR = "no error"  # allowed or refused, no 5xx (rules of the view are its own)


@dataclass
class Endpoint:
    name: str  # namespaced URL name ("" when the pattern has none)
    route: str  # the pattern as written, for messages
    params: list[str]
    callback: Any
    namespace: str
    url: str = ""
    model: type[models.Model] | None = None
    action: str = "view"
    obj: models.Model | None = None
    generic: bool = False
    rights_by_service: bool = False
    notes: list[str] = field(default_factory=list)


def walk(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "", params=()):
    """Every leaf pattern of the URLconf, with its namespace and all its path parameters."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        names = list(_param_names(pattern.pattern))
        if isinstance(pattern, URLResolver):
            ns = ":".join(p for p in (namespace, pattern.namespace) if p)
            yield from walk(pattern, prefix + str(pattern.pattern), ns, (*params, *names))
        elif isinstance(pattern, URLPattern):
            name = ":".join(p for p in (namespace, pattern.name) if p) if pattern.name else ""
            yield Endpoint(
                name=name,
                route=prefix + str(pattern.pattern),
                params=[*params, *names],
                callback=pattern.callback,
                namespace=namespace,
            )


def _param_names(pattern) -> list[str]:
    # Route and regex patterns alike compile to a regex with one named group per parameter.
    return list(pattern.regex.groupindex)


def _route_to_path(route: str, values: dict[str, str]) -> str:
    """A path from a pattern without a name: parameters substituted, regex anchors dropped."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def view_class(callback):
    return getattr(callback, "view_class", None) or getattr(callback, "cls", None)


class URLMatrixTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.world = world = build_world()
        a = world.a
        cls.accounts = {
            Role.BUREAU_ADMIN: make_user("m_bureau", [Role.BUREAU_ADMIN], scope_region=a.region),
            Role.UNIT_ADMIN: make_user("m_unit", [Role.UNIT_ADMIN], scope_organization=a.org),
            Role.SURVEYOR: make_user("m_surveyor", [Role.SURVEYOR], scope_region=a.region),
            Role.SUPERVISOR: make_user("m_supervisor", [Role.SUPERVISOR], scope_region=a.region),
            Role.LEADER: make_user("m_leader", [Role.LEADER], scope_region=a.region),
            SYS: make_user("m_sys", [SYS]),
            SEC: make_user("m_sec", [SEC]),
            AUDIT: make_user("m_audit", [AUDIT]),
        }
        cls.account = User.objects.create_user("m_clerk", PASSWORD, name="职员")
        # So that the pages about a pending reset of an administrator's password have one.
        PendingPasswordReset.objects.create(
            user=cls.account, password="x", requested_by=cls.accounts[SYS]
        )
        cls.entry = record_event(actor=None, event="test.matrix", data={"n": 1})
        sync_jobs()  # the schedule's rows, one per registered periodic job

    # Endpoints ---------------------------------------------------------------------------------
    def endpoints(self) -> list[Endpoint]:
        result = []
        for endpoint in walk():
            self.describe(endpoint)
            result.append(endpoint)
        self.assertGreater(len(result), 50)
        return result

    def describe(self, endpoint: Endpoint) -> None:
        """The endpoint's model, action and object, and its URL with parameters filled."""
        cls = view_class(endpoint.callback)
        queryset = getattr(cls, "queryset", None)
        if endpoint.namespace in MANAGE_NAMESPACES:
            endpoint.model = User
        elif isinstance(queryset, models.QuerySet):
            endpoint.model = queryset.model
        # Views whose rules are known: permission from the role table, objects from restrict().
        endpoint.generic = isinstance(cls, type) and issubclass(
            cls, BaseObjectView | ScopedViewSetMixin
        )
        endpoint.rights_by_service = getattr(cls, "rights_by_service", False)
        if isinstance(cls, type) and issubclass(cls, ObjectEditView):
            endpoint.action = "change" if "pk" in endpoint.params else "add"
        elif isinstance(cls, type) and issubclass(cls, BaseObjectView):
            endpoint.action = cls.action
        values = {}
        for param in endpoint.params:
            if param == "pk":
                endpoint.obj = self.object_for(endpoint.model)
                values[param] = str(endpoint.obj.pk) if endpoint.obj is not None else "999999"
            else:
                value = getattr(endpoint.obj, param, None) if endpoint.obj is not None else None
                # A parameter the object does not name: a value its converter takes.
                blank = "1" if f"<int:{param}>" in str(endpoint.route) else "x"
                values[param] = str(value) if value not in (None, "") else blank
        if endpoint.name:
            endpoint.url = reverse(endpoint.name, kwargs=values)
        else:
            endpoint.url = _route_to_path(endpoint.route, values)

    def object_for(self, model: type[models.Model] | None) -> models.Model | None:
        if model is None:
            return None
        if model is User:
            return self.account
        if model is ObjectChange:
            return self.entry
        bureau = self.accounts[Role.BUREAU_ADMIN]
        if hasattr(model.objects, "restrict"):
            visible = model.objects.restrict(bureau, "view").order_by("pk").first()
            if visible is not None:
                return visible
        return model._default_manager.order_by("pk").first()

    # Expectations ------------------------------------------------------------------------------
    def area(self, endpoint: Endpoint) -> str:
        name = endpoint.name
        if name in PUBLIC:
            return "public"
        if name in LANDING:
            return "landing"
        if name in OWN_API:
            return "own"
        if endpoint.namespace in MANAGE_NAMESPACES:
            return "manage"
        if endpoint.namespace in AUDIT_NAMESPACES:
            if (name or "").rpartition(":")[2].startswith(CALENDAR_NAMES):
                return "business"
            return "audit"
        if endpoint.namespace in SCHEDULER_NAMESPACES:
            return "schedule"
        if endpoint.namespace == "accounts":
            return "own"
        return "business"

    def expected(self, endpoint: Endpoint, role: str, user: User) -> str:
        area = self.area(endpoint)
        if area == "public":
            return NO_ERROR
        if area == "landing":
            return ALLOWED
        if area == "own":
            return REACHABLE
        if area == "manage":
            self.assertIn(endpoint.name, MANAGE, f"{endpoint.route}: declare who may open it")
            return ALLOWED if role in MANAGE[endpoint.name] else REFUSED
        if area == "audit":
            return ALLOWED if role == AUDIT else REFUSED
        if area == "schedule":
            return ALLOWED if role == SYS else REFUSED
        # Business data.
        if role in ADMINS:
            return REFUSED
        if not (endpoint.generic and endpoint.model is not None):
            return NO_ERROR
        if endpoint.rights_by_service:
            return NO_ERROR  # the view asks its app's services (tested there), not the role table
        if endpoint.model._meta.app_label not in endpoint.namespace.split(":"):
            return NO_ERROR  # another app's view of the model: its rules are its own
        if not user.has_model_perm(endpoint.model, endpoint.action):
            return REFUSED
        if "pk" in endpoint.params:
            if endpoint.obj is None:
                return NO_ERROR  # nothing of this kind exists to be shown
            visible = endpoint.model.objects.restrict(user, endpoint.action)
            if not visible.filter(pk=endpoint.obj.pk).exists():
                return REFUSED
        return ALLOWED

    @staticmethod
    def satisfies(expected: str, response, login_url: str) -> bool:
        status = response.status_code
        redirect = status in (301, 302, 303, 307, 308)
        if redirect and response["Location"].startswith(login_url):
            return False  # a signed-in account is never sent back to the login page
        # 400: the page was reached and wants parameters; 405: it is not a GET page.
        allowed = status in (200, 204, 400, 405) or redirect
        refused = status in (403, 404)
        if expected == ALLOWED:
            return allowed
        if expected == REFUSED:
            return refused
        if expected == REACHABLE:
            return allowed or status == 404
        return allowed or refused

    # The matrix --------------------------------------------------------------------------------
    def test_every_role_reaches_exactly_its_part(self):
        endpoints = self.endpoints()
        login_url = reverse("accounts:login")
        failures = []
        for role, user in self.accounts.items():
            self.client.force_login(user)
            for endpoint in endpoints:
                if endpoint.name in ONE_ROLE_ONLY and role != AUDIT:
                    continue
                response = self.client.get(endpoint.url)
                expected = self.expected(endpoint, role, user)
                if not self.satisfies(expected, response, login_url):
                    failures.append(
                        f"{role:<12} GET {endpoint.url} ({endpoint.name or endpoint.route}): "
                        f"expected {expected}, got {response.status_code}"
                    )
                if "_auth_user_id" not in self.client.session:
                    self.client.force_login(user)  # a page ended the session: sign in again
        self.assertEqual(failures, [], "\n" + "\n".join(failures))

    def test_business_roles_never_reach_account_management_or_the_audit_log(self):
        # The same rule as the matrix, stated on its own: nothing of either area for them.
        endpoints = [e for e in self.endpoints() if self.area(e) in ("manage", "audit")]
        self.assertTrue(any(e.namespace == "manage" for e in endpoints))
        self.assertTrue(any(e.namespace == "framework" for e in endpoints))
        for role in BUSINESS_ROLES:
            self.client.force_login(self.accounts[role])
            for endpoint in endpoints:
                status = self.client.get(endpoint.url).status_code
                self.assertIn(status, (403, 404), f"{role} GET {endpoint.url}")

    def test_anonymous_is_refused_everywhere_but_login(self):
        login_url = reverse("accounts:login")
        failures = []
        for endpoint in self.endpoints():
            response = self.client.get(endpoint.url)
            if endpoint.name in PUBLIC:
                self.assertLess(response.status_code, 500, endpoint.url)
                continue
            refused = response.status_code in (401, 403) or (
                response.status_code == 302 and response["Location"].startswith(login_url)
            )
            if not refused:
                failures.append(f"GET {endpoint.url}: {response.status_code}")
        self.assertEqual(failures, [], "\n" + "\n".join(failures))
        self.assertEqual(self.client.get(login_url).status_code, 200)
