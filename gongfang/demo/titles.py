"""Titles (权属) and use certificates (使用权证) of the demo city, written through the ``titles``
services by the 枣庄市 bureau on past days: buildings with a 不动产权证 (some held centrally by
the bureau), 备案, 权属不清 and 争议; use certificates for the rooms of a few organizations. They
are issued before the cases run, so a case that moves a certified room (an allocation, a
disposal) revokes its certificate, as in real use."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q

from ..framework.services import service_for
from ..registry.models import Building, Compound, Organization, Room
from ..titles.choices import TitleKind
from ..titles.models import Title, UseCertificate
from ..titles.services import UNCERTIFIABLE_STATUSES, issue_certificate
from .story import on_day, working_days_back

KINDS = (TitleKind.CERTIFICATE, TitleKind.CERTIFICATE, TitleKind.FILING, TitleKind.UNCLEAR)


def build_titles(*, users: dict[str, Any], today: datetime.date, profile: str) -> list[str]:
    bureau = users.get("zz_bureau")
    if bureau is None:
        return []
    refused: list[str] = []
    titles = certificates = 0
    small = profile == "small"
    # Compounds in the small city (a building's title changes the building's 权属状态, which the
    # registry's tests of the small city compare with its plan); buildings in the others.
    if small:
        properties = list(
            Compound.objects.restrict(bureau, "view")
            .filter(owner_org__isnull=False)
            .order_by("pk")[:2]
        )
    else:
        properties = list(
            Building.objects.restrict(bureau, "view")
            .filter(compound__owner_org__isnull=False)
            .select_related("compound__owner_org")
            .order_by("pk")[:16]
        )
    for n, place in enumerate(properties):
        kind = TitleKind.DISPUTED if n % 7 == 6 else KINDS[n % len(KINDS)]
        compound = place if isinstance(place, Compound) else place.compound
        issued = working_days_back(today, 200 + 10 * n)
        data = {
            "compound" if small else "building": place,
            "kind": kind,
            "holder": compound.owner_org,
            "held_centrally": kind == TitleKind.CERTIFICATE and n % 3 == 0,
            "area": getattr(place, "building_area", None) or None,
            "issued_on": issued if kind in (TitleKind.CERTIFICATE, TitleKind.FILING) else None,
            "certificate_number": (
                f"鲁（{issued.year}）枣庄市不动产权第{2000 + n:07d}号"
                if kind == TitleKind.CERTIFICATE
                else (f"枣房备〔{issued.year}〕{n + 1}号" if kind == TitleKind.FILING else "")
            ),
            "source_document": "不动产登记簿" if kind == TitleKind.CERTIFICATE else "",
            "note": "原划拨土地，待补办手续" if kind == TitleKind.UNCLEAR else "",
        }
        if kind == TitleKind.DISPUTED:
            data["note"] = "与原产权单位就产权归属存在争议，正在协调。"
        try:
            with on_day(issued):
                service_for(Title).create(actor=bureau, data=data)
            titles += 1
        except (ValidationError, PermissionDenied) as exc:
            refused.append(f"权属登记“{place}”：{'；'.join(_messages(exc))}")

    unit = users.get("unit_admin")
    holders: list[Organization] = []
    if unit is not None and unit.scope_organization_id:
        holders.append(unit.scope_organization)
    if not small:
        busiest = (
            Organization.objects.filter(status="active", region__code="370400")
            .exclude(pk__in=[h.pk for h in holders])
            .annotate(n=Count("rooms", filter=~Q(rooms__status__in=UNCERTIFIABLE_STATUSES)))
            .filter(n__gt=0)
            .order_by("-n", "pk")[:5]
        )
        holders += list(busiest)
    for n, organization in enumerate(holders):
        rooms = list(
            Room.objects.filter(organization=organization)
            .exclude(status__in=UNCERTIFIABLE_STATUSES)
            .values_list("pk", flat=True)
        )
        if not rooms:
            continue
        issued = working_days_back(today, 60 + 5 * n)
        try:
            with on_day(issued):
                issue_certificate(
                    actor=bureau,
                    organization=organization,
                    rooms=rooms,
                    issued_on=issued,
                    note="依据办公用房清查核实结果核发。",
                )
            certificates += 1
        except (ValidationError, PermissionDenied) as exc:
            refused.append(f"使用权证“{organization}”：{'；'.join(_messages(exc))}")
    lines = [f"权属登记 {titles} 项，使用权证 {certificates} 份"]
    return lines + [f"未能写入：{line}" for line in refused]


def _messages(exc: Exception) -> list[str]:
    return exc.messages if isinstance(exc, ValidationError) else [str(exc)]


def flush_titles() -> int:
    deleted = UseCertificate.objects.all().delete()[0]
    return deleted + Title.objects.all().delete()[0]
