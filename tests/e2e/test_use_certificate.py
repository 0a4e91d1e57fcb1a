"""A bureau administrator issues a use certificate from an organization's page; its QR code
shows; the public verification page (no login) says 有效, and 已注销 once a certified room moves to
another organization."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from gongfang.accounts.roles import Role
from gongfang.framework.services import service_for
from gongfang.registry.models import Room
from gongfang.registry.tests import factories as f
from gongfang.registry.tests.world import build_world, make_user
from gongfang.titles.models import UseCertificate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user) -> None:
    """The session of a signed-in account (password and second factor passed), in the browser."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_issue_verify_and_revoke_a_use_certificate(live_server, page):
    world = build_world()
    a = world.a
    spare = f.RoomFactory(floor=a.floor, number="102", organization=a.org)
    bureau = make_user("e2e_bureau", [Role.BUREAU_ADMIN], scope_region=a.region)
    sign_in(page, live_server, bureau)

    page.goto(live_server.url + a.org.get_absolute_url())
    page.get_by_role("link", name="签发使用权证").click()
    page.wait_for_url(re.compile(r"/titles/certificates/issue/\?organization="))
    # The organization's rooms in use and not yet certified, all ticked.
    boxes = page.locator("input[name=rooms]")
    assert boxes.count() == 2
    page.locator(f"input[name=rooms][value='{spare.pk}']").uncheck()
    page.get_by_role("button", name="签发").click()
    page.wait_for_url(re.compile(r"/titles/certificates/\d+/$"))
    assert "已签发使用权证" in page.content()

    certificate = UseCertificate.objects.get()
    assert list(certificate.rooms.all()) == [a.room]
    qr = page.locator("img[alt=核验二维码]")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    pdf = page.request.get(f"{live_server.url}/titles/certificates/{certificate.pk}/pdf/")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"

    # Anyone who scans the code: no login, the certificate's state.
    page.context.clear_cookies()
    verify = f"{live_server.url}/verify/certificate/{certificate.verify_token}/"
    page.goto(verify)
    assert page.locator(".badge", has_text="有效").is_visible()
    assert certificate.number in page.content()

    # The certified room moves to the sub-unit: the certificate is revoked with that write.
    service_for(Room).update(actor=bureau, instance=a.room, data={"organization": a.sub_org})
    page.goto(verify)
    assert page.locator(".badge", has_text="已注销").is_visible()
