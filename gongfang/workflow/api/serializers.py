"""Serializers of the approval API: cases (read; written through the services by their own
input serializers), their history, attachments, tasks, notifications and definitions."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...framework.api.serializers import (
    BriefSerializer,
    ObjectSerializer,
    ScopedPrimaryKeyRelatedField,
    id_field,
)
from ...registry.models import Organization
from .. import selectors
from ..choices import DECISIONS, Action, CaseKind
from ..models import (
    Attachment,
    Case,
    CaseAction,
    Notification,
    ProcessDefinition,
    Signature,
    StepDefinition,
    Task,
)
from ..tables import is_overdue

# What an approver may decide (a subset of the case actions): its own enum in the schema.
DECISION_CHOICES = [(d, dict(Action.choices)[d]) for d in DECISIONS]


class SubjectSerializer(serializers.Serializer):
    type = serializers.SerializerMethodField(label="对象类型")
    label = serializers.CharField(label="对象")
    object = serializers.SerializerMethodField(label="对象（简要）")
    version_seen = serializers.IntegerField(allow_null=True, label="提交时版本")

    @extend_schema_field(OpenApiTypes.STR)
    def get_type(self, obj) -> str:
        target = obj.target
        return str(target._meta.verbose_name) if target is not None else ""

    @extend_schema_field(BriefSerializer(allow_null=True))
    def get_object(self, obj) -> dict | None:
        target = obj.target
        if target is None:
            return None
        try:
            return BriefSerializer(target, context=self.context).data
        except Exception:  # a subject model without an API endpoint
            return {"id": target.pk, "url": "", "display": str(target)}


class CaseSerializer(ObjectSerializer):
    """审批事项：事项类型、文号、事由、申请单位、对方单位、申请内容（payload，由事项类型的表单校验）、
    状态、当前环节、办理期限；viewer_actions 为当前账号可执行的操作。新建、修改、提交、办理、撤回
    都通过专门的接口（见各操作说明）。"""

    overdue = serializers.SerializerMethodField(label="逾期")
    subjects = SubjectSerializer(many=True, read_only=True, label="涉及对象")
    viewer_actions = serializers.SerializerMethodField(
        label="可执行的操作",
        help_text="edit 修改；submit 提交；withdraw 撤回；approve 同意；return 退回修改；"
        "reject 不予批准；attach 上传附件。只在查看单个事项时给出，列表中为空。",
    )

    class Meta(ObjectSerializer.Meta):
        model = Case
        read_only_fields = [f.name for f in Case._meta.concrete_fields]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, obj: Case) -> bool:
        return is_overdue(obj)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_viewer_actions(self, obj: Case) -> list[str]:
        request = self.context.get("request")
        if request is None or self.context.get("view_action") == "list":
            return []
        return selectors.viewer_actions(request.user, obj)


class CaseCreateSerializer(serializers.Serializer):
    """新建审批事项（草稿）：事项类型、申请单位和申请内容。"""

    kind = serializers.ChoiceField(choices=CaseKind.choices, label="事项类型")
    applicant = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), label="申请单位")
    data = serializers.DictField(
        label="申请内容",
        help_text="按事项类型的表单字段填写（字段名与页面表单相同），由事项类型校验。",
    )
    submit = serializers.BooleanField(
        required=False, default=False, label="同时提交", help_text="true：保存后立即提交审批"
    )


class CaseUpdateSerializer(serializers.Serializer):
    """修改草稿或已退回事项的申请内容。"""

    data = serializers.DictField(label="申请内容")


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**31 - 1,
        label="所依据的版本",
        help_text="读取事项时的 version（或 If-Match 请求头）；事项已变化时不办理",
    )


class DecideSerializer(VersionSerializer):
    """审批人办理：同意、退回修改或不予批准；需电子签批的环节须提供登录密码和动态口令。"""

    decision = serializers.ChoiceField(choices=DECISION_CHOICES, label="办理意见")
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, label="意见说明"
    )
    password = serializers.CharField(
        required=False, allow_blank=True, write_only=True, label="登录密码"
    )
    otp = serializers.CharField(required=False, allow_blank=True, write_only=True, label="动态口令")


class WithdrawSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, label="说明")


class BatchSignSerializer(serializers.Serializer):
    """批量签批：一次身份确认，逐件同意。"""

    cases = serializers.ListField(
        child=id_field(), allow_empty=False, max_length=500, label="审批事项编号"
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, label="签批意见"
    )
    password = serializers.CharField(write_only=True, label="登录密码")
    otp = serializers.CharField(write_only=True, label="动态口令")


class BatchResultSerializer(serializers.Serializer):
    case = BriefSerializer(label="审批事项")
    state = serializers.CharField(label="状态")
    state_display = serializers.CharField(label="状态（名称）")
    error = serializers.CharField(allow_null=True, label="未办理的原因")


class SignatureSerializer(serializers.ModelSerializer):
    signer_display = serializers.CharField(source="signer", read_only=True, label="签批人")

    class Meta:
        model = Signature
        fields = [
            "id",
            "signer",
            "signer_display",
            "signed_at",
            "content_hash",
            "algorithm",
            "method",
        ]


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField(label="下载地址")
    uploaded_by_display = serializers.CharField(
        source="uploaded_by", read_only=True, label="上传人"
    )

    class Meta:
        model = Attachment
        fields = [
            "id",
            "name",
            "size",
            "sha256",
            "action",
            "uploaded_by",
            "uploaded_by_display",
            "uploaded_at",
            "download_url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, obj: Attachment) -> str:
        from django.urls import reverse

        url = reverse(
            "api:workflow:case-attachment-download",
            kwargs={"pk": obj.case_id, "attachment": obj.pk},
        )
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        label="文件", help_text="PDF、JPG、PNG、DOCX、XLSX、OFD，不超过 20 MB"
    )


class CaseActionSerializer(serializers.ModelSerializer):
    """办理记录：环节、办理人、操作、意见、前后状态、电子签批与附件。"""

    action_display = serializers.CharField(source="get_action_display", label="操作（名称）")
    actor_display = serializers.CharField(source="actor", allow_null=True, label="办理人")
    state_before_display = serializers.CharField(
        source="get_state_before_display", label="原状态（名称）"
    )
    state_after_display = serializers.CharField(
        source="get_state_after_display", label="新状态（名称）"
    )
    signature = SignatureSerializer(allow_null=True, label="电子签批")
    attachments = AttachmentSerializer(many=True, label="附件")

    class Meta:
        model = CaseAction
        fields = [
            "id",
            "at",
            "step_name",
            "actor",
            "actor_display",
            "action",
            "action_display",
            "comment",
            "state_before",
            "state_before_display",
            "state_after",
            "state_after_display",
            "signature",
            "attachments",
        ]


class ChangeSerializer(serializers.Serializer):
    model = serializers.CharField(label="对象类型")
    label = serializers.CharField(label="对象")
    field = serializers.CharField(label="项目")
    before = serializers.CharField(label="变更前")
    after = serializers.CharField(label="变更后")
    operation = serializers.CharField(
        label="操作", help_text="create 新增；update 修改；delete 移除"
    )


class PreviewSerializer(serializers.Serializer):
    """批准后将发生的变更，以及当前不能生效的原因。"""

    changes = ChangeSerializer(many=True, label="变更")
    problems = serializers.ListField(child=serializers.CharField(), label="不能生效的原因")


class TaskSerializer(serializers.ModelSerializer):
    """待办：事项、环节、办理人规则、期限、状态。"""

    url = serializers.SerializerMethodField(label="接口地址")
    case_display = BriefSerializer(source="case", read_only=True, label="审批事项")
    kind_display = serializers.CharField(source="case.get_kind_display", label="事项类型")
    step_name = serializers.CharField(source="step.name", label="环节")
    needs_signature = serializers.BooleanField(source="step.needs_signature", label="需电子签批")
    rule_display = serializers.CharField(source="get_rule_display", label="办理人（名称）")
    state_display = serializers.CharField(source="get_state_display", label="状态（名称）")
    overdue = serializers.SerializerMethodField(label="逾期")

    class Meta:
        model = Task
        fields = [
            "id",
            "url",
            "case",
            "case_display",
            "kind_display",
            "step_name",
            "needs_signature",
            "rule",
            "rule_display",
            "state",
            "state_display",
            "opened_at",
            "due_on",
            "overdue",
            "done_at",
            "decision",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: Task) -> str:
        from ...framework.api.serializers import api_detail_url

        return api_detail_url(obj, self.context.get("request"))

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, obj: Task) -> bool:
        from ...framework import clock

        return obj.state == "open" and obj.due_on < clock.today()


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "message", "case", "url", "created_at", "read_at"]


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=id_field(),
        required=False,
        label="消息编号",
        help_text="不填则全部标为已读",
    )


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = StepDefinition
        fields = ["order", "name", "actors", "actions", "time_limit_days", "needs_signature"]


class ProcessDefinitionSerializer(ObjectSerializer):
    """审批流程（按事项类型和区划分版本）：环节、办理人规则、可选操作、时限、是否需电子签批。"""

    steps = StepSerializer(many=True, read_only=True, label="审批环节")

    class Meta(ObjectSerializer.Meta):
        model = ProcessDefinition
        read_only_fields = [f.name for f in ProcessDefinition._meta.concrete_fields]
