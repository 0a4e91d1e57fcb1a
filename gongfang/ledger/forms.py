"""The upload form."""

from __future__ import annotations

from django import forms

from .choices import Mode
from .specs import SHEETS


class UploadForm(forms.Form):
    file = forms.FileField(
        label="台账文件",
        help_text="Excel（.xlsx）或 CSV（UTF-8 / GBK）；不超过 50 MB",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    mode = forms.ChoiceField(
        label="导入方式", choices=Mode.choices, initial=Mode.UPSERT, widget=forms.RadioSelect
    )
    sheet = forms.ChoiceField(
        label="CSV 文件的台账类别",
        choices=[("", "（Excel 文件按工作表名称识别，无需选择）")]
        + [(s.key, s.title) for s in SHEETS],
        required=False,
    )
