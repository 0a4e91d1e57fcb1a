"""Exports of the lists of what approvals recorded (titles, use certificates, approved uses,
construction projects), like the registry's lists: the filtered rows as Excel or CSV
(framework.exports). Registered here, the highest of the three apps (cases may import titles)."""

from __future__ import annotations

from ..framework.exports import field_exporter, register_exporter


def register() -> None:
    from ..titles.models import Title, UseCertificate
    from .models import ApprovedUse, ConstructionProject

    register_exporter(
        Title,
        field_exporter(
            Title,
            "权属登记",
            (
                "compound",
                "building",
                "region",
                "kind",
                "certificate_number",
                "holder",
                "held_centrally",
                "area",
                "issued_on",
                "source_document",
                "note",
            ),
            related=("building__compound",),
        ),
    )
    register_exporter(
        UseCertificate,
        field_exporter(
            UseCertificate,
            "使用权证",
            (
                "number",
                "organization",
                "region",
                "issued_on",
                "issued_by",
                "state",
                "revoked_on",
                "revoke_reason",
                "room_count",
                "total_area",
                "note",
            ),
        ),
    )
    register_exporter(
        ApprovedUse,
        field_exporter(
            ApprovedUse,
            "出借、出租和用途变更",
            (
                "case",
                "room",
                "use",
                "counterparty",
                "party",
                "rent",
                "starts_on",
                "ends_on",
                "agreement_number",
                "bidding_record",
                "ended_on",
            ),
            related=("room__floor__building__compound",),
        ),
    )
    register_exporter(
        ConstructionProject,
        field_exporter(
            ConstructionProject,
            "建设项目",
            (
                "case",
                "organization",
                "kind",
                "name",
                "location",
                "building",
                "building_area",
                "budget",
                "funding",
                "starts_on",
                "note",
            ),
            related=("building__compound",),
        ),
    )
