"""Template helpers shared by every page: numbers and areas, attribute cards, form fields, diffs,
query strings and a handful of inline SVG icons (no icon font: nothing is fetched at run time)."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django import forms, template
from django.apps import apps
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from .. import caching, masking
from ..changelog import EMPTY, HIDDEN_IN_DIFF, logged_value
from ..eventdata import key_label, readable
from ..models import ObjectChange

register = template.Library()


# Numbers -----------------------------------------------------------------------------------------
@register.filter
def workday_note(day: Any) -> str:
    """After a time limit's date, reckoned in working days from today: the note that it is an
    estimate when a year up to it has no announced holidays yet ("" otherwise)."""
    from .. import clock, workdays

    if not isinstance(day, datetime.date):
        return ""
    return workdays.estimate_note(clock.today(), day)


@register.filter
def area(value: Any) -> str:
    """An area in m² with thousands separators and two decimals: 1,234,567.80."""
    if value in (None, ""):
        return EMPTY
    try:
        return f"{decimal.Decimal(value):,.2f}"
    except (decimal.InvalidOperation, TypeError, ValueError):
        return str(value)


@register.filter
def area_whole(value: Any) -> str:
    """An area rounded to whole m², for headline figures: 1,135,400."""
    if value in (None, ""):
        return EMPTY
    try:
        return f"{decimal.Decimal(value):,.0f}"
    except (decimal.InvalidOperation, TypeError, ValueError):
        return str(value)


@register.filter
def number(value: Any) -> str:
    """An integer with thousands separators: 17,074."""
    if value in (None, ""):
        return EMPTY
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


@register.filter
def percent(part: Any, whole: Any) -> int:
    """``part`` as a whole percentage of ``whole`` (0 when unknown), capped at 100 for bars."""
    try:
        if not whole:
            return 0
        return min(100, round(float(part or 0) * 100 / float(whole)))
    except (TypeError, ValueError):
        return 0


# Strings and permissions ---------------------------------------------------------------------------
@register.filter
def startswith(value: Any, prefix: Any) -> bool:
    return str(value).startswith(str(prefix))


@register.simple_tag
def model_perm(user, model_label: str, action: str = "view") -> bool:
    """Whether ``user`` may ``action`` the model ``app_label.ModelName``."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.has_model_perm(apps.get_model(model_label), action)


@register.filter
def event_name(event: str) -> str:
    """The Chinese name of a change-log event (its code when none is registered)."""
    from ..changelog import event_label

    return event_label(event)


@register.filter
def account_name(user_name: str) -> str:
    """The account column of a change: the system's own writes (jobs, automatic checks) are
    recorded under "system" and read 系统."""
    return "系统" if user_name == "system" else user_name


@register.simple_tag
def object_actions(user, obj) -> list:
    """The buttons other apps add to ``obj``'s page (``framework.objectactions``)."""
    from ..objectactions import object_actions as actions

    return actions(user, obj)


@register.simple_tag(takes_context=True)
def object_panels(context, obj) -> str:
    """The cards other apps add to ``obj``'s page (``framework.objectactions``), rendered."""
    from ..objectactions import object_panels as panels

    user = context.get("user")
    request = context.get("request")
    return mark_safe(  # the panels are our own templates, autoescaped
        "".join(
            render_to_string(
                panel.template, {**panel.context, "user": user, "object": obj}, request=request
            )
            for panel in panels(user, obj)
        )
    )


@register.simple_tag
def active_menu(menu: list[dict], path: str) -> list[dict]:
    """The main menu with the group and item of the current page marked, items in two columns."""
    result = []
    for group in menu or []:
        items = [{**item, "active": path.startswith(item["url"])} for item in group["items"]]
        half = (len(items) + 1) // 2
        result.append(
            {
                "label": group["label"],
                "items": items,
                "columns": [items[:half], items[half:]],
                "active": any(i["active"] for i in items),
            }
        )
    return result


