"""The shipped division list and its loader (DESIGN §5)."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from django.core.management import call_command

from gongfang.registry.choices import RegionLevel
from gongfang.registry.models import Region
from gongfang.registry.regions_loader import (
    DATA_DIR,
    load_regions,
    normalize_province,
    read_regions,
)


def _csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _shandong_counts_from_csv() -> dict[str, int]:
    """Counted straight from the files, independently of the loader."""
    return {
        RegionLevel.PROVINCE: sum(1 for r in _csv("provinces.csv") if r["code"] == "37"),
        RegionLevel.CITY: sum(1 for r in _csv("cities.csv") if r["provinceCode"] == "37"),
        RegionLevel.COUNTY: sum(1 for r in _csv("areas.csv") if r["provinceCode"] == "37"),
        RegionLevel.TOWNSHIP: sum(1 for r in _csv("streets.csv") if r["provinceCode"] == "37"),
    }


def test_the_list_ships_with_its_licence():
    for name in ("provinces.csv", "cities.csv", "areas.csv", "streets.csv", "LICENSE", "README.md"):
        assert (DATA_DIR / name).is_file(), name


def test_read_regions_gives_full_codes_parents_first():
    rows = read_regions("37")
    counts = Counter(r.level for r in rows)
    assert counts == _shandong_counts_from_csv()
    assert counts == {"province": 1, "city": 16, "county": 151, "township": 1853}
    seen: set[str] = set()
    for r in rows:
        assert r.parent_code is None or r.parent_code in seen, r
        seen.add(r.code)
        assert len(r.code) == (9 if r.level == RegionLevel.TOWNSHIP else 6)
    by_code = {r.code: r for r in rows}
    assert by_code["370000"].name == "山东省"
    assert by_code["370400"].path == "370000/370400/"
    assert by_code["370481"].path == "370000/370400/370481/"


def test_cities_without_counties_hold_their_townships():
    """东莞市 is listed again as a county under its own code; the loader keeps the city only."""
    rows = read_regions("44")
    dongguan = [r for r in rows if r.code == "441900"]
    assert [(r.level, r.name) for r in dongguan] == [("city", "东莞市")]
    towns = [r for r in rows if r.parent_code == "441900"]
    assert towns and all(r.level == RegionLevel.TOWNSHIP for r in towns)
    assert all(r.path.startswith("440000/441900/") for r in towns)


def test_whole_list_counts():
    counts = Counter(r.level for r in read_regions())
    assert counts == {"province": 31, "city": 342, "county": 2975, "township": 41352}


def test_normalize_province():
    assert normalize_province("37") == "37"
    assert normalize_province("370000") == "37"
    with pytest.raises(ValueError):
        normalize_province("3704")


@pytest.mark.django_db
def test_load_one_province_with_codes_paths_and_parents():
    result = load_regions(province="37")
    expected = _shandong_counts_from_csv()
    assert {lv: c.created for lv, c in result.levels.items()} == expected
    assert dict(Counter(Region.objects.values_list("level", flat=True))) == expected

    shandong = Region.objects.get(code="370000")
    assert (shandong.level, shandong.parent, shandong.path) == ("province", None, "370000/")
    zaozhuang = Region.objects.get(code="370400")
    assert (zaozhuang.name, zaozhuang.level, zaozhuang.parent) == ("枣庄市", "city", shandong)
    tengzhou = Region.objects.get(code="370481")
    assert (tengzhou.name, tengzhou.parent, tengzhou.path) == (
        "滕州市",
        zaozhuang,
        "370000/370400/370481/",
    )
    town = Region.objects.filter(parent=tengzhou).order_by("code").first()
    assert town.level == "township" and len(town.code) == 9
    assert town.path == f"370000/370400/370481/{town.code}/"
    # Every path is its parent's path plus its own code: subtree filters can rely on it.
    paths = dict(Region.objects.values_list("id", "path"))
    for code, path, parent_id in Region.objects.values_list("code", "path", "parent_id"):
        assert path == (paths[parent_id] if parent_id else "") + f"{code}/"
    assert Region.objects.filter(path__startswith="370000/370400/").count() == 1 + 6 + 66


@pytest.mark.django_db
def test_load_regions_is_idempotent_and_repairs_changes():
    load_regions(province="37")
    before = list(Region.objects.order_by("id").values_list("id", "code", "name", "path"))
    again = load_regions(province="37")
    assert (again.created, again.updated) == (0, 0)
    assert again.levels["township"].unchanged == 1853
    assert list(Region.objects.order_by("id").values_list("id", "code", "name", "path")) == before

    Region.objects.filter(code="370481").update(name="改错的名字", path="x/")
    fixed = load_regions(province="37")
    assert fixed.updated == 1
    assert Region.objects.get(code="370481").name == "滕州市"
    assert Region.objects.get(code="370481").path == "370000/370400/370481/"


@pytest.mark.django_db
def test_load_regions_command_reports_counts_in_chinese():
    out = io.StringIO()
    call_command("load_regions", province="370000", stdout=out)
    text = out.getvalue()
    assert "省级：1 个（新增 1" in text
    assert "乡级：1,853 个" in text
    out = io.StringIO()
    call_command("load_regions", province="37", stdout=out)
    assert "新增 0，更新 0" in out.getvalue()
