"""Password policy (DESIGN §6): strength, the last five, 90 days, forced change of initial and
reset passwords — each shown through the validators, the service and the pages."""

from __future__ import annotations

import datetime
import string

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from ..models import PasswordHistory, User
from ..passwords import set_password
from ..roles import Role
from ..validators import (
    CharacterClassesValidator,
    MinimumLengthValidator,
    UsernameValidator,
    character_classes,
)
from .conftest import PASSWORD, browser, events, login, make_account

pytestmark = [pytest.mark.real_auth]


def messages_of(exc: pytest.ExceptionInfo) -> str:
    return " ".join(exc.value.messages)


# Validators ----------------------------------------------------------------------------------
def test_length_validator_in_chinese():
    with pytest.raises(ValidationError) as exc:
        MinimumLengthValidator().validate("Ab#4567")
    assert messages_of(exc) == "密码太短，至少需要 8 个字符。"
    MinimumLengthValidator().validate("Ab#45678")


@override_settings(PASSWORD_MIN_LENGTH=12)
def test_length_is_a_setting():
    with pytest.raises(ValidationError, match="12"):
        MinimumLengthValidator().validate("Ab#456789012"[:11])


def test_character_classes_validator_in_chinese():
    with pytest.raises(ValidationError) as exc:
        CharacterClassesValidator().validate("abcdefgh12")
    assert "至少 3 类" in messages_of(exc) and "当前 2 类" in messages_of(exc)
    for ok in ("abcdEFGH12", "abcdefg#12", "ABCDEFG#12", "Abcdefgh#"):
        CharacterClassesValidator().validate(ok)


alphabet = st.sampled_from(string.ascii_letters + string.digits + "#@!%- 中文")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=alphabet, min_size=0, max_size=20))
def test_character_classes_counts_what_is_there(password):
    classes = character_classes(password)
    assert ("大写字母" in classes) == any(c.isascii() and c.isupper() for c in password)
    assert ("小写字母" in classes) == any(c.isascii() and c.islower() for c in password)
    assert ("数字" in classes) == any(c.isdigit() for c in password)
    assert ("符号" in classes) == any(not (c.isascii() and c.isalnum()) for c in password)
    try:
        CharacterClassesValidator().validate(password)
    except ValidationError:
        assert len(classes) < 3
    else:
        assert len(classes) >= 3


def test_username_validator_in_any_case():
    user = User(username="zhangsan")
    with pytest.raises(ValidationError) as exc:
        UsernameValidator().validate("My#ZhangSan1", user)
    assert messages_of(exc) == "密码不能包含账号名。"
    UsernameValidator().validate("My#Zhang1san", user)


@pytest.mark.django_db
def test_all_validators_are_installed_with_chinese_messages():
    user = make_account("wangwu", Role.UNIT_ADMIN)
    with pytest.raises(ValidationError) as exc:
        validate_password("wangwu1", user)
    text = messages_of(exc)
    assert "太短" in text and "至少 3 类" in text and "账号名" in text


# History -------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_none_of_the_last_five_passwords():
    user = make_account("lisi", Role.UNIT_ADMIN)
    passwords = [PASSWORD] + [f"Next#{i}Pass2026" for i in range(1, 6)]
    for new in passwords[1:]:
        set_password(user=user, raw_password=new, by_admin=False)
    # The current one and the four before it are refused ...
    for old in passwords[-5:]:
        with pytest.raises(ValidationError) as exc:
            set_password(user=user, raw_password=old, by_admin=False)
        assert messages_of(exc) == "新密码不能与最近 5 次使用过的密码相同。"
    # ... the sixth-last is allowed again.
    set_password(user=user, raw_password=passwords[0], by_admin=False)
    assert user.check_password(passwords[0])
    assert PasswordHistory.objects.filter(user=user).count() <= 5


