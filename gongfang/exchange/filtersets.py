"""Filter sets of exchange (one per model; pages, API and exports share them)."""

from __future__ import annotations

from ..framework.filtersets import BaseFilterSet
from .models import Package, Peer


class PackageFilterSet(BaseFilterSet):
    search_fields = ("unit_name__icontains", "sha256__istartswith")

    class Meta:
        model = Package
        fields = ["direction", "kind", "accepted", "verified", "peer", "submission"]


class PeerFilterSet(BaseFilterSet):
    search_fields = ("name__icontains", "region__name__icontains")

    class Meta:
        model = Peer
        fields = ["direction", "region"]
