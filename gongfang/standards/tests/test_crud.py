"""Page and API tests of every standards model, from declared data (see framework.testing).

In scope: 山东省's local version (and its rows), which the 山东省 bureau admin writes and the
滕州市 accounts see; out of scope: 湖北省's version, which none of them sees.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ...framework.services import service_for
from ...framework.testing import APITestCases, ViewTestCases
from .. import models as m
from .world import StandardsWorldMixin


class StandardsTestData(StandardsWorldMixin):
    model: ClassVar[type]

    def version(self, in_scope: bool) -> m.StandardVersion:
        v = self.world.versions
        return v.shandong if in_scope else v.hubei

    def in_scope_object(self):
        return self.world.rows[self.model.__name__][0]

    def out_of_scope_object(self):
        return self.world.rows[self.model.__name__][1]

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        return {"version": self.version(in_scope).pk, **self.row_data()}

    def row_data(self) -> dict[str, Any]:
        raise NotImplementedError

    def deletable_object(self):
        data = {self.model._meta.get_field(k).attname: v for k, v in self.create_data().items()}
        obj, _ = service_for(self.model).create(actor=self.user_with_perm, data=data)
        return obj


class StandardVersionData(StandardsTestData):
    model = m.StandardVersion

    def in_scope_object(self):
        return self.world.versions.shandong

    def out_of_scope_object(self):
        return self.world.versions.hubei

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        region = self.world.registry.city if in_scope else self.world.wuhan
        return {
            "name": "枣庄市办公用房补充标准",
            "region": region.pk,
            "source": "枣庄市机关事务管理局文件（测试）",
            "effective_from": "2024-01-01",
            "notes": "测试",
        }

    def update_data(self):
        return {"source": "鲁发改投资〔2016〕1号（测试）"}


class OfficeLimitData(StandardsTestData):
    model = m.OfficeLimit

    def row_data(self):
        return {"standard_level": "township", "grade": "vice_division", "area": "20.00"}

    def update_data(self):
        return {"area": "16.00"}


class GradeEquivalenceData(StandardsTestData):
    model = m.GradeEquivalence

    def row_data(self):
        return {"rank_title": "乡镇人大副主席", "grade": "vice_section", "clause": "测试"}

    def update_data(self):
        return {"grade": "section"}


class ServiceAllowanceData(StandardsTestData):
    model = m.ServiceAllowance

    def row_data(self):
        return {"standard_level": "county", "per_capita": "5.50"}

    def update_data(self):
        return {"per_capita": "4.00"}


class RuleParameterData(StandardsTestData):
    model = m.RuleParameter

    def row_data(self):
        return {"key": "r3_grace_days", "value": "20", "unit": "天"}

    def update_data(self):
        return {"value": "90"}


class ClauseData(StandardsTestData):
    model = m.Clause

    def row_data(self):
        return {"key": "R5", "title": "R5 闲置用房（本省）", "text": "闲置三个月收回。"}

    def update_data(self):
        return {"text": "闲置两个月收回。"}


DATA = [
    StandardVersionData,
    OfficeLimitData,
    GradeEquivalenceData,
    ServiceAllowanceData,
    RuleParameterData,
    ClauseData,
]

# One page test class and one API test class per model, generated from the declarations above.
for _data in DATA:
    _name = _data.model.__name__
    globals()[f"Test{_name}Views"] = type(
        f"Test{_name}Views", (_data, ViewTestCases.PrimaryObjectViewTestCase), {}
    )
    globals()[f"Test{_name}API"] = type(
        f"Test{_name}API", (_data, APITestCases.APIViewTestCase), {}
    )
del _data, _name
