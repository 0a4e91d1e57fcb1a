"""Receipts (回执): a PDF acknowledgement of a case's submission or of a decision on it.

``receipt_pdf(case, action)`` renders ``workflow/receipt.html`` (A4, Noto Sans CJK SC, page
numbers; framework.pdf): the case's number, kind, applicant, counterparty and subjects, the
content hash taken at submission, the content as the kind's form names it, and the one history
entry the receipt is for — what was done at which step, by whom, when (local time), with the
comment, and the e-signature (signer, time, confirmation, hashed content) when there is one.
:class:`ReceiptView` serves it to accounts that may see the case (``Case.objects.restrict``),
404 for any other.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.utils import timezone
from django.views import View

from ..framework import clock
from ..framework.pdf import pdf_response, render_pdf
from ..framework.text import is_number
from .choices import Action
from .kinds import KINDS
from .models import Case, CaseAction

# The history entries that have a receipt: submissions and decisions.
RECEIPT_ACTIONS = frozenset(
    {Action.SUBMIT, Action.RESUBMIT, Action.APPROVE, Action.RETURN, Action.REJECT}
)
# How a signer's identity was confirmed (workflow.signing), as a reader reads it.
METHOD_LABELS = {"password+totp": "登录密码 + 动态口令"}


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else "—"


def _person(user) -> str:
    if user is None:
        return "系统"
    name = getattr(user, "name", "") or ""
    return f"{name}（{user.username}）" if name and name != user.username else user.username


def _shown(field: forms.Field | None, value: Any) -> str:
    """A payload value as the kind's form labels it (objects by name, choices by label)."""
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    values = value if isinstance(value, list) else [value]
    if isinstance(field, forms.ModelChoiceField):
        model = field.queryset.model
        ids = [v for v in values if is_number(str(v))]
        found = {str(o.pk): str(o) for o in model._base_manager.filter(pk__in=ids)}
        return "、".join(found.get(str(v), "（已删除）") for v in values)
    choices = getattr(field, "choices", None) if field is not None else None
    if choices:
        labels = {str(k): str(v) for k, v in choices if not isinstance(v, list | tuple)}
        return "、".join(labels.get(str(v), str(v)) for v in values)
    if isinstance(value, dict):
        return "；".join(f"{k}：{v}" for k, v in value.items())
    return "、".join(str(v) for v in values)


def payload_rows(case: Case) -> list[tuple[str, str]]:
    """(label, value) of the case's content, named by its kind's form; keys the form does not
    label (hidden bookkeeping) are left out."""
    try:
        fields = KINDS.get(case.kind).form_class().base_fields
    except Exception:  # the kind is not registered: nothing to name the keys by
        return []
    rows = []
    for name, value in (case.payload or {}).items():
        field = fields.get(name)
        if field is None or not field.label or isinstance(field.widget, forms.HiddenInput):
            continue
        rows.append((str(field.label), _shown(field, value)))
    return rows


def receipt_context(case: Case, action: CaseAction) -> dict[str, Any]:
    signature = action.signature
    subjects = [
        {
            "kind": str(s.target._meta.verbose_name) if s.target is not None else "对象",
            "label": s.label,
        }
        for s in case.subjects.all()
    ]
    is_submission = action.action in (Action.SUBMIT, Action.RESUBMIT)
    return {
        "case": case,
        "action": action,
        "is_submission": is_submission,
        "heading": "受理回执" if is_submission else "办理回执",
        "receipt_number": f"{case.number or case.pk}-{action.pk}",
        "subjects": subjects,
        "payload": payload_rows(case),
        "actor": _person(action.actor),
        "at": _local(action.at),
        "submitted_at": _local(case.submitted_at),
        "created_by": _person(case.created_by),
        "signature": signature,
        "signer": _person(signature.signer) if signature else "",
        "signed_at": _local(signature.signed_at) if signature else "",
        "method": METHOD_LABELS.get(signature.method, "电子签批") if signature else "",
        "printed_at": _local(clock.now()),
    }


def receipt_pdf(case: Case, action: CaseAction) -> bytes:
    """The receipt of ``action`` (a submission or a decision of ``case``) as PDF bytes."""
    if action.case_id != case.pk or action.action not in RECEIPT_ACTIONS:
        raise ValueError("receipts are given for submissions and decisions of the case only")
    return render_pdf("workflow/receipt.html", receipt_context(case, action))


class ReceiptView(LoginRequiredMixin, View):
    """``workflow:case_receipt`` (case pk, action pk): the receipt, for whoever sees the case."""

    def get(self, request, pk: int, action: int):
        case = (
            Case.objects.restrict(request.user, "view")
            .select_related("applicant", "counterparty", "region", "created_by")
            .filter(pk=pk)
            .first()
        )
        if case is None:
            raise Http404("没有找到该审批事项。")
        entry = (
            case.actions.select_related("actor", "signature__signer")
            .filter(pk=action, action__in=RECEIPT_ACTIONS)
            .first()
        )
        if entry is None:
            raise Http404("该办理记录没有回执。")
        name = f"回执-{case.number or case.pk}-{entry.pk}.pdf"
        return pdf_response(receipt_pdf(case, entry), name)
