"""Exports of the vehicle lists: the filtered rows as Excel or CSV (framework.exports). A
driver's phone number is personal data and stays out of the export."""

from __future__ import annotations

from ..framework.exports import field_exporter, register_exporter
from .models import (
    AnnualInspection,
    Driver,
    FuelCard,
    FuelRecord,
    InsurancePolicy,
    RepairRecord,
    RepairShop,
    Vehicle,
    VehicleQuota,
)

VEHICLE_FIELDS = (
    "organization",
    "region",
    "plate",
    "vin",
    "category",
    "body",
    "brand",
    "model_name",
    "energy",
    "new_energy",
    "displacement",
    "price",
    "seats",
    "bought_on",
    "mileage",
    "marked",
    "terminal",
    "fuel_norm",
    "parking_compound",
    "status",
    "disposed_on",
    "disposal_kind",
    "note",
)

EXPORTS = (
    (Vehicle, "公务用车台账", VEHICLE_FIELDS),
    (
        Driver,
        "驾驶员",
        ("organization", "name", "license_class", "license_expires_on", "active", "note"),
    ),
    (
        VehicleQuota,
        "车辆编制",
        ("organization", "category", "count", "approved_by_document", "note"),
    ),
    (FuelCard, "加油卡", ("vehicle", "number", "issuer", "issued_on", "active", "note")),
    (
        FuelRecord,
        "加油记录",
        ("vehicle", "card", "filled_on", "litres", "amount", "odometer", "station"),
    ),
    (
        RepairShop,
        "维修单位",
        ("name", "region", "designated", "designated_until", "address", "phone", "note"),
    ),
    (
        RepairRecord,
        "维修记录",
        ("vehicle", "shop", "kind", "repaired_on", "amount", "odometer", "description"),
    ),
    (
        InsurancePolicy,
        "车辆保险",
        ("vehicle", "kind", "insurer", "policy_number", "start_on", "end_on", "premium"),
    ),
    (
        AnnualInspection,
        "车辆年检",
        ("vehicle", "due_on", "done_on", "result", "station", "note"),
    ),
)


def register() -> None:
    for model, title, fields in EXPORTS:
        register_exporter(model, field_exporter(model, title, fields))