# Query strings ----------------------------------------------------------------------------------
@register.simple_tag(takes_context=True)
def query_hidden(context, *exclude: str) -> SafeString:
    """Hidden inputs repeating the current query string, less ``exclude`` (and ``page``)."""
    request = context.get("request")
    if request is None:
        return mark_safe("")
    skip = {"page", *exclude}
    parts = [
        format_html('<input type="hidden" name="{}" value="{}">', key, value)
        for key, values in request.GET.lists()
        if key not in skip
        for value in values
    ]
    return mark_safe("".join(parts))


@register.simple_tag(takes_context=True)
def query_replace(context, *without: str, **updates: Any) -> str:
    """The current query string with ``updates`` applied and ``without`` (and ``columns``)
    removed. ``columns`` is a one-off instruction already saved in the session."""
    request = context["request"]
    params = {k: v for k, v in request.GET.lists() if k not in {"columns", *without}}
    for key, value in updates.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = [value]
    return "?" + urlencode(params, doseq=True)


# Values and attribute cards ------------------------------------------------------------------------
def display_value(obj: models.Model, field: models.Field, user=None) -> SafeString | str:
    """One field of ``obj`` as shown on its page: labels for codes, links for relations; a model
    that stores a code of its own kind (a field's name, field lookups) says how to read it with
    a ``display_<field>()`` method."""
    shown = getattr(obj, f"display_{field.name}", None)
    if callable(shown):
        return shown() or EMPTY
    if field.choices:
        value = getattr(obj, field.attname)
        return obj._get_FIELD_display(field) if value not in (None, "") else EMPTY
    if field.is_relation:
        related = getattr(obj, field.name)
        if related is None:
            return EMPTY
        if user is not None and user.has_model_perm(type(related), "view"):
            url = getattr(related, "get_absolute_url", None)
            if url is not None:
                return format_html('<a href="{}">{}</a>', url(), related)
        return str(related)
    value = getattr(obj, field.attname)
    if user is not None:
        value = masking.shown(user, obj, field.name, value, masking.Where.DETAIL)
    return format_value(value, field)


def format_value(value: Any, field: models.Field | None = None) -> SafeString | str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, models.fields.files.FieldFile):
        if not value:
            return EMPTY
        return format_html('<a href="{}">{}</a>', value.url, value.name.rsplit("/", 1)[-1])
    if isinstance(value, decimal.Decimal):
        if field is not None and "area" in field.name:
            return format_html("{} m²", area(value))
        return f"{value:,}"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dict | list):
        return "（已录入）"
    return str(value)


@register.simple_tag
def attribute_rows(obj: models.Model, names, user=None) -> list[tuple[str, Any, str]]:
    """(label, display value, help text) of ``names`` on ``obj`` for its attribute card."""
    rows = []
    for name in names:
        field = obj._meta.get_field(name)
        rows.append((str(field.verbose_name), display_value(obj, field, user), ""))
    return rows


# Form fields --------------------------------------------------------------------------------------
def default_css(widget: forms.Widget) -> str:
    """The Tabler class of a widget that has none (filter forms are built by django-filter)."""
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        return ""
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "form-select"
    return "form-control"


@register.inclusion_tag("framework/includes/field.html")
def render_field(field: forms.BoundField, compact: bool = False) -> dict:
    """A Tabler form row: label, widget (red when invalid), help text, each error in Chinese."""
    widget = field.field.widget
    css = widget.attrs.get("class") or default_css(widget)
    if field.errors:
        css = f"{css} is-invalid".strip()
    html = field.as_widget(attrs={"class": css} if css else None)
    is_check = isinstance(widget, forms.CheckboxInput)
    return {
        "field": field,
        "widget": html,
        "is_check": is_check,
        "compact": compact,
        "required": field.field.required and not is_check,
    }


# Parameters of a list page that leave its filter form as it is.
TABLE_PARAMETERS = frozenset({"page", "sort", "per_page", "columns"})


