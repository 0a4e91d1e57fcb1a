"""Forms of account management. They parse input; the services decide (三员分立 and the rules)."""

from __future__ import annotations

from django import forms
from django.urls import reverse

from ..framework.widgets import APISelect
from ..registry.models import Organization, Region
from .models import User
from .roles import BUSINESS_ROLES, SEPARATED_ADMIN_ROLES, Role


def _tabler(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class PasswordPairMixin(forms.Form):
    """A password typed twice; the policy (length, classes, history) is checked by the service."""

    password1 = forms.CharField(
        label="密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="账号本人须在首次登录时修改此密码。",
    )
    password2 = forms.CharField(
        label="确认密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_password2(self) -> str:
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if first and second and first != second:
            raise forms.ValidationError("两次输入的密码不一致。")
        return second


class ProfileForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50, required=False)
    phone = forms.CharField(label="手机号码", max_length=20, required=False)
    email = forms.EmailField(label="电子邮箱", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _tabler(self)


class AccountCreateForm(PasswordPairMixin, ProfileForm):
    username = forms.CharField(
        label="账号", max_length=150, help_text="登录用的账号名，创建后不能修改。"
    )

    field_order = ("username", "name", "phone", "email", "password1", "password2")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)
        _tabler(self)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username=username).exists():
            raise forms.ValidationError("该账号已存在。")
        return username


class PasswordResetForm(PasswordPairMixin):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = "新密码"
        self.fields["password2"].label = "确认新密码"
        _tabler(self)


class LookupSelect(APISelect):
    """A select filled from the account pages' own lookup (the security administrator reads no
    registry API): region or organization by name or code."""

    def __init__(self, url_name: str, attrs=None):
        super().__init__(attrs)
        self.url_name = url_name

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-api-url"] = reverse(self.url_name)
        return context


def _role_choices(roles) -> list[tuple[str, str]]:
    return [(r.value, r.label) for r in Role if r in roles]


class AccessForm(forms.Form):
    """Roles and scope of an account (安全管理员)."""

    business_roles = forms.MultipleChoiceField(
        label="业务角色",
        choices=_role_choices(BUSINESS_ROLES),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text="业务角色须指定管辖区域或管辖单位。",
    )
    admin_role = forms.ChoiceField(
        label="管理员角色（三员分立）",
        choices=[("", "无"), *_role_choices(SEPARATED_ADMIN_ROLES)],
        required=False,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        help_text="系统、安全、审计管理员至多兼任其一，且不与业务角色兼任。",
    )
    scope_region = forms.ModelChoiceField(
        label="管辖区域",
        queryset=Region.objects.all(),
        required=False,
        widget=LookupSelect("manage:lookup_regions"),
    )
    scope_organization = forms.ModelChoiceField(
        label="管辖单位",
        queryset=Organization.objects.all(),
        required=False,
        widget=LookupSelect("manage:lookup_organizations"),
        help_text="区域与单位只能设置其一。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _tabler(self)

    @classmethod
    def initial_for(cls, user: User) -> dict:
        return {
            "business_roles": [r for r in user.roles if r in BUSINESS_ROLES],
            "admin_role": next((r for r in user.roles if r in SEPARATED_ADMIN_ROLES), ""),
            "scope_region": user.scope_region_id,
            "scope_organization": user.scope_organization_id,
        }

    def clean(self):
        data = super().clean()
        if data.get("scope_region") and data.get("scope_organization"):
            raise forms.ValidationError("一个账号只能管辖一个区域或一个单位，不能同时设置。")
        if data.get("admin_role") and data.get("business_roles"):
            business = "、".join(Role(r).label for r in data["business_roles"])
            self.add_error(
                "admin_role",
                f"三员分立：{Role(data['admin_role']).label}不能兼任业务角色（{business}）。",
            )
        return data

    def roles(self) -> list[str]:
        data = self.cleaned_data
        return [
            *data.get("business_roles", []),
            *([data["admin_role"]] if data.get("admin_role") else []),
        ]


class ConfirmForm(forms.Form):
    """A POST with a CSRF token and nothing else: the confirmation of an action."""


class AddressUnlockForm(forms.Form):
    ip_address = forms.GenericIPAddressField(label="地址")
