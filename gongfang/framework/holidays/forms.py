"""Forms of the holiday calendar; the services validate."""

from __future__ import annotations

from django import forms

from ..forms import ScopedModelForm
from ..models import CalendarDay, HolidayYear


class HolidayYearForm(ScopedModelForm):
    class Meta:
        model = HolidayYear
        fields = ["year", "state", "source", "announced_on", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class CalendarDayForm(ScopedModelForm):
    class Meta:
        model = CalendarDay
        fields = ["year", "date", "kind", "name"]


class AnnounceForm(forms.Form):
    """What announcing a year records: the notice and its date."""

    source = forms.CharField(
        label="依据", max_length=200, help_text="通知名称或文号，如 国办发明电〔2025〕7号"
    )
    announced_on = forms.DateField(
        label="公布日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="表格文件",
        help_text="Excel（.xlsx）或 CSV，每行依次为：日期、类型（法定节假日 / 调休上班）、节日名称；"
        "第一行可为表头",
    )
    replace = forms.BooleanField(
        label="替换该年已有的全部日期", required=False, help_text="勾选后，文件中没有的日期将被删除"
    )
