"""The approval engine (网上办理): process definitions as versioned data, cases and their history.

A ``ProcessDefinition`` is one revision of the steps a case kind runs through in a region (no
region: the national default). A case keeps the revision it was submitted under, so editing a
definition (which makes a new revision) never changes a running case. Each open step becomes one
``Task`` per actor rule (several = 会签, all must approve); an account's to-do is the open tasks
whose role and scope match it. Every decision is a ``CaseAction``; one that needed an e-signature
points to its ``Signature`` (signer, time, hash of the case's content).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from ..framework.models import PrimaryModel
from ..framework.querysets import RestrictedQuerySet
from ..framework.scope import NOTHING, Scope, scope_q
from ..standards.models import account_region, region_prefixes
from .choices import Action, ActorRule, CaseKind, CaseState, TaskState


# Definitions ----------------------------------------------------------------------------------
class DefinitionQuerySet(RestrictedQuerySet):
    """National definitions are read by every business account, local ones as standards are."""

    def restrict(self, user, action: str = "view") -> DefinitionQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if not user.has_model_perm(self.model, action):
            return self.none()
        return self.filter(definition_scope_q(user, action, self.model.region_prefix))


def definition_scope_q(user, action: str, prefix: str = "") -> Q:
    """View: national definitions, and local ones whose region contains the account's place or
    lies inside its region scope. Write: local definitions inside the account's region scope (a
    national definition is revised by making a local one)."""
    if action == "view":
        region = account_region(user)
        if region is None:
            return NOTHING
        q = Q(**{f"{prefix}region__isnull": True}) | Q(
            **{f"{prefix}region__path__in": region_prefixes(region.path)}
        )
        if getattr(user, "scope_region_id", None):
            q |= Q(**{f"{prefix}region__path__startswith": region.path})
        return q
    if not getattr(user, "scope_region_id", None):
        return NOTHING
    return Q(**{f"{prefix}region__path__startswith": user.scope_region.path})


class ProcessDefinition(PrimaryModel):
    """One revision of a case kind's process in a region (none: the national default)."""

    kind = models.CharField("事项类型", max_length=20, choices=CaseKind.choices)
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="适用区划",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="留空为全国默认流程；指定后适用于该区划及其下级。",
    )
    revision = models.PositiveIntegerField("修订号", default=1)
    name = models.CharField("流程名称", max_length=100)
    effective_from = models.DateField("生效日期")
    source = models.CharField("依据", max_length=300, blank=True)
    # The human number's prefix before 〔year〕n号, e.g. "枣机管调".
    number_prefix = models.CharField("文号前缀", max_length=30)
    is_active = models.BooleanField("启用", default=True)

    objects = DefinitionQuerySet.as_manager()
    region_prefix: ClassVar[str] = ""
    scope = None

    class Meta:
        verbose_name = "审批流程"
        verbose_name_plural = "审批流程"
        ordering = ["kind", "region__path", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "region", "revision"], name="processdefinition_revision"
            ),
            models.UniqueConstraint(
                fields=["kind", "revision"],
                condition=Q(region__isnull=True),
                name="processdefinition_national_revision",
            ),
        ]

    def __str__(self) -> str:
        where = self.region.name if self.region_id else "全国"
        return f"{self.name}（{where}，第 {self.revision} 版）"


class StepDefinition(PrimaryModel):
    """A step of a definition: who acts, what they may decide, in how many working days."""

    definition = models.ForeignKey(
        ProcessDefinition, verbose_name="流程", on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField("顺序")
    name = models.CharField("环节名称", max_length=60)
    # ActorRule values; more than one: a parallel countersign (会签), every one must approve.
    actors = models.JSONField("办理人", default=list)
    # A subset of choices.DECISIONS.
    actions = models.JSONField("可选操作", default=list)
    time_limit_days = models.PositiveSmallIntegerField("办理时限（工作日）", default=5)
    needs_signature = models.BooleanField("需电子签批", default=False)

    objects = DefinitionQuerySet.as_manager()
    region_prefix: ClassVar[str] = "definition__"
    scope = None

    class Meta:
        verbose_name = "审批环节"
        verbose_name_plural = "审批环节"
        ordering = ["definition", "order"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "order"], name="stepdefinition_order")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"

    @property
    def is_countersign(self) -> bool:
        return len(self.actors) > 1


# Cases ----------------------------------------------------------------------------------------
class CaseQuerySet(RestrictedQuerySet):
    """A case is seen by the applicant's scope (and the counterparty's) and by every account one
    of its tasks names, nothing else."""

    def restrict(self, user, action: str = "view") -> CaseQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if not user.has_model_perm(self.model, action):
            return self.none()
        q = scope_q(self.model, user, action)
        if action == "view":
            q |= Q(pk__in=Task.objects.for_user(user).values("case_id"))
        return self.filter(q)


