"""What cases tells compliance (registered in ``CasesConfig.ready``): the approvals R8 reads,
and the handler that sends a bureau admin's 暂不整改 / 备案 to approval."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch

from ..compliance.facts import CHANGED_USE, LEASED_OUT, LENT, ApprovedUseFact
from ..compliance.hooks import WaiverRequest
from ..workflow.choices import EDITABLE_STATES, PENDING_STATES, CaseKind, CaseState
from ..workflow.models import Case
from .models import ApprovedUse, Use

CHUNK = 500
R8_USES = {Use.LENT: LENT, Use.LEASED_OUT: LEASED_OUT, Use.CHANGED_USE: CHANGED_USE}


def approved_room_uses(room_ids: list[int], today: datetime.date) -> Iterator[ApprovedUseFact]:
    """The approvals of 出借 / 出租 / 用途变更 recorded for the rooms by approved cases (the
    term as granted, shortened by a later case that ended it)."""
    rows = ApprovedUse.objects.filter(
        use__in=list(R8_USES), case__state__in=(CaseState.APPROVED, CaseState.APPLIED)
    ).order_by()
    wanted = None
    if len(room_ids) <= CHUNK:
        rows = rows.filter(room_id__in=room_ids)
    else:
        # A scan batch: approvals are few beside the rooms, one read of them all is cheaper
        # than a query per few hundred rooms.
        wanted = set(room_ids)
    fields = ("room_id", "use", "starts_on", "ends_on", "ended_on", "case__number")
    for room_id, use, starts_on, ends_on, ended_on, number in rows.values_list(*fields):
        if wanted is not None and room_id not in wanted:
            continue
        if ended_on is not None:
            ends_on = min(ends_on, ended_on) if ends_on else ended_on
        yield ApprovedUseFact(
            room_id=room_id,
            use=R8_USES[use],
            starts_on=starts_on,
            ends_on=ends_on,
            reference=number,
        )


def request_waiver(*, actor, warning, action: str, reason: str) -> WaiverRequest:
    """A bureau admin's 暂不整改 / 备案 of ``warning``: a warning_waiver case, submitted."""
    from ..workflow.services import create_case, submit_case
    from .kinds.waiver import applicant_of

    pending = (
        Case.objects.filter(
            kind=CaseKind.WARNING_WAIVER,
            subjects__warning=warning,
            state__in=(*PENDING_STATES, *EDITABLE_STATES),
        )
        .order_by("pk")
        .first()
    )
    if pending is not None:
        raise ValidationError(
            f"该预警已有未办结的暂不整改 / 备案申请（{pending}），请等待审批结果或撤回后再申请。"
        )
    applicant = applicant_of(warning)
    if applicant is None:
        raise ValidationError("该预警没有所属单位，无法提交暂不整改 / 备案审批。")
    case = create_case(
        actor=actor,
        kind=CaseKind.WARNING_WAIVER,
        applicant=applicant,
        data={"warning": warning.pk, "action": action, "reason": reason},
    )
    case = submit_case(actor=actor, case=case)
    try:
        url = case.get_absolute_url()
    except NoReverseMatch:
        url = ""
    return WaiverRequest(number=case.number, url=url, obj=case)


def room_use_actions(user, obj):
    """On a room's page: its approved uses (出借、出租、租用、用途变更), when it has any."""
    from django.urls import reverse
    from django.utils.http import urlencode

    from ..framework.objectactions import ObjectAction
    from ..registry.models import Room

    if type(obj) is not Room or not user.has_model_perm(ApprovedUse, "view"):
        return []
    count = ApprovedUse.objects.restrict(user, "view").filter(room=obj).count()
    if not count:
        return []
    url = f"{reverse('cases:approveduse_list')}?{urlencode({'room': obj.pk})}"
    return [ObjectAction(f"经批准的用途（{count}）", url, "checklist")]