@register.simple_tag(takes_context=True)
def filter_fields(context, form: forms.Form) -> SafeString:
    """The fields of a list page's filter form but its search box, rendered once per page, query,
    scope and state of the data (``framework.caching``): the form's dozen selects took a fifth of
    a list page's time. Their choices are the account's scope; their values and errors the
    query."""
    request = context["request"]
    query = sorted((k, v) for k, v in request.GET.lists() if k not in TABLE_PARAMETERS)
    return caching.cached(
        "filter-form",
        (request.path, query, *caching.scope_key(request.user)),
        lambda: mark_safe(
            "".join(
                render_to_string("framework/includes/field.html", render_field(field, True))
                for field in form
                if field.name != "q"
            )
        ),
    )


# Change log ----------------------------------------------------------------------------------------
def _field_label(model: type[models.Model] | None, name: str) -> tuple[str, models.Field | None]:
    if model is None:
        return name, None
    try:
        field = model._meta.get_field(name)
    except Exception:
        return name, None
    if field.auto_created and not field.concrete:
        # A reverse relation of the same name as an event's key ("items"): not a logged field.
        return name, None
    return str(getattr(field, "verbose_name", name)), field


def _related_label(context, field: models.Field | None, value: Any) -> str | None:
    """The name of the object a logged foreign key points to (the log keeps its id), if the
    viewer may see it; None otherwise. Looked up once per page and object."""
    if field is None or not field.is_relation or field.many_to_many:
        return None
    if isinstance(value, bool) or not (
        isinstance(value, int) or (isinstance(value, str) and value.isascii() and value.isdigit())
    ):
        return None
    model = field.related_model
    request = context.get("request")
    labels = getattr(request, "_gf_related_labels", None)
    if labels is None:
        labels = {}
        if request is not None:
            request._gf_related_labels = labels
    key = (model._meta.label, int(value))
    if key not in labels:
        user = context.get("user")
        manager = model._default_manager
        queryset = (
            manager.restrict(user, "view")
            if hasattr(manager, "restrict") and user is not None
            else manager.all()
        )
        obj = queryset.filter(pk=int(value)).first()
        labels[key] = str(obj) if obj is not None else None
    return labels[key]


def _shown(context, field: models.Field | None, value: Any) -> str:
    """A logged value as the change log shows it: a foreign key by its object's name."""
    return _related_label(context, field, value) or logged_value(field, value)


@register.simple_tag(takes_context=True)
def change_rows(context, change, all_fields: bool = False, where: str = "detail") -> list[dict]:
    """The fields of one change-log row: label, before, after, whether it changed.

    With ``all_fields`` every field recorded before or after is listed, not only the changed ones.
    Personal fields are masked for the viewer as ``where`` ("detail": the object's page,
    "audit": the audit log) requires.
    """
    model = change.changed_object_type.model_class() if change.changed_object_type_id else None
    before = change.prechange_data or {}
    after = change.postchange_data or {}
    # Whether a field changed is judged on the values; what is shown is masked.
    user = context.get("user")
    shown_before = masking.shown_data(user, model, before, where)
    shown_after = masking.shown_data(user, model, after, where)
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    rows = []
    for key in keys:
        if key in HIDDEN_IN_DIFF:
            continue
        changed = before.get(key) != after.get(key)
        if not (changed or all_fields):
            continue
        label, field = _field_label(model, key)
        if change.action == ObjectChange.Action.EVENT:
            # An event's data (an approval, a transition): its keys and codes as the apps name
            # them, not as the object's fields.
            if label == key:
                label = key_label(key)
            value = readable(change.event, key, shown_after.get(key))
            if value in (None, "", [], {}):
                continue
            rows.append(
                {
                    "name": key,
                    "label": label,
                    "before": "",
                    "after": _shown(context, field, value),
                    "changed": True,
                }
            )
            continue
        rows.append(
            {
                "name": key,
                "label": label,
                "before": (
                    _shown(context, field, shown_before.get(key)) if change.prechange_data else ""
                ),
                "after": (
                    _shown(context, field, shown_after.get(key)) if change.postchange_data else ""
                ),
                "changed": changed,
            }
        )
    return rows


