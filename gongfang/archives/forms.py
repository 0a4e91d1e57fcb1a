"""Forms of archives: upload (a new paper or a new version), edit of the particulars, categories."""

from __future__ import annotations

from django import forms
from django.contrib.contenttypes.models import ContentType

from ..framework.forms import ScopedModelForm
from ..registry.validators import validate_not_future
from .models import Document, DocumentCategory
from .selectors import active_categories
from .services import ALLOWED_LABELS, max_upload_bytes
from .subjects import registered_models

# What the file input offers in the browser's picker; the server sniffs the content anyway.
ACCEPT = (
    ".pdf,.png,.jpg,.jpeg,.gif,.webp,.tif,.tiff,.docx,.xlsx,.doc,.xls,.zip,.txt,.dxf,.ifc,"
    "application/pdf,image/*"
)


def subject_type_choices() -> list[tuple[int, str]]:
    types = ContentType.objects.get_for_models(*registered_models(), for_concrete_models=False)
    return sorted(
        ((ct.pk, str(model._meta.verbose_name)) for model, ct in types.items()),
        key=lambda choice: choice[1],
    )


class DocumentUploadForm(forms.Form):
    """上传档案资料：对象（类型 + 编号，从对象页面带入）、类别、标题、成文日期、来源、文件。"""

    subject_type = forms.TypedChoiceField(label="对象类型", coerce=int)
    subject_id = forms.IntegerField(label="对象编号", min_value=1, max_value=2**63 - 1)
    supersedes = forms.IntegerField(
        label="替换的资料", required=False, min_value=1, max_value=2**63 - 1
    )
    category = forms.ModelChoiceField(label="类别", queryset=DocumentCategory.objects.none())
    title = forms.CharField(
        label="标题", max_length=200, required=False, help_text="留空则取文件名"
    )
    issued_on = forms.DateField(
        label="成文日期",
        required=False,
        validators=[validate_not_future],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    source = forms.CharField(
        label="来源", max_length=200, required=False, help_text="如发文机关、测绘单位、扫描自原件"
    )
    file = forms.FileField(label="文件", widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))

    def __init__(self, *args, user, subject_fixed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["subject_type"].choices = subject_type_choices()
        self.fields["category"].queryset = active_categories()
        limit = max_upload_bytes() // (1024 * 1024)
        self.fields["file"].help_text = f"{ALLOWED_LABELS}，不超过 {limit} MB"
        if subject_fixed:
            for name in ("subject_type", "subject_id", "supersedes"):
                self.fields[name].widget = forms.HiddenInput()
        else:
            self.fields["supersedes"].widget = forms.HiddenInput()
        for field in self.fields.values():
            if isinstance(field.widget, forms.HiddenInput):
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean_file(self):
        file = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if file is not None and file.size > limit:
            raise forms.ValidationError(
                f"大小 {file.size / 1024 / 1024:.1f} MB，超过上限 {limit / 1024 / 1024:.1f} MB。"
            )
        return file

    def subject_model(self):
        ct = ContentType.objects.get_for_id(self.cleaned_data["subject_type"])
        return ct.model_class()


class DocumentForm(ScopedModelForm):
    """修改档案资料的标题、类别、成文日期和来源（文件不变；新文件请上传新版本）。"""

    class Meta:
        model = Document
        fields = ["title", "category", "issued_on", "source"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        field = self.fields["category"]
        current = self.instance.category_id if self.instance.pk else None
        field.queryset = DocumentCategory.objects.filter(active=True) | (
            DocumentCategory.objects.filter(pk=current)
        )
        field.widget = forms.Select(attrs={"class": "form-select"}, choices=field.choices)


class DocumentCategoryForm(ScopedModelForm):
    class Meta:
        model = DocumentCategory
        fields = ["code", "name", "order", "active"]
