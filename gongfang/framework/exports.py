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
