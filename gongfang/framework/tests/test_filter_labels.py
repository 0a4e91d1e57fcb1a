"""Filter labels are Chinese however the filterset is first used."""

from __future__ import annotations

from gongfang.registry.filtersets import OrganizationFilterSet, PersonFilterSet, RoomFilterSet


def test_generated_filters_keep_their_chinese_label_after_the_class_built_its_fields():
    for filterset in (RoomFilterSet, PersonFilterSet, OrganizationFilterSet):
        for f in filterset.base_filters.values():
            assert f.field is not None  # as the API schema does, before any instance exists
    labels = {name: form_field.label for name, form_field in RoomFilterSet().form.fields.items()}
    assert labels["category"] == "用房类别"
    assert labels["status"] == "使用状态"
    assert PersonFilterSet().form.fields["grade"].label == "职级"
