"""Plates (GA 36-2018) and VINs (ISO 3779 check digit): known-good and known-bad tables, and
properties over generated values."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..validators import (
    PLATE_LETTERS,
    PROVINCES,
    VIN_CHARACTERS,
    VIN_VALUES,
    VIN_WEIGHTS,
    normalize_plate,
    parse_plate,
    validate_plate,
    validate_vin,
    vin_check_digit,
    vin_errors,
)

GOOD_PLATES = [
    ("桂A12345", "ordinary", ""),
    ("京A·B1234", "ordinary", ""),
    ("粤b 8c8q8", "ordinary", ""),
    ("沪AD12345", "new_energy", "D"),
    ("沪AFA1234", "new_energy", "F"),
    ("苏E12345D", "new_energy", "D"),
    ("浙A54321F", "new_energy", "F"),
    ("鲁D1234警", "police", ""),
    ("新AABC12", "ordinary", ""),
]


@pytest.mark.parametrize(("plate", "kind", "letter"), GOOD_PLATES)
def test_good_plates(plate, kind, letter):
    info, errors = parse_plate(plate)
    assert errors == []
    assert (info.kind, info.new_energy_letter) == (kind, letter)


BAD_PLATES = [
    ("", "不能为空"),
    ("A12345", "第 1 位"),
    ("港A12345", "港澳"),
    ("桂112345", "第 2 位"),
    ("桂I12345", "第 2 位"),
    ("桂A1234", "长度为 6 位"),
    ("桂A123456", "8 位号牌为新能源"),
    ("桂A12O45", "不允许的字符：O"),
    ("桂AI2345", "不允许的字符：I"),
    ("桂AABCD5", "最多含 3 个字母"),
    ("沪AX12345", "8 位号牌为新能源汽车号牌"),
    ("沪AD1234A", "8 位号牌为新能源汽车号牌"),
    ("沪A1234DF", "8 位号牌为新能源汽车号牌"),
    ("WJ桂12345", "武警"),
    ("KA12345", "军队"),
    ("军A12345", "军队"),
    ("桂A1234学", "教练车"),
    ("桂A1234挂", "挂车"),
    ("使123456", "使馆"),
    ("桂A1234领", "领馆"),
    ("粤Z1234港", "港澳"),
]


@pytest.mark.parametrize(("plate", "reason"), BAD_PLATES)
def test_bad_plates_name_the_reason(plate, reason):
    info, errors = parse_plate(plate)
    assert info is None
    assert reason in "".join(errors)
    with pytest.raises(ValidationError):
        validate_plate(plate)


# A loaded machine (the suite shares its cores) must not fail the generation on time.
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
serial_char = st.sampled_from(PLATE_LETTERS + "0123456789")
digit = st.sampled_from("0123456789")


@relaxed
@given(
    st.sampled_from(PROVINCES),
    st.sampled_from(PLATE_LETTERS),
    st.lists(digit, min_size=3, max_size=3),
    st.lists(serial_char, min_size=2, max_size=2),
    st.permutations(range(5)),
)
def test_ordinary_plates_with_at_most_two_letters_are_valid(province, office, digits, rest, order):
    serial = [*digits, *rest]
    plate = province + office + "".join(serial[i] for i in order)
    info, errors = parse_plate(plate)
    assert errors == [] and info.kind == "ordinary"


@relaxed
@given(
    st.sampled_from(PROVINCES),
    st.sampled_from(PLATE_LETTERS),
    st.sampled_from("DF"),
    serial_char,
    st.lists(digit, min_size=4, max_size=4),
)
def test_small_new_energy_plates_are_valid(province, office, kind, fourth, digits):
    plate = f"{province}{office}{kind}{fourth}{''.join(digits)}"
    info, errors = parse_plate(plate)
    assert errors == [] and info.new_energy_letter == kind


@relaxed
@given(st.text(max_size=12))
def test_any_text_is_parsed_or_refused_with_a_reason(text):
    info, errors = parse_plate(text)
    assert (info is None) == bool(errors)
    assert normalize_plate(normalize_plate(text)) == normalize_plate(text)


# VIN ---------------------------------------------------------------------------------------------
GOOD_VINS = [
    "1M8GDM9AXKP042788",  # the check-digit example of 49 CFR 565
    "11111111111111111",  # all ones: the check digit is 1
    "LSVAU2180N2183294",
    "LFV2A21K0M3123456",
]


def _fix(vin: str) -> str:
    return vin[:8] + vin_check_digit(vin) + vin[9:]


@pytest.mark.parametrize("vin", [*GOOD_VINS[:2], *(_fix(v) for v in GOOD_VINS[2:])])
def test_good_vins(vin):
    assert vin_errors(vin) == []
    validate_vin(vin.lower())


BAD_VINS = [
    ("1M8GDM9A1KP042788", "第 9 位校验位应为“X”"),
    ("1M8GDM9AXKP04278", "17 位，填写的是 16 位"),
    ("1M8GDM9AXKP0427888", "17 位，填写的是 18 位"),
    ("1M8GDM9AXKP04278O", "不允许的字符：O"),
    ("IM8GDM9AXKP042788", "不允许的字符：I"),
    ("QM8GDM9AXKP042788", "不允许的字符：Q"),
    ("LFV2A21K0U3123456", "第 10 位"),
]


@pytest.mark.parametrize(("vin", "reason"), BAD_VINS)
def test_bad_vins_name_the_reason(vin, reason):
    assert reason in "".join(vin_errors(vin))
    with pytest.raises(ValidationError):
        validate_vin(vin)


vin_body = st.lists(st.sampled_from(VIN_CHARACTERS), min_size=17, max_size=17).map("".join)


@relaxed
@given(vin_body.filter(lambda v: v[9] not in "UZ0"))
def test_the_check_digit_makes_any_vin_valid(body):
    assert vin_errors(_fix(body)) == []


@relaxed
@given(vin_body.filter(lambda v: v[9] not in "UZ0"), st.integers(0, 16), st.data())
def test_one_changed_character_is_caught(body, position, data):
    vin = _fix(body)
    replacement = data.draw(st.sampled_from(VIN_CHARACTERS))
    changed = vin[:position] + replacement + vin[position + 1 :]
    same_value = VIN_VALUES[replacement] == VIN_VALUES[vin[position]]
    if position == 8 or VIN_WEIGHTS[position] == 0 or same_value or changed == vin:
        return
    if position == 9 and replacement in "UZ0":
        assert vin_errors(changed)
        return
    # The weights are prime to 11: changing one value changes the sum mod 11.
    assert vin_errors(changed)
