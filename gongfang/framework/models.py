"""Base model for every domain object and the one change log for all of them."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .control_characters import control_character_errors
from .links import pk_url
from .querysets import RestrictedQuerySet
from .scope import Scope
from .uniqueness import unique_error_message

DATES_ORDERED_MESSAGE = "结束日期不能早于开始日期。"


def dates_ordered_constraint(start: str, end: str, name: str) -> models.CheckConstraint:
    """The database's own refusal of a period that ends before it starts (``end >= start``), so
    a write that bypasses ``clean`` cannot store one either."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{end}__gte": models.F(start)}),
        name=name,
        violation_error_message=DATES_ORDERED_MESSAGE,
    )


class PrimaryModel(models.Model):
    """A domain object: scoped, change-logged, with a page of its own."""

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # Raised by one on every write that changes the row (services, imports): an edit based on an
    # older version is refused instead of silently undoing the one in between (DESIGN §7).
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    objects = RestrictedQuerySet.as_manager()

    scope: ClassVar[Scope]
    unique_error_message = unique_error_message
    # Fields left out of the change log's before/after (derived or bookkeeping values).
    changelog_exclude: ClassVar[tuple[str, ...]] = ("created_at", "updated_at")

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        """Remember the values as read, so a save writes only the fields that differ."""
        instance = super().from_db(db, field_names, values)
        instance._loaded_values = dict(zip(field_names, values, strict=True))
        return instance

    def clean_fields(self, exclude=None) -> None:
        """The fields' own validation, and no control character in any text: pages, API and
        imports all validate through here."""
        errors = control_character_errors(self, exclude)
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self) -> str:
        return pk_url(f"{self._meta.app_label}:{self._meta.model_name}", self.pk)


class AuditQuerySet(RestrictedQuerySet):
    """The change log's queryset: reads, and inserts that join the hash chain. ``audit_purge``
    deletes old rows through the base manager, the one way out of the log."""

    def bulk_create(self, objs, *args, **kwargs):
        from .changelog import append

        return append(list(objs))

    def update(self, **kwargs):
        raise PermissionError("变更记录不可修改")

    def delete(self):
        raise PermissionError("变更记录不可删除")

    delete.queryset_only = True


