"""Fixed vocabularies of inspections (督查), tip-offs (线索) and rectification (整改).

Seed 001 (Changzhou) names the plan kinds and the tip sources; seed 003 (Yunhe) the three kinds of
rectification (即时备案、当场整改、出方案限期整改).
"""

from __future__ import annotations

from django.db import models


class ItemTarget(models.TextChoices):
    ORGANIZATION = "organization", "党政机关"
    LEADER = "leader", "领导干部"


class PlanKind(models.TextChoices):
    FULL = "full", "全面检查"
    SPECIAL = "special", "专项检查"
    KEY = "key", "重点检查"
    FOLLOWUP = "followup", "整改回头看"


class PlanState(models.TextChoices):
    PLANNED = "planned", "计划中"
    IN_PROGRESS = "in_progress", "实施中"
    DONE = "done", "已完成"
    CANCELLED = "cancelled", "已取消"


class InspectionState(models.TextChoices):
    PLANNED = "planned", "计划"
    IN_PROGRESS = "in_progress", "检查中"
    DONE = "done", "已完成"


class ItemResult(models.TextChoices):
    PASS = "pass", "符合"
    FAIL = "fail", "不符合"
    NOT_APPLICABLE = "na", "不适用"


class MeasurementState(models.TextChoices):
    RECORDED = "recorded", "已记录"
    ACCEPTED = "accepted", "已采纳"
    REJECTED = "rejected", "已退回"


class TipSource(models.TextChoices):
    HOTLINE = "12345", "12345热线"
    PUBLIC = "public", "群众反映"
    INTERNET = "internet", "网络舆情"
    MEDIA = "media", "媒体曝光"


class TipState(models.TextChoices):
    RECEIVED = "received", "已受理"
    ASSIGNED = "assigned", "已交办"
    CHECKING = "checking", "核查中"
    ANSWERED = "answered", "已答复"
    CLOSED = "closed", "已办结"


class RectificationKind(models.TextChoices):
    RECORD = "record", "即时备案"
    ON_SITE = "on_site", "当场整改"
    DEADLINE = "deadline", "限期整改"


class FindingState(models.TextChoices):
    OPEN = "open", "待整改"
    RESPONDED = "responded", "待复查"
    CLOSED = "closed", "已销号"
    REOPENED = "reopened", "复查未通过"
    REFERRED = "referred", "已移交"


class RecheckResult(models.TextChoices):
    CLOSED = "closed", "整改到位，销号"
    REOPENED = "reopened", "整改不到位，重新整改"


# The measured area goes into the room through the registry's services with this source.
MEASUREMENT_SOURCE = "实地测量"
