"""Forms of the sign-in pages: login, password change, second factor, API tokens."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.validators import MaxValueValidator

from .models import ApiToken, User


def _control(placeholder: str = "", autocomplete: str = "", **attrs) -> dict:
    result = {"class": "form-control", **attrs}
    if placeholder:
        result["placeholder"] = placeholder
    if autocomplete:
        result["autocomplete"] = autocomplete
    return result


class LoginForm(AuthenticationForm):
    """The standard form, with Chinese messages and Tabler widgets. The same message for a wrong
    password and an unknown account, so the page does not tell whether an account exists."""

    error_messages = {
        "invalid_login": "账号或密码不正确。请注意密码区分大小写。",
        "inactive": "账号或密码不正确。请注意密码区分大小写。",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "账号"
        self.fields["username"].widget.attrs.update(_control("请输入账号", "username"))
        self.fields["password"].label = "密码"
        self.fields["password"].widget = forms.PasswordInput(
            attrs=_control("请输入密码", "current-password")
        )


class PasswordChangeForm(forms.Form):
    """The current password, and the new one twice; the policy is checked by the service."""

    old_password = forms.CharField(
        label="当前密码",
        strip=False,
        widget=forms.PasswordInput(attrs=_control(autocomplete="current-password")),
    )
    new_password1 = forms.CharField(
        label="新密码",
        strip=False,
        widget=forms.PasswordInput(attrs=_control(autocomplete="new-password")),
    )
    new_password2 = forms.CharField(
        label="再次输入新密码",
        strip=False,
        widget=forms.PasswordInput(attrs=_control(autocomplete="new-password")),
    )

    def __init__(self, user: User, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = " ".join(password_validators_help_texts())

    def clean_old_password(self) -> str:
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError("当前密码不正确。")
        return value

    def clean(self) -> dict:
        data = super().clean()
        new1, new2 = data.get("new_password1"), data.get("new_password2")
        if new1 and new2 and new1 != new2:
            self.add_error("new_password2", "两次输入的新密码不一致。")
        return data


class OTPTokenForm(forms.Form):
    token = forms.CharField(
        label="动态口令",
        max_length=20,
        widget=forms.TextInput(
            attrs=_control(
                "6 位数字",
                "one-time-code",
                inputmode="numeric",
                autofocus="autofocus",
            )
        ),
    )


class RecoveryOrOTPForm(OTPTokenForm):
    """Verification accepts a code from the authenticator or one of the recovery codes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].label = "动态口令或恢复码"
        self.fields["token"].widget.attrs["placeholder"] = "6 位数字，或一个恢复码"
        self.fields["token"].widget.attrs["inputmode"] = "text"


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label="用途",
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs=_control("如：与不动产登记系统对接")),
    )
    scope = forms.ChoiceField(
        label="权限",
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    days = forms.IntegerField(
        label="有效天数",
        min_value=1,
        widget=forms.NumberInput(attrs=_control()),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = settings.API_TOKEN_DEFAULT_DAYS
        self.fields["days"].validators.append(
            MaxValueValidator(
                settings.API_TOKEN_MAX_DAYS, f"有效期最长 {settings.API_TOKEN_MAX_DAYS} 天。"
            )
        )
        self.fields["days"].help_text = f"最长 {settings.API_TOKEN_MAX_DAYS} 天。"
