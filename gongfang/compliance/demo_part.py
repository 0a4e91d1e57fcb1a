"""The compliance part of the demo (``manage.py load_demo``): a full scan, so the demo opens
with the warnings its planted cases raise."""

from __future__ import annotations

from django.core.management import call_command

LABEL = "超标预警"


def build(run) -> None:
    call_command("compliance_scan", stdout=run.stdout)
