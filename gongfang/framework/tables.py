"""Base table: sortable, paginated, with the columns each user chooses to see.

django-tables2 keeps the columns, ordering, pagination and the column chooser; the rows of a page
are rendered here in Python (:meth:`BaseTable.body_html`), each column's renderer looked up once
per page rather than once per cell, since rendering cells through its template and per-cell
introspection took most of a list page's time.
"""

from __future__ import annotations

import datetime
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import partialmethod
from typing import Any

import django_tables2 as tables
from django.db import models
from django.db.models.query import ModelIterable
from django.template import Context
from django.template.base import render_value_in_context
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.html import escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.rows import BoundRow
from django_tables2.utils import Accessor, AttributeDict, signature

from . import caching
from .links import pk_url
from .models import ObjectChange
from .templatetags.gongfang import area, icon


class AreaColumn(tables.Column):
    """An area in m², right-aligned, with thousands separators."""

    def __init__(self, *args, **kwargs):
        attrs = kwargs.pop("attrs", {})
        attrs.setdefault("td", {"class": "text-end text-nowrap"})
        attrs.setdefault("th", {"class": "text-end"})
        super().__init__(*args, attrs=attrs, **kwargs)

    def render(self, value):
        return area(value)


class DateColumn(tables.DateColumn):
    """A date (or a date and time, shown in local time) in ``format``; tables2's own compiles a
    template for every cell."""

    empty_values = (None, "")  # shown as the table's default, as tables2's template does

    def __init__(self, *args, format: str = "Y-m-d", **kwargs):
        self.format = format
        super().__init__(*args, format=format, **kwargs)

    def render(self, value):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            value = timezone.localtime(value)
        if self.format in formats.FORMAT_SETTINGS:  # a named format of the locale
            return formats.date_format(value, self.format)
        return dateformat.format(value, self.format)


class NumberColumn(tables.Column):
    """A count, right-aligned."""

    def __init__(self, *args, **kwargs):
        attrs = kwargs.pop("attrs", {})
        attrs.setdefault("td", {"class": "text-end"})
        attrs.setdefault("th", {"class": "text-end"})
        super().__init__(*args, attrs=attrs, **kwargs)


class LinkedColumn(tables.Column):
    """A column linking to the row's own page (so every list links to every row it shows)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("linkify", True)
        super().__init__(*args, **kwargs)


class RelatedColumn(tables.Column):
    """A foreign key shown by name and linked to its page when the account may view it."""

    def __init__(self, *args, display: str | None = None, **kwargs):
        self.display = display
        super().__init__(*args, **kwargs)

    def render(self, value, table):
        label = getattr(value, self.display) if self.display else str(value)
        if table.may_view(type(value)):
            return format_html('<a href="{}">{}</a>', value.get_absolute_url(), label)
        return label


class ActionsColumn(tables.Column):
    """Edit and delete buttons, shown only with the permission."""

    empty_values = ()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("verbose_name", "")
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("attrs", {"td": {"class": "text-end text-nowrap w-1"}})
        super().__init__(*args, **kwargs)

    def render(self, record, table):
        buttons = table.action_buttons(record._meta)
        if not buttons:
            return ""
        links = "".join(
            f'<a class="btn btn-sm {css} px-1" href="{escape(pk_url(view, record.pk))}?{back}" '
            f'title="{label}" aria-label="{label}">{svg}</a>'
            for view, css, back, label, svg in buttons
        )
        return mark_safe(f'<div class="btn-list flex-nowrap justify-content-end">{links}</div>')


RENDER_ARGUMENTS = frozenset({"value", "record", "column", "bound_column", "table"})
ESCAPE_CONTEXT = Context(autoescape=True)


@dataclass
class CellPlan:
    """How one visible column renders its cells, worked out once per page: what django-tables2's
    ``BoundRow.get_cell`` decides for every cell (accessor, choice label, renderer signature,
    link, ``<td>`` attributes)."""

    bound_column: Any
    td: str | None  # the <td>'s attributes, or None when they depend on the row
    path: tuple[str, ...]  # accessor bits up to the last one
    last: str
    choice_label: bool  # the last bit is a field with choices: show get_FOO_display()
    # That field and its labels, when its get_FOO_display() is Django's own (labels looked up
    # here: Django builds the dict of labels again for every call).
    choice_field: models.Field | None
    labels: dict[Any, Any] | None
    render: Callable | None  # None: through django-tables2 (the renderer wants the bound row)
    arguments: frozenset[str]
    wants_all: bool

    @classmethod
    def for_column(cls, table: tables.Table, bound_column, model) -> CellPlan:
        column = bound_column.column
        attrs = {**table.attrs, **column.attrs}
        td_attrs = attrs.get("td", attrs.get("cell", {}))
        td = None if any(callable(v) for v in td_attrs.values()) else bound_column.attrs["td"]
        accessor = Accessor(bound_column.accessor)
        bits = tuple(accessor.bits) or ("",)
        field = accessor.get_field(model) if model is not None else None
        names, catch_all = signature(bound_column.render)
        choice_label = bool(getattr(field, "choices", None))
        own_display = choice_label and isinstance(
            inspect.getattr_static(field.model, f"get_{bits[-1]}_display", None), partialmethod
        )
        link = bound_column.link
        simple_link = link is None or not (
            callable(link.url) or any(callable(v) for v in (link.attrs or {}).values())
        )
        lean = (
            simple_link
            and (catch_all or set(names) <= RENDER_ARGUMENTS)
            and not (isinstance(column, BaseLinkColumn) and column.text is not None)
            and not isinstance(column, tables.ManyToManyColumn)
        )
        return cls(
            bound_column=bound_column,
            td=td.as_html() if td is not None else None,
            path=bits[:-1],
            last=bits[-1],
            choice_label=choice_label,
            choice_field=field if own_display else None,
            labels=dict(make_hashable(field.flatchoices)) if own_display else None,
            render=bound_column.render if lean else None,
            arguments=frozenset(names),
            wants_all=bool(catch_all),
        )

    def value(self, record) -> Any:
        """The cell's value as django-tables2 resolves it (None where the path breaks)."""
        current = record
        try:
            for bit in self.path:
                current = _step(current, bit)
                if current is None:
                    return None
            if self.labels is not None and isinstance(current, self.choice_field.model):
                raw = getattr(current, self.choice_field.attname)
                return force_str(self.labels.get(make_hashable(raw), raw), strings_only=True)
            if self.choice_label and isinstance(current, models.Model):
                label = getattr(current, f"get_{self.last}_display", None)
                if label is not None:
                    return label()
            return _step(current, self.last)
        except Exception:
            return None

    def cell(self, table, record, row: BoundRow) -> Any:
        bound_column = self.bound_column
        if self.render is None:
            return row.get_cell(bound_column.name)
        value = self.value(record)
        column = bound_column.column
        if value in column.empty_values:
            return bound_column.default
        given = {
            "value": value,
            "record": record,
            "column": column,
            "bound_column": bound_column,
            "table": table,
        }
        if self.wants_all:
            content = self.render(**given, bound_row=row)
        else:
            content = self.render(**{k: v for k, v in given.items() if k in self.arguments})
        link = bound_column.link
        if link is None:
            return content
        href = link.compose_url(record=record, bound_column=bound_column)
        if href is None:
            return content
        if not link.attrs:
            return format_html('<a href="{}">{}</a>', href, content)
        attrs = AttributeDict(link.attrs)
        attrs["href"] = href
        return format_html("<a {}>{}</a>", attrs.as_html(), content)

    def td_attrs(self, record, value) -> str:
        if self.td is not None:
            return self.td
        bound_column = self.bound_column
        bound_column.current_record, bound_column.current_value = record, value
        return bound_column.attrs["td"].as_html()


