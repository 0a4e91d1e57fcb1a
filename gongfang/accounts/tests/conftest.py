"""Accounts and a browser-like client for the authentication tests.

These tests sign in through the real login form (see the root conftest: ``real_auth``).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ...framework.models import ObjectChange
from ...registry.tests import factories as f
from ..models import User
from ..roles import Role

PASSWORD = "Strong#Pass2026"
ADDRESS = "10.1.2.3"


def make_account(username: str, role: str | None, **fields) -> User:
    scope = {}
    if role in (Role.BUREAU_ADMIN, Role.LEADER, Role.SUPERVISOR, Role.SURVEYOR):
        scope["scope_region"] = f.RegionFactory(code="370400", name="枣庄市")
    elif role == Role.UNIT_ADMIN:
        scope["scope_organization"] = f.OrganizationFactory()
    user = User.objects.create_user(
        username, PASSWORD, name=username, roles=[role] if role else [], **scope
    )
    if fields:
        for key, value in fields.items():
            setattr(user, key, value)
        user.save()
    return user


def browser(address: str = ADDRESS, agent: str = "Mozilla/5.0 测试浏览器") -> Client:
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)


def login(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password, **extra}
    )


def reaches_home(client: Client) -> bool:
    """The signed-in client gets the home page — or, for a role whose home is elsewhere (the
    leader's to-do list), a redirect there, never to a step of signing in."""
    response = client.get(reverse("home"))
    if response.status_code == 200:
        return True
    steps = ("/accounts/", reverse("accounts:login"))
    return response.status_code == 302 and not response["Location"].startswith(steps)


def events(name: str, **filters):
    return ObjectChange.objects.filter(action=ObjectChange.Action.EVENT, event=name, **filters)


@pytest.fixture
def leader(db) -> User:
    return make_account("leader1", Role.LEADER)


@pytest.fixture
def unit_user(db) -> User:
    return make_account("unit1", Role.UNIT_ADMIN)


@pytest.fixture
def client_a() -> Client:
    return browser()
