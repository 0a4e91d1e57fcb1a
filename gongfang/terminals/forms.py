"""The bureau's form for a terminal: its phone number and the vehicle it is bound to."""

from __future__ import annotations

from django import forms

from ..framework.forms import ScopedModelForm
from .models import Terminal


class TerminalForm(ScopedModelForm):
    class Meta:
        model = Terminal
        fields = ["phone", "vehicle", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"vehicle": "绑定后终端方可注册、鉴权并上报位置；解除绑定请清空。"}
