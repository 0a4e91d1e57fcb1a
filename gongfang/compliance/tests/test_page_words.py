"""What the warning and room pages say in words (issue 10, points 11 and 13): no mode code in a
warning's history, an area equal to its limit is "等于标准", and a warning already 整改中 is not
offered "开始整改" again."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from ..models import Mode, State, Warning
from ..selectors import history
from ..services import transition


def room_card(**figures) -> str:
    explanation = {
        "occupants": [],
        "judgeable": True,
        "tolerance": Decimal("0.00"),
        "version": "国家标准",
        **figures,
    }
    return render_to_string("compliance/includes/room_card.html", {"explanation": explanation})


@pytest.mark.parametrize(
    ("actual", "words", "figure"),
    [
        ("36.00", "等于标准，未超标", "—"),
        ("30.00", "低于标准，未超标", "6.00"),
        ("36.50", "超出标准，但在容差 1.00 m² 以内，未超标", "0.50"),
        ("40.00", "超出标准", "4.00"),
    ],
)
def test_room_card_words_for_the_area_against_its_limit(actual, words, figure):
    limit, tolerance = Decimal("36.00"), Decimal("1.00")
    actual = Decimal(actual)
    excess = actual - limit
    html = room_card(
        actual=actual,
        limit=limit,
        excess=excess,
        below=-excess if excess < 0 else None,
        over=actual > limit + tolerance,
        tolerance=tolerance,
        occupants=[{"name": "张三", "primary": True, "limit": limit}],
    )
    verdict = html.split("房间使用面积")[1]
    assert words in verdict
    assert "−" not in verdict  # no "36.00 − 36.00" formula
    assert f'<td class="gf-num">{figure}</td>' in verdict


def test_history_names_the_mode_and_rectifying_offers_a_change_not_a_start(client, world, bureau_a):
    warning = Warning.objects.get(room=world.a.room)
    bureau = bureau_a
    transition(
        actor=bureau,
        warning=warning,
        action="rectify",
        mode=Mode.DEADLINE,
        deadline=datetime.date.today() + datetime.timedelta(days=10),
    )
    rows = history(warning)
    assert rows[0]["mode"] == "限期整改"
    warning.refresh_from_db()
    assert warning.state == State.RECTIFYING
    client.force_login(bureau)
    page = client.get(reverse("compliance:warning", args=[warning.pk])).content.decode()
    assert "整改方式：限期整改" in page
    assert "整改方式：deadline" not in page
    # Accounts as every change log names them; the system's own writes as 系统.
    assert f'<td class="text-nowrap">{bureau.username}</td>' not in page
    assert f"（{bureau.username}）</td>" in page or not bureau.name
    assert '<td class="text-nowrap">system</td>' not in page
    assert "修改整改方式或期限" in page
    assert '<h3 class="card-title">开始整改</h3>' not in page
    assert '<button type="submit" class="btn btn-primary">开始整改</button>' not in page
    assert '<h3 class="card-title">修改整改方式或期限</h3>' in page
