"""What a case kind contributes to the engine: its form, subjects, preview and effects.

The engine (``workflow``) knows no kind; the apps above it (``cases``) register one
:class:`KindSpec` per kind at start-up. The engine calls the spec to validate a payload, to list
the objects touched, to show every approver the exact changes, and, on final approval, to apply
them in the approval's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from django import forms
    from django.db import models

    from .models import Case


@dataclass(frozen=True)
class SubjectRef:
    """An object a case touches (a room, building, compound, organization, person or warning)."""

    obj: models.Model
    label: str = ""


@dataclass(frozen=True)
class Change:
    """One line of a preview: what applying will do to one field of one object.

    ``operation`` is "create", "update" or "delete"; for create/delete ``field`` may be "" and
    ``after``/``before`` a description of the object.
    """

    model: str  # verbose name: 房间
    label: str  # the object: 行政中心 A 座 3 层 301
    field: str  # verbose name of the field: 使用单位
    before: str
    after: str
    operation: str = "update"
    url: str = ""


@dataclass(frozen=True)
class Drafted:
    """A payload validated by the kind's form: what the engine stores on the case."""

    payload: dict[str, Any]
    title: str
    subjects: list[SubjectRef]
    counterparty: models.Model | None = None
    effective_on: Any = None  # datetime.date | None


class KindSpec(Protocol):
    kind: str

    def form_class(self) -> type[forms.Form]:
        """The form that edits the payload (pages); the API validates through it too."""

    def draft(self, *, actor, applicant, data: dict[str, Any]) -> Drafted:
        """Validate ``data`` (raise ValidationError naming the field) and say what it touches."""

    def preview(self, case: Case) -> list[Change]:
        """Exactly what applying will change now, without changing anything."""

    def problems(self, case: Case) -> list[str]:
        """Why the effects could not be applied now (data changed meanwhile), in Chinese."""

    def apply(self, *, actor, case: Case) -> dict[str, Any]:
        """Apply the effects through the registry's services; return a record of what changed.

        Called inside the final approval's transaction; raise ValidationError to stop it.
        """


@dataclass
class KindRegistry:
    specs: dict[str, KindSpec] = field(default_factory=dict)

    def register(self, spec: KindSpec) -> KindSpec:
        self.specs[spec.kind] = spec
        return spec

    def get(self, kind: str) -> KindSpec:
        from django.core.exceptions import ValidationError

        try:
            return self.specs[kind]
        except KeyError:
            raise ValidationError({"kind": "该审批事项类型尚未开通。"}) from None

    def __contains__(self, kind: str) -> bool:
        return kind in self.specs


KINDS = KindRegistry()
register_kind = KINDS.register
