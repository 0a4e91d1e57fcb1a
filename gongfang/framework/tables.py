"""Base table: sortable, paginated, with the columns each user chooses to see."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

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
        user = getattr(table, "user", None)
        if user is not None and user.has_model_perm(type(value), "view"):
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
        meta = record._meta
        request = getattr(table, "request", None)
        back = urlencode({"return_url": request.get_full_path()}) if request else ""
        parts = []
        if getattr(table, "can_change", False):
            url = reverse(f"{meta.app_label}:{meta.model_name}_edit", args=[record.pk])
            parts.append(
                format_html(
                    '<a class="btn btn-sm btn-ghost-primary px-1" href="{}?{}" '
                    'title="修改" aria-label="修改">{}</a>',
                    url,
                    back,
                    icon("edit"),
                )
            )
        if getattr(table, "can_delete", False):
            url = reverse(f"{meta.app_label}:{meta.model_name}_delete", args=[record.pk])
            parts.append(
                format_html(
                    '<a class="btn btn-sm btn-ghost-danger px-1" href="{}?{}" '
                    'title="删除" aria-label="删除">{}</a>',
                    url,
                    back,
                    icon("trash"),
                )
            )
        if not parts:
            return ""
        return format_html(
            '<div class="btn-list flex-nowrap justify-content-end">{}</div>',
            format_html("".join(["{}"] * len(parts)), *parts),
        )


class BaseTable(tables.Table):
    class Meta:
        attrs = {"class": "table table-vcenter table-hover card-table table-sm"}
        empty_text = "没有符合条件的记录。"

    id = tables.Column(verbose_name="编号", linkify=True)

    # Columns shown until the user chooses; all others stay available in the column chooser.
    default_columns: tuple[str, ...] = ()

    def __init__(self, *args: Any, user=None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        model = getattr(self._meta, "model", None)
        self.can_change = bool(user and model and user.has_model_perm(model, "change"))
        self.can_delete = bool(user and model and user.has_model_perm(model, "delete"))
        if "actions" in self.base_columns and not (self.can_change or self.can_delete):
            self.columns.hide("actions")

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

    time = tables.DateTimeColumn(verbose_name="时间", format="Y-m-d H:i:s", linkify=True)
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
