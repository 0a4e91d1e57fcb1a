"""List-page exports: an app registers, per model, what turns a list's filtered rows into a file.

The framework's list view offers the formats registered for its model and hands the rows over;
it knows nothing of the file layout (the ledger app owns that: its exports re-import).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.http import HttpRequest, HttpResponse
from django_filters import FilterSet


@dataclass(frozen=True)
class Exporter:
    formats: tuple[tuple[str, str], ...]  # (format, label), e.g. ("xlsx", "Excel")
    # (request, the list's valid filterset, format) -> response with the file
    render: Callable[[HttpRequest, FilterSet, str], HttpResponse]


_exporters: dict[type[models.Model], Exporter] = {}


def register_exporter(model: type[models.Model], exporter: Exporter) -> None:
    _exporters[model] = exporter


def exporter_for(model: type[models.Model]) -> Exporter | None:
    return _exporters.get(model)


# A list's own fields as a file --------------------------------------------------------------------
LIST_EXPORT_EVENT = "list.export"
EXPORT_FORMATS = (("xlsx", "Excel .xlsx"), ("csv", "CSV"))
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def _cell(obj: models.Model, field: models.Field):
    """A field of ``obj`` as a reader sees it: labels for codes, names for related objects,
    local times, 是/否."""
    import datetime
    import decimal

    from django.utils import timezone

    from .spreadsheets import defuse

    if field.is_relation:
        value = getattr(obj, field.name)
        return defuse(str(value)) if value is not None else ""
    if field.choices:
        return defuse(str(getattr(obj, f"get_{field.name}_display")()))
    value = getattr(obj, field.attname)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dict | list):
        return ""
    return defuse(value)


def field_exporter(
    model: type[models.Model],
    title: str,
    fields: tuple[str, ...],
    related: tuple[str, ...] = (),
) -> Exporter:
    """An export of a list's rows with ``fields`` of ``model`` (in that order, headed by their
    Chinese names), Excel or CSV, each file an audited ``list.export`` event. ``related``: what
    the related objects' names read besides them (``room__floor__building__compound``)."""
    import csv
    import io
    from urllib.parse import quote

    from django.db import transaction
    from django.utils import timezone
    from openpyxl import Workbook

    from .changelog import record_event
    from .filtersets import applied_filters

    columns = [model._meta.get_field(name) for name in fields]
    joined = [f.name for f in columns if f.is_relation and not f.many_to_many] + list(related)
    headers = [str(f.verbose_name) for f in columns]

    def rows(queryset):
        for obj in queryset.select_related(*joined).order_by("pk").iterator(chunk_size=1000):
            yield [_cell(obj, f) for f in columns]

    def render(request, filterset, fmt: str) -> HttpResponse:
        queryset = filterset.qs
        with transaction.atomic():
            record_event(
                actor=request.user,
                event=LIST_EXPORT_EVENT,
                data={
                    "list": title,
                    "format": fmt,
                    "rows": queryset.count(),
                    "filters": applied_filters(filterset),
                },
            )
        if fmt == "xlsx":
            book = Workbook(write_only=True)
            sheet = book.create_sheet(title[:31])
            sheet.append(headers)
            for row in rows(queryset):
                sheet.append(row)
            buffer = io.BytesIO()
            book.save(buffer)
            content, content_type = buffer.getvalue(), XLSX_TYPE
        else:
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(headers)
            writer.writerows(rows(queryset))
            content, content_type = ("\ufeff" + text.getvalue()).encode("utf-8"), CSV_TYPE
        name = f"{title}-{timezone.localtime().strftime('%Y%m%d-%H%M')}.{fmt}"
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response

    return Exporter(EXPORT_FORMATS, render)