# Icons --------------------------------------------------------------------------------------------
# Simple stroke icons (24×24), drawn for gongfang; one <path d> each.
ICONS = {
    "plus": "M12 5v14M5 12h14",
    "edit": "M4 20h4L19 9l-4-4L4 16v4M13 7l4 4",
    "trash": "M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3",
    "search": "M10 17a7 7 0 1 0 0-14a7 7 0 0 0 0 14M21 21l-6-6",
    "filter": "M4 4h16v2l-6 7v7l-4-2v-5L4 6z",
    "columns": "M4 4h6v16H4zM14 4h6v16h-6z",
    "logout": "M14 8V5H4v14h10v-3M9 12h12M18 9l3 3-3 3",
    "history": "M12 8v4l2 2M3 12a9 9 0 1 0 3-6.7M3 4v5h5",
    "home": "M5 12H3l9-9 9 9h-2M5 12v7h14v-7M9 19v-5h6v5",
    "building": "M3 21h18M5 21V5l8-2v18M19 21V10l-6-2M9 9v.01M9 12v.01M9 15v.01M9 18v.01",
    "user": "M12 11a4 4 0 1 0 0-8a4 4 0 0 0 0 8M6 21v-2a4 4 0 0 1 4-4h4a4 4 0 0 1 4 4v2",
    "chevron-right": "M9 6l6 6-6 6",
    "x": "M18 6L6 18M6 6l12 12",
    "list": "M9 6h11M9 12h11M9 18h11M5 6v.01M5 12v.01M5 18v.01",
    "arrow-up": "M12 5v14M18 11l-6-6-6 6",
    "arrow-down": "M12 5v14M18 13l-6 6-6-6",
    "selector": "M8 9l4-4 4 4M16 15l-4 4-4-4",
    "map": "M3 7l6-3 6 3 6-3v13l-6 3-6-3-6 3z M9 4v13M15 7v13",
    "door": "M14 12v.01M3 21h18M6 21V5a2 2 0 0 1 2-2h8a2 2 0 0 1 2 2v16",
    "users": "M9 11a4 4 0 1 0 0-8a4 4 0 0 0 0 8M3 21v-2a4 4 0 0 1 4-4h4a4 4 0 0 1 4 4v2M16 3.1a4 4 0 0 1 0 7.8M21 21v-2a4 4 0 0 0-3-3.9",
    "download": "M4 17v2a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-2M7 11l5 5 5-5M12 4v12",
    "upload": "M4 17v2a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-2M7 9l5-5 5 5M12 4v12",
    "ruler": "M5 4h14a1 1 0 0 1 1 1v5H10v10H5a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1M4 8h2M4 12h3M4 16h2M8 4v2M12 4v3M16 4v2",
    "bell": "M10 5a2 2 0 1 1 4 0a7 7 0 0 1 4 6v3a4 4 0 0 0 2 3H4a4 4 0 0 0 2-3v-3a7 7 0 0 1 4-6M9 17v1a3 3 0 0 0 6 0v-1",
    "checklist": "M9 11l3 3l8-8M20 12v6a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2h9",
    "signature": "M3 17c3.333-3.333 5-6 5-8c0-3-1-3-2-3S4 7.05 4 9c0 2.1 2.5 4.5 4 6.5c1.5 2 3 2.5 4 1l2-3c.333 2.667 1.333 4 3 4c.53 0 2.639-2 3-2c.517 0 1.517.667 3 2",
    "file": "M14 3v4a1 1 0 0 0 1 1h4M17 21H7a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h7l5 5v11a2 2 0 0 1-2 2z",
}


@register.simple_tag
def icon(name: str, css: str = "icon") -> SafeString:
    path = ICONS.get(name, "")
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="{}" width="24" height="24" '
        'viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" '
        'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="{}"/></svg>',
        css,
        path,
    )