def _cell_label(bound_column) -> str:
    """`` data-label="…"`` for a column with a plain-text header (none for the actions column or
    a header that is markup, such as a select-all box)."""
    header = str(bound_column.header or "")
    if bound_column.name == "actions" or "<" in header:
        return ""
    return f' data-label="{escape(header)}"'


def _step(current: Any, bit: str) -> Any:
    """One accessor bit, as ``Accessor.resolve`` takes it on a model instance."""
    if bit == "":
        return current
    current = getattr(current, bit)
    if callable(current) and not getattr(current, "do_not_call_in_templates", False):
        if getattr(current, "alters_data", False):
            raise ValueError(bit)
        current = current()
    return current


class BaseTable(tables.Table):
    class Meta:
        attrs = {"class": "table table-vcenter table-hover card-table table-sm"}
        empty_text = "没有符合条件的记录。"

    id = tables.Column(verbose_name="编号", linkify=True)

    # Columns shown until the user chooses; all others stay available in the column chooser.
    default_columns: tuple[str, ...] = ()
    # Whether the row count and a page's keys may come from the cache (framework.caching): only
    # for models every write of which is in the change log.
    count_cached: bool = False

    def __init__(self, *args: Any, user=None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        model = getattr(self._meta, "model", None)
        self.can_change = bool(user and model and user.has_model_perm(model, "change"))
        self.can_delete = bool(user and model and user.has_model_perm(model, "delete"))
        if "actions" in self.base_columns and not (self.can_change or self.can_delete):
            self.columns.hide("actions")

    def may_view(self, model: type[models.Model]) -> bool:
        """Whether the account may open ``model``'s pages (asked once per model and page)."""
        cache = self.__dict__.setdefault("_may_view", {})
        if model not in cache:
            cache[model] = bool(self.user is not None and self.user.has_model_perm(model, "view"))
        return cache[model]

    def action_buttons(self, meta) -> list[tuple[str, str, str, str, str]]:
        """(view name, CSS class, escaped return query, label, icon) of the row buttons the
        account may use, worked out once per page."""
        cache = self.__dict__.setdefault("_action_buttons", {})
        if meta.label not in cache:
            request = getattr(self, "request", None)
            back = escape(urlencode({"return_url": request.get_full_path()})) if request else ""
            cache[meta.label] = [
                (f"{meta.app_label}:{meta.model_name}_{action}", css, back, label, icon(name))
                for allowed, action, css, label, name in (
                    (self.can_change, "edit", "btn-ghost-primary", "修改", "edit"),
                    (self.can_delete, "delete", "btn-ghost-danger", "删除", "trash"),
                )
                if allowed
            ]
        return cache[meta.label]

    def paginate(self, *args: Any, **kwargs: Any) -> None:
        """Paginate, then read the page in two steps: its keys in the list's order, then its rows
        by key. Sorting only keys and sort columns, not every selected column of every joined
        table, took the city's room list from 34 to 21 ms on SQLite. The key breaks ties, so
        rows sorted by a column with equal values keep one place across pages. With
        ``count_cached`` the count and the keys come from the cache until the next write; the
        rows are still read through the scoped queryset."""
        data = getattr(self.data, "data", None)
        if (
            not isinstance(data, models.QuerySet)
            or not issubclass(data._iterable_class, ModelIterable)
            or data.query.combinator
        ):
            super().paginate(*args, **kwargs)
            return
        if self.count_cached:
            self.data._length = caching.count(data)  # what tables2 would count
        super().paginate(*args, **kwargs)
        rows = self.page.object_list
        query = rows.data.query
        ordering = [*(data.query.order_by or data.model._meta.ordering), "pk"]
        page = data.order_by(*ordering).values_list("pk", flat=True)
        page = page[query.low_mark : query.high_mark]
        keys = caching.values(page) if self.count_cached else list(page)
        found = data.order_by().in_bulk(keys)
        rows.data = [found[key] for key in keys if key in found]

    def body_html(self) -> SafeString:
        """The ``<tr>`` rows of the current page (empty when there are none), as
        ``framework/table.html`` rendered them cell by cell: same values, links, classes."""
        rows = list(self.paginated_rows)
        if not rows:
            return mark_safe("")
        first = rows[0].record
        model = type(first) if isinstance(first, models.Model) else None
        plans = [CellPlan.for_column(self, c, model) for c in self.columns]
        # Each cell names its column (data-label): a phone shows a row as a card of label: value.
        labels = [_cell_label(c) for c in self.columns]
        parts = []
        for row in rows:
            record = row.record
            if self.row_attrs:
                parts.append(f"<tr {row.attrs.as_html()}>")
            else:
                parts.append(f'<tr class="{row.get_even_odd_css_class()}">')
            for plan, label in zip(plans, labels, strict=True):
                value = plan.cell(self, record, row)
                parts.append(f"<td {plan.td_attrs(record, value)}{label}>")
                parts.append(render_value_in_context(value, ESCAPE_CONTEXT))
                parts.append("</td>")
            parts.append("</tr>")
        return mark_safe("".join(parts))

    def choosable_columns(self) -> list[tuple[str, str]]:
        return [(c.name, str(c.header)) for c in self.columns.iterall() if c.name != "actions"]

    def show_only(self, names: list[str]) -> None:
        wanted = set(names)
        for column in self.columns.iterall():
            if column.name == "actions":
                continue
            if column.name in wanted:
                self.columns.show(column.name)
            else:
                self.columns.hide(column.name)


class ObjectChangeTable(BaseTable):
    """The global change log: newest first, each row linked to its full before/after."""

    time = DateColumn(verbose_name="时间", format="Y-m-d H:i:s", linkify=True)
    user_name = tables.Column(verbose_name="操作账号")
    action = tables.Column(verbose_name="操作")
    changed_object_type = tables.Column(verbose_name="对象类型", order_by="changed_object_type")
    object_repr = tables.Column(verbose_name="对象")
    changed_object_id = tables.Column(verbose_name="对象编号")
    remote_addr = tables.Column(verbose_name="来源地址")
    request_id = tables.Column(verbose_name="请求编号")

    default_columns = (
        "time",
        "user_name",
        "action",
        "changed_object_type",
        "object_repr",
        "remote_addr",
    )

    class Meta(BaseTable.Meta):
        model = ObjectChange
        fields = ()
        sequence = ("id", "time", "user_name", "action", "changed_object_type", "object_repr")

    def render_user_name(self, record):
        if record.user_id and record.user and record.user.name:
            return f"{record.user.name}（{record.user_name}）"
        return record.user_name

    def render_action(self, record):
        css = {
            ObjectChange.Action.CREATE: "bg-green-lt",
            ObjectChange.Action.UPDATE: "bg-blue-lt",
            ObjectChange.Action.DELETE: "bg-red-lt",
        }.get(record.action, "")
        return format_html('<span class="badge {}">{}</span>', css, record.get_action_display())

    def render_changed_object_type(self, value):
        model = value.model_class()
        return model._meta.verbose_name if model else value.model

    def render_request_id(self, value):
        url = reverse("framework:objectchange_list") + "?" + urlencode({"request_id": value})
        return format_html('<a href="{}" class="font-monospace small">{}</a>', url, str(value)[:8])
