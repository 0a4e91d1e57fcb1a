"""统一社会信用代码: generated valid codes pass; every single-character corruption fails."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from ..uscc import ORG_CODE_ALPHABET, USCC_ALPHABET, make_uscc, uscc_errors
from ..validators import validate_uscc

REGISTRATION_TYPES = ["11", "12", "13", "19", "51", "52", "91", "92", "93", "Y1"]

uscc_codes = st.builds(
    make_uscc,
    st.sampled_from(REGISTRATION_TYPES),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8),
)


@given(uscc_codes)
def test_generated_codes_are_valid(code):
    assert len(code) == 18
    assert uscc_errors(code) == []
    validate_uscc(code)


@given(uscc_codes, st.integers(min_value=0, max_value=17), st.data())
def test_every_single_character_corruption_fails(code, position, data):
    alphabet = USCC_ALPHABET
    if 8 <= position <= 16:
        # The embedded organization code admits letters the credit code does not; both must fail.
        alphabet = "".join(sorted(set(USCC_ALPHABET) | set(ORG_CODE_ALPHABET)))
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != code[position]]))
    corrupted = code[:position] + replacement + code[position + 1 :]
    assert uscc_errors(corrupted), corrupted
    with pytest.raises(ValidationError):
        validate_uscc(corrupted)


@given(st.text(max_size=30))
def test_arbitrary_text_never_crashes(text):
    errors = uscc_errors(text)
    assert isinstance(errors, list)


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("11370400MB2854416", "应为 18 位"),
        ("11370400MB28544I6X", "不允许的字符"),
        ("91350100M000100Y4A", "校验码错误"),
    ],
)
def test_messages_say_what_is_wrong(code, fragment):
    assert any(fragment in e for e in uscc_errors(code))


def test_known_real_code_shape():
    # A real-world shaped organ code (prefix 11, 枣庄市 370400) built by the helper round-trips.
    code = make_uscc("11", "370400", "MB285441")
    assert code.startswith("11370400MB285441")
    assert uscc_errors(code) == []
