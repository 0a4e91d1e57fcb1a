"""The audit log's table fits its card beside the filters at 1440 px: the last column (结果) is
never cut (issue 10, point 13), however long the account and object names."""

from __future__ import annotations

import re

import pytest

from gongfang.accounts.models import User
from gongfang.accounts.otp import current_code, provision_device
from gongfang.accounts.roles import Role
from gongfang.framework.changelog import record_event

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Xk9#mPq2w!"


def test_the_result_column_is_in_view_at_1440_px(live_server, page):
    auditor = User.objects.create_user("auditor", PASSWORD, name="审计员", roles=[Role.AUDIT_ADMIN])
    device = provision_device(user=auditor)
    long_name = User.objects.create_user(
        "a_rather_long_account_name", PASSWORD, name="欧阳某某某某某某"
    )
    for n in range(5):
        record_event(
            actor=long_name,
            event="auth.otp_verify",
            obj=long_name,
            data={"n": n},
        )
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "auditor")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/2fa/verify/"))
    page.fill("input[name=token]", current_code(device))
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/changelog/")
    page.locator("table").first.wait_for()
    sizes = page.evaluate(
        """() => {
          const table = document.querySelector('table');
          const box = table.closest('.table-responsive') || table.parentElement;
          const last = table.querySelector('thead th:last-child').getBoundingClientRect();
          return {table: table.scrollWidth, box: box.clientWidth,
                  right: last.right, boxRight: box.getBoundingClientRect().right,
                  header: table.querySelector('thead th:last-child').textContent.trim()};
        }"""
    )
    assert "结果" in sizes["header"]
    assert sizes["table"] <= sizes["box"], sizes
    assert sizes["right"] <= sizes["boxRight"] + 0.5, sizes
