"""Personal data (DESIGN §6): phone and ID numbers are masked unless the role needs them.

The whole rule is here: which fields are personal (:data:`PERSONAL_FIELDS`) and, for each place
a value is shown (:class:`Where`), which roles see it in full (:data:`FULL_VIEW`). Anything not
listed is masked: lists, exports, API lists and the audit trail mask for every role, since no
one's work needs phone numbers in bulk; the people who keep a record current see it in full on
its own page. Tables, serializers, exports and the attribute cards all ask :func:`shown`.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models

from ..accounts.roles import Role


class Where(StrEnum):
    LIST = "list"  # list pages
    EXPORT = "export"  # files: list and audit exports
    API_LIST = "api_list"  # API list endpoints
    DETAIL = "detail"  # an object's own page, its history included
    API_DETAIL = "api_detail"  # one object through the API (and the answer to a write)
    AUDIT = "audit"  # the audit log's pages and API
    LEDGER = "ledger"  # ledger workbooks made to be imported again (gongfang/ledger)


class Kind(StrEnum):
    PHONE = "phone"
    ID_NUMBER = "id_number"


# "app_label.model_name" -> {field name: kind}
PERSONAL_FIELDS: dict[str, dict[str, Kind]] = {
    "registry.person": {"phone": Kind.PHONE},
    "accounts.user": {"phone": Kind.PHONE},
    "vehicles.driver": {"phone": Kind.PHONE},
}

# ("app_label.model_name", where) -> roles that see personal fields in full there.
FULL_VIEW: dict[tuple[str, Where], frozenset[str]] = {
    # Those who keep a person's record see it on the person's page; supervisor, leader and
    # surveyor never need the numbers.
    ("registry.person", Where.DETAIL): frozenset({Role.BUREAU_ADMIN, Role.UNIT_ADMIN}),
    ("registry.person", Where.API_DETAIL): frozenset({Role.BUREAU_ADMIN, Role.UNIT_ADMIN}),
    # A ledger exported to be imported again (moving a unit's data, a round trip through Excel)
    # must carry the numbers, or the import would overwrite them with masks; its export is
    # audited like every export.
    ("registry.person", Where.LEDGER): frozenset({Role.BUREAU_ADMIN, Role.UNIT_ADMIN}),
    # A unit's drivers are reached by those who dispatch them, on the driver's page.
    ("vehicles.driver", Where.DETAIL): frozenset({Role.BUREAU_ADMIN, Role.UNIT_ADMIN}),
    ("vehicles.driver", Where.API_DETAIL): frozenset({Role.BUREAU_ADMIN, Role.UNIT_ADMIN}),
    # The system administrator keeps accounts' contact data.
    ("accounts.user", Where.DETAIL): frozenset({Role.SYS_ADMIN}),
    ("accounts.user", Where.API_DETAIL): frozenset({Role.SYS_ADMIN}),
}


def model_key(model: type[models.Model] | models.Model) -> str:
    meta = model._meta
    return f"{meta.app_label}.{meta.model_name}"


def personal_fields(model: type[models.Model] | models.Model) -> dict[str, Kind]:
    return PERSONAL_FIELDS.get(model_key(model), {})


def sees_full(user, model: type[models.Model] | models.Model, where: Where) -> bool:
    """Whether ``user`` sees ``model``'s personal fields unmasked ``where``."""
    roles = FULL_VIEW.get((model_key(model), Where(where)), frozenset())
    return bool(roles) and any(role in roles for role in getattr(user, "roles", ()) or ())


def mask_phone(value: str) -> str:
    """138****5678: the first three and the last four digits of a mobile number."""
    if len(value) <= 4:
        return "*" * len(value)
    keep = 3 if len(value) >= 8 else 1
    return value[:keep] + "*" * (len(value) - keep - 4) + value[-4:]


def mask_id_number(value: str) -> str:
    """370481********123X: region code and the last four characters of an ID number."""
    if len(value) <= 2:
        return "*" * len(value)
    if len(value) <= 10:
        return value[0] + "*" * (len(value) - 2) + value[-1]
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


MASKERS = {Kind.PHONE: mask_phone, Kind.ID_NUMBER: mask_id_number}


def mask(kind: Kind, value):
    if value in (None, ""):
        return value
    return MASKERS[Kind(kind)](str(value))


def shown(user, model: type[models.Model] | models.Model, field: str, value, where: Where):
    """``value`` of ``model.field`` as ``user`` may see it ``where``: masked if personal."""
    kind = personal_fields(model).get(field)
    if kind is None or sees_full(user, model, where):
        return value
    return mask(kind, value)


def shown_data(user, model: type[models.Model] | None, data, where: Where):
    """A change-log snapshot (``{field: value}``) with its personal fields masked for ``user``."""
    if model is None or not isinstance(data, dict):
        return data
    fields = personal_fields(model)
    if not fields or sees_full(user, model, where):
        return data
    return {k: mask(fields[k], v) if k in fields else v for k, v in data.items()}


class MaskedSerializerMixin:
    """A model serializer whose personal fields follow the rule: masked in list responses (and
    for roles that don't need them in single-object responses)."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        fields = personal_fields(instance)
        if not fields:
            return data
        view = self.context.get("view")
        request = self.context.get("request")
        where = Where.API_LIST if getattr(view, "action", None) == "list" else Where.API_DETAIL
        user = getattr(request, "user", None)
        for name in fields:
            if name in data:
                data[name] = shown(user, instance, name, data[name], where)
        return data