class Case(PrimaryModel):
    kind = models.CharField("事项类型", max_length=20, choices=CaseKind.choices)
    # Given on first submission: 枣机管调〔2026〕17号.
    number = models.CharField("文号", max_length=60, blank=True, db_index=True)
    title = models.CharField("事由", max_length=200)
    definition = models.ForeignKey(
        ProcessDefinition, verbose_name="审批流程", on_delete=models.PROTECT, related_name="cases"
    )
    applicant = models.ForeignKey(
        "registry.Organization",
        verbose_name="申请单位",
        on_delete=models.PROTECT,
        related_name="cases",
    )
    # The other organization the case concerns: the receiving one of an allocation, the
    # borrower of a loan. It reads the case too.
    counterparty = models.ForeignKey(
        "registry.Organization",
        verbose_name="对方单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="counterparty_cases",
    )
    region = models.ForeignKey(
        "registry.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Validated by the kind's form (workflow.kinds); the effect reads it on approval.
    payload = models.JSONField("申请内容", default=dict, blank=True)
    state = models.CharField(
        "状态", max_length=12, choices=CaseState.choices, default=CaseState.DRAFT
    )
    # The order of the open step (None when no step is open).
    step_order = models.PositiveSmallIntegerField("当前环节", null=True, blank=True)
    deadline = models.DateField("办理期限", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)
    applied_at = models.DateTimeField("生效时间", null=True, blank=True)
    # The date the effects take hold; an approved case waits for it (a job applies it).
    effective_on = models.DateField("生效日期", null=True, blank=True)
    # sha256 of the content an approver saw (kind, applicant, payload, subjects) at submission.
    content_hash = models.CharField("内容摘要", max_length=128, blank=True)
    # What applying changed, as the preview listed it, kept for the record.
    result = models.JSONField("办理结果", default=dict, blank=True)

    objects = CaseQuerySet.as_manager()
    scope = Scope(region="region", organization="applicant", organization_read=("counterparty",))

    class Meta:
        verbose_name = "审批事项"
        verbose_name_plural = "审批事项"
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["state", "kind"]),
            models.Index(fields=["deadline"]),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.get_kind_display()}（草稿）{self.title}"


class CaseSubject(models.Model):
    """An object the case touches, with the version it had when the case was submitted: a
    subject changed since then stops the effects (nothing is applied on stale data)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="subjects")
    room = models.ForeignKey(
        "registry.Room", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    building = models.ForeignKey(
        "registry.Building", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    compound = models.ForeignKey(
        "registry.Compound", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    warning = models.ForeignKey(
        "compliance.Warning",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    label = models.CharField("对象", max_length=200)
    version_seen = models.PositiveIntegerField("提交时版本", null=True, blank=True)

    SUBJECT_FIELDS: ClassVar[tuple[str, ...]] = (
        "room",
        "building",
        "compound",
        "organization",
        "person",
        "warning",
    )

    class Meta:
        verbose_name = "审批对象"
        verbose_name_plural = "审批对象"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def target(self) -> models.Model | None:
        for name in self.SUBJECT_FIELDS:
            if getattr(self, f"{name}_id"):
                return getattr(self, name)
        return None


class TaskQuerySet(models.QuerySet):
    def for_user(self, user) -> TaskQuerySet:
        """Tasks whose role the account holds and whose place is its scope (its to-do, open or
        done)."""
        roles = list(getattr(user, "roles", None) or ())
        if not roles:
            return self.none()
        q = Q(pk__in=[])
        if getattr(user, "scope_region_id", None):
            q |= Q(region_id=user.scope_region_id, organization__isnull=True)
        if getattr(user, "scope_organization_id", None):
            q |= Q(organization_id=user.scope_organization_id)
        return self.filter(q, role__in=roles)

    def open(self) -> TaskQuerySet:
        return self.filter(state=TaskState.OPEN)


class Task(models.Model):
    """What one actor rule has to do at one step of one case (待办)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    step = models.ForeignKey(
        StepDefinition, verbose_name="环节", on_delete=models.PROTECT, related_name="+"
    )
    rule = models.CharField("办理人", max_length=20, choices=ActorRule.choices)
    # Resolved when the step opens: the role and the place (a bureau's region, or a unit) whose
    # accounts may act.
    role = models.CharField("角色", max_length=20)
    region = models.ForeignKey(
        "registry.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(
        "状态", max_length=10, choices=TaskState.choices, default=TaskState.OPEN
    )
    opened_at = models.DateTimeField("收到时间")
    due_on = models.DateField("办理期限")
    done_at = models.DateTimeField("办理时间", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decision = models.CharField("办理结果", max_length=10, choices=Action.choices, blank=True)
    reminded_on = models.DateField("最近催办", null=True, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = "待办"
        verbose_name_plural = "待办"
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["state", "role", "region"]),
            models.Index(fields=["state", "role", "organization"]),
            models.Index(fields=["state", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.step.name} · {self.get_rule_display()}"


class Signature(models.Model):
    """An e-signature (签批): the signer re-confirmed password and second factor; the hash is
    of the case's content as signed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="signatures")
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签批人", on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField("签批时间")
    content_hash = models.CharField("内容摘要", max_length=128)
    algorithm = models.CharField("摘要算法", max_length=20, default="sha256")
    # How the signer was confirmed: "password+totp".
    method = models.CharField("确认方式", max_length=30)

    class Meta:
        verbose_name = "电子签批"
        verbose_name_plural = "电子签批"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.signer} {self.signed_at:%Y-%m-%d %H:%M}"


class CaseAction(models.Model):
    """One entry of a case's history (also written to the audit trail)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    task = models.ForeignKey(
        Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    step_name = models.CharField("环节", max_length=60, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    comment = models.TextField("意见", blank=True)
    at = models.DateTimeField("时间")
    state_before = models.CharField("原状态", max_length=12, choices=CaseState.choices, blank=True)
    state_after = models.CharField("新状态", max_length=12, choices=CaseState.choices)
    signature = models.OneToOneField(
        Signature, on_delete=models.PROTECT, null=True, blank=True, related_name="action"
    )

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"cases/{instance.case_id}/{filename}"


class Attachment(models.Model):
    """A file of a case (an agreement, a scanned signed paper), served only by a scoped view."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    action = models.ForeignKey(
        CaseAction, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=attachment_path, max_length=300)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class NumberCounter(models.Model):
    """The last number given per prefix and year (locked while a number is taken)."""

    prefix = models.CharField(max_length=30)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="numbercounter_prefix_year")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.last}号"


class Notification(models.Model):
    """An in-app notification (站内消息): a new task, a reminder, a decision on one's case."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    message = models.CharField("内容", max_length=300)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.message