@pytest.mark.django_db
@override_settings(PASSWORD_HISTORY_COUNT=2)
def test_history_length_is_a_setting():
    user = make_account("lisi2", Role.UNIT_ADMIN)
    set_password(user=user, raw_password="Second#Pass1", by_admin=False)
    set_password(user=user, raw_password="Third#Pass1", by_admin=False)
    with pytest.raises(ValidationError) as exc:
        set_password(user=user, raw_password="Second#Pass1", by_admin=False)  # one back: refused
    assert messages_of(exc) == "新密码不能与最近 2 次使用过的密码相同。"
    set_password(user=user, raw_password=PASSWORD, by_admin=False)  # three back: allowed
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_set_password_records_and_stamps():
    user = make_account("zhao", Role.UNIT_ADMIN, must_change_password=True)
    before = timezone.now()
    set_password(user=user, raw_password="Changed#2026x", by_admin=False)
    user.refresh_from_db()
    assert user.password_changed_at >= before
    assert user.must_change_password is False
    assert events("auth.password_change", user=user, result="success").count() == 1

    admin = make_account("sysadm", Role.SYS_ADMIN)
    set_password(user=user, raw_password="Reset#2026xyz", by_admin=True, actor=admin)
    user.refresh_from_db()
    assert user.must_change_password is True
    row = events("auth.password_reset").get()
    assert row.user == admin and row.changed_object_id == user.pk
    assert "password" not in (row.postchange_data or {})


@pytest.mark.django_db
def test_failed_policy_changes_nothing():
    user = make_account("qian", Role.UNIT_ADMIN)
    with pytest.raises(ValidationError):
        set_password(user=user, raw_password="short", by_admin=False)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not PasswordHistory.objects.filter(user=user).exists()


# Forced changes ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_initial_or_reset_password_must_be_changed_at_first_login():
    make_account("newbie", Role.UNIT_ADMIN, must_change_password=True)
    client = browser()
    response = login(client, "newbie")
    assert response.status_code == 302
    page = client.get(reverse("home"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("accounts:password_change"))
    form = client.get(page["Location"])
    assert "初始密码或重置后的密码须由本人修改" in form.content.decode()
    # Nothing else is reachable meanwhile.
    assert client.get(reverse("accounts:tokens")).status_code == 302

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Mine#Own2026",
            "new_password2": "Mine#Own2026",
            "next": reverse("home"),
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("accounts:tokens")).status_code == 200


@pytest.mark.django_db
def test_password_expires_after_90_days():
    user = make_account("oldpw", Role.UNIT_ADMIN)
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=90, minutes=1)
    )
    client = browser()
    login(client, "oldpw")
    response = client.get(reverse("accounts:sessions"))
    assert response["Location"].startswith(reverse("accounts:password_change"))
    assert "密码已超过 90 天未修改" in client.get(response["Location"]).content.decode()

    # 89 days is still fine.
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=89)
    )
    assert client.get(reverse("accounts:sessions")).status_code == 200


@pytest.mark.django_db
@override_settings(PASSWORD_MAX_AGE_DAYS=30)
def test_password_age_is_a_setting():
    user = make_account("oldpw30", Role.UNIT_ADMIN)
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=31)
    )
    user.refresh_from_db()
    assert user.password_expired


@pytest.mark.django_db
def test_change_page_shows_policy_errors_in_chinese():
    make_account("pager", Role.UNIT_ADMIN)
    client = browser()
    login(client, "pager")
    url = reverse("accounts:password_change")
    wrong_old = client.post(
        url, {"old_password": "nope", "new_password1": "A#b12345", "new_password2": "A#b12345"}
    )
    assert "当前密码不正确" in wrong_old.content.decode()
    weak = client.post(
        url, {"old_password": PASSWORD, "new_password1": "pager123", "new_password2": "pager123"}
    )
    content = weak.content.decode()
    assert "至少 3 类" in content and "不能包含账号名" in content
    same = client.post(
        url, {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert "最近 5 次" in same.content.decode()
    mismatch = client.post(
        url,
        {"old_password": PASSWORD, "new_password1": "A#b123456", "new_password2": "A#b123457"},
    )
    assert "两次输入的新密码不一致" in mismatch.content.decode()
    assert User.objects.get(username="pager").check_password(PASSWORD)
