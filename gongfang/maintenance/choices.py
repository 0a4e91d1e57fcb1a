"""Fixed vocabularies of maintenance projects, three-year plans, service contracts and budgets."""

from __future__ import annotations

from django.db import models


class ProjectKind(models.TextChoices):
    MAJOR = "major", "大中型维修"
    MINOR = "minor", "零星维修"


class Stage(models.TextChoices):
    """The life of a project, in order (Guangxi's 大中型维修项目管理规范)."""

    PROPOSED = "proposed", "申报"
    APPROVED = "approved", "立项"
    IN_PROGRESS = "in_progress", "实施"
    ACCEPTED = "accepted", "验收"
    EVALUATED = "evaluated", "评价"
    ARCHIVED = "archived", "归档"


STAGE_ORDER = list(Stage.values)
# Stages in which the works are under way or approved but not accepted: a planned end passed
# in one of these is overdue.
OPEN_WORK_STAGES = (Stage.APPROVED, Stage.IN_PROGRESS)
# Stages in which payments may still be recorded (the final payment and the retention money
# (质保金) follow the acceptance).
PAYABLE_STAGES = (Stage.IN_PROGRESS, Stage.ACCEPTED, Stage.EVALUATED)


class AcceptanceResult(models.TextChoices):
    PASSED = "passed", "合格"
    FAILED = "failed", "不合格"


class PlanState(models.TextChoices):
    OPEN = "open", "征集中"
    SUBMITTED = "submitted", "报批中"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未予批准"


class Condition(models.TextChoices):
    """A building's condition as the proposing unit assessed it (房屋使用状况)."""

    GOOD = "good", "良好"
    FAIR = "fair", "一般"
    POOR = "poor", "较差"
    DANGEROUS = "dangerous", "危险"


# Worse first: the ranking page sorts by this.
CONDITION_WEIGHT = {"dangerous": 0, "poor": 1, "fair": 2, "good": 3}


class ServiceScope(models.TextChoices):
    CLEANING = "cleaning", "保洁"
    SECURITY = "security", "安保"
    GREENING = "greening", "绿化"
    REPAIR = "repair", "维修"
    CATERING = "catering", "餐饮"
    OTHER = "other", "其他"


class PricePeriod(models.TextChoices):
    MONTH = "month", "元/平方米·月"
    YEAR = "year", "元/平方米·年"


class BudgetItem(models.TextChoices):
    PROPERTY = "property", "物业"
    MAINTENANCE = "maintenance", "维修"
    ENERGY = "energy", "能耗"
    RENT = "rent", "租金"


class ExpenseItem(models.TextChoices):
    """Spending entered by hand (the others are computed from payments and contracts)."""

    ENERGY = "energy", "能耗"
    RENT = "rent", "租金"


class GateStage(models.TextChoices):
    """The step a stage gate stands before: the case application, or a stage entered."""

    SUBMIT = "submit", "提交立项申请"
    IN_PROGRESS = Stage.IN_PROGRESS.value, "开始实施"
    ACCEPTED = Stage.ACCEPTED.value, "验收"
    EVALUATED = Stage.EVALUATED.value, "评价"
    ARCHIVED = Stage.ARCHIVED.value, "归档"
