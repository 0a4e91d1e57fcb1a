"""Code lists of the ledger."""

from django.db import models


class Mode(models.TextChoices):
    """What an import does with a row whose natural key is already registered."""

    CREATE = "create", "仅新增（已有记录不更新）"
    UPSERT = "upsert", "新增并更新"