class ObjectChange(models.Model):
    """One entry of the audit trail: a create, update or delete of one object, with who, when,
    from where, before and after — or an event (a login, an approval, a waiver, an export) with
    its name, result and data.

    Rows are only ever added: the model and its querysets refuse updates and deletes, and no page
    or API offers them. Each row carries ``hash``, a SHA-256 over its content and ``prev_hash``
    (the hash of the row before it), so an edited or removed row breaks the chain
    (``manage.py audit_verify``). Rows are chained as they are written (``changelog.append``).
    The hash is keyed (HMAC with a secret kept outside the database, named by ``key_id``), so
    whoever can only write the database cannot rebuild the chain after a change.
    """

    class Action(models.TextChoices):
        CREATE = "create", "新建"
        UPDATE = "update", "修改"
        DELETE = "delete", "删除"
        EVENT = "event", "事件"

    class Result(models.TextChoices):
        SUCCESS = "success", "成功"
        FAILURE = "failure", "失败"

    # Set before the row is hashed (not auto_now_add, which would change it after hashing).
    time = models.DateTimeField("时间", default=timezone.now, editable=False, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作账号",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    user_name = models.CharField("账号名", max_length=150, blank=True)
    request_id = models.UUIDField("请求编号", null=True, blank=True, db_index=True)
    remote_addr = models.GenericIPAddressField("来源地址", null=True, blank=True)
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    event = models.CharField(
        "事件", max_length=60, blank=True, db_index=True, help_text="如 auth.login、warning.waive"
    )
    result = models.CharField("结果", max_length=10, choices=Result.choices, default=Result.SUCCESS)
    changed_object_type = models.ForeignKey(
        ContentType,
        verbose_name="对象类型",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    changed_object_id = models.PositiveBigIntegerField("对象编号", null=True, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    prechange_data = models.JSONField("变更前", null=True, blank=True)
    postchange_data = models.JSONField("变更后", null=True, blank=True)
    prev_hash = models.CharField("前一条哈希", max_length=64, blank=True, editable=False)
    hash = models.CharField("哈希", max_length=64, blank=True, editable=False)
    # The key (by id: the key itself is outside the database) and the MAC that sealed the row.
    key_id = models.CharField("密钥编号", max_length=32, blank=True, editable=False)
    algorithm = models.CharField("算法", max_length=16, blank=True, editable=False)

    objects = AuditQuerySet.as_manager()
    # The global log is not scoped: whoever may view it (audit_admin) sees all of it. An object's
    # own changes are shown on its page through selectors.changes_for(), not through this.
    scope: ClassVar[Scope | None] = None

    class Meta:
        verbose_name = "变更记录"
        verbose_name_plural = "变更记录"
        ordering = ["-time", "-pk"]
        indexes = [models.Index(fields=["changed_object_type", "changed_object_id"])]

    def __str__(self) -> str:
        if self.action == self.Action.EVENT:
            return f"{self.event} {self.object_repr}".strip()
        return f"{self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("变更记录不可修改")
        # Every new row joins the hash chain, however it is created.
        from .changelog import append

        append([self])

    def delete(self, *args, **kwargs):
        raise PermissionError("变更记录不可删除")

    def get_absolute_url(self) -> str:
        return pk_url("framework:objectchange", self.pk)

    @property
    def diff(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field whose value differs."""
        before = self.prechange_data or {}
        after = self.postchange_data or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class AuditChainHead(models.Model):
    """The end of the audit hash chain: one row, locked by every append.

    Locking it (``select_for_update``) serializes appends on PostgreSQL, so ids grow in chain
    order; SQLite serializes writers by itself. ``last_id``/``last_hash`` let ``audit_verify``
    notice rows cut from the end of the chain.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.PositiveBigIntegerField("最后一条编号", null=True, blank=True)
    last_hash = models.CharField("最后一条哈希", max_length=64, blank=True)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"#{self.last_id} {self.last_hash[:12]}"


class AuditCheckpoint(models.Model):
    """A signed note of the chain's head at one time, also written to a file outside the
    database (``AUDIT_CHECKPOINT_FILE``): whoever rewrites history, even with the chain's key,
    cannot make the rewritten rows agree with the checkpoints already exported."""

    created_at = models.DateTimeField("时间", db_index=True)
    last_id = models.PositiveBigIntegerField("截至记录编号")
    last_hash = models.CharField("截至记录哈希", max_length=64)
    key_id = models.CharField("密钥编号", max_length=32)
    algorithm = models.CharField("签名算法", max_length=16)
    public_key = models.CharField("验签公钥", max_length=160)
    signature = models.CharField("签名", max_length=200)

    class Meta:
        verbose_name = "审计检查点"
        verbose_name_plural = "审计检查点"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"检查点 #{self.pk}（截至记录 {self.last_id}）"


class HolidayYearState(models.TextChoices):
    ANNOUNCED = "announced", "已公布"
    PENDING = "pending", "未公布"


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", "法定节假日"
    MAKEUP_WORKDAY = "makeup_workday", "调休上班"


class HolidayYear(PrimaryModel):
    """One year of the official calendar as the State Council announced it (国务院办公厅关于某年
    部分节假日安排的通知). Until a year is announced its days are *unknown*: working-day
    arithmetic counts Monday to Friday and says so, holiday rules do not judge (DESIGN §7: rules
    are data, edited by the bureau when the notice comes out)."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    state = models.CharField(
        "状态",
        max_length=10,
        choices=HolidayYearState.choices,
        default=HolidayYearState.PENDING,
        help_text="未公布的年份不参与节假日判断：工作日按周一至周五推算，并注明是推算",
    )
    source = models.CharField(
        "依据", max_length=200, blank=True, help_text="通知名称或文号，如 国办发明电〔2025〕7号"
    )
    announced_on = models.DateField("公布日期", null=True, blank=True)
    note = models.TextField("备注", blank=True)

    # The official calendar is national: every business account reads it, the bureau edits it.
    scope = None

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年节假日安排"

    @property
    def is_announced(self) -> bool:
        return self.state == HolidayYearState.ANNOUNCED

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.year is not None and not 1949 < self.year < 2200:
            errors["year"] = "年份应在 1950 至 2199 之间。"
        if self.is_announced and not self.source.strip():
            errors["source"] = "已公布的年份须填写依据（通知名称或文号）。"
        if self.announced_on and self.year and self.announced_on.year > self.year:
            errors["announced_on"] = "公布日期不能晚于该年份。"
        if errors:
            raise ValidationError(errors)


class CalendarDay(PrimaryModel):
    """A day that differs from the ordinary week: a public holiday (法定节假日, also on a weekday)
    or a weekend day worked in exchange (调休上班)."""

    year = models.ForeignKey(
        HolidayYear, verbose_name="年份", on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=CalendarDayKind.choices)
    name = models.CharField("节日", max_length=60, blank=True, help_text="如 春节、国庆节")

    scope = None

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    @property
    def weekday_label(self) -> str:
        return "周" + "一二三四五六日"[self.date.weekday()]

    def __str__(self) -> str:
        return (
            f"{self.date:%Y-%m-%d} {self.get_kind_display()}{' ' + self.name if self.name else ''}"
        )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.date and self.year_id and self.year.year != self.date.year:
            errors["date"] = f"日期不在{self.year.year}年内。"
        elif self.date and self.kind == CalendarDayKind.MAKEUP_WORKDAY and self.date.weekday() < 5:
            errors["kind"] = "调休上班日应为周六或周日（周一至周五本就是工作日）。"
        if errors:
            raise ValidationError(errors)
