"""List-page tables of the registry. Every related column reads from the view's select_related,
so a page costs the same number of queries whatever its size."""

from __future__ import annotations

import django_tables2 as tables

from ..framework.masking import Where, shown
from ..framework.tables import (
    ActionsColumn,
    AreaColumn,
    BaseTable,
    DateColumn,
    LinkedColumn,
    NumberColumn,
    RelatedColumn,
)
from .models import (
    Building,
    Canteen,
    Compound,
    Floor,
    LeadershipQuota,
    Occupancy,
    Organization,
    ParkingLot,
    Person,
    Post,
    Region,
    Room,
)


class RegistryTable(BaseTable):
    """Registry rows are written through services (or imports) only, each write logged, so the
    row count of a list may come from the cache."""

    count_cached = True


class RegionTable(RegistryTable):
    code = LinkedColumn(verbose_name="区划代码")
    name = LinkedColumn(verbose_name="名称")
    level = tables.Column(verbose_name="层级")
    parent = RelatedColumn(verbose_name="上级区划", display="name", order_by="parent__code")
    path = tables.Column(verbose_name="路径", orderable=False)
    actions = ActionsColumn()

    default_columns = ("code", "name", "level", "parent")

    class Meta(BaseTable.Meta):
        model = Region
        fields = ()
        sequence = ("id", "code", "name", "level", "parent", "path", "actions")


class OrganizationTable(RegistryTable):
    name = LinkedColumn(verbose_name="单位名称")
    short_name = tables.Column(verbose_name="简称")
    uscc = tables.Column(verbose_name="统一社会信用代码", attrs={"td": {"class": "font-monospace"}})
    kind = tables.Column(verbose_name="单位类别")
    level = tables.Column(verbose_name="机构层级")
    standard_level = tables.Column(verbose_name="适用标准层级")
    parent = RelatedColumn(verbose_name="主管部门", display="name", order_by="parent__name")
    region = RelatedColumn(verbose_name="所在区划", display="name", order_by="region__code")
    staffing_quota = NumberColumn(verbose_name="行政编制")
    institution_staffing_quota = NumberColumn(verbose_name="事业编制")
    status = tables.Column(verbose_name="状态")
    abolished_on = DateColumn(verbose_name="撤销/合并日期", format="Y-m-d")
    actions = ActionsColumn()

    default_columns = ("name", "kind", "level", "region", "parent", "staffing_quota", "status")

    class Meta(BaseTable.Meta):
        model = Organization
        fields = ()
        sequence = (
            "id",
            "name",
            "short_name",
            "uscc",
            "kind",
            "level",
            "standard_level",
            "region",
            "parent",
            "staffing_quota",
            "institution_staffing_quota",
            "status",
            "abolished_on",
            "actions",
        )


class LeadershipQuotaTable(RegistryTable):
    organization = RelatedColumn(verbose_name="单位", order_by="organization__name")
    grade = LinkedColumn(verbose_name="职级")
    count = NumberColumn(verbose_name="职数")
    actions = ActionsColumn()

    default_columns = ("organization", "grade", "count")

    class Meta(BaseTable.Meta):
        model = LeadershipQuota
        fields = ()
        sequence = ("id", "organization", "grade", "count", "actions")


class CompoundTable(RegistryTable):
    name = LinkedColumn(verbose_name="院落名称")
    region = RelatedColumn(verbose_name="所在区划", display="name", order_by="region__code")
    address = tables.Column(verbose_name="地址")
    owner_org = RelatedColumn(verbose_name="产权/管理单位", order_by="owner_org__name")
    land_area = AreaColumn(verbose_name="土地面积（m²）")
    land_certificate = tables.Column(verbose_name="土地证号")
    lng = tables.Column(verbose_name="经度")
    lat = tables.Column(verbose_name="纬度")
    actions = ActionsColumn()

    default_columns = ("name", "region", "address", "owner_org", "land_area")

    class Meta(BaseTable.Meta):
        model = Compound
        fields = ()
        sequence = (
            "id",
            "name",
            "region",
            "address",
            "owner_org",
            "land_area",
            "land_certificate",
            "lng",
            "lat",
            "actions",
        )


class BuildingTable(RegistryTable):
    name = LinkedColumn(verbose_name="楼座名称")
    compound = RelatedColumn(verbose_name="院落", display="name", order_by="compound__name")
    region = RelatedColumn(
        verbose_name="所在区划",
        accessor="compound__region",
        display="name",
        order_by="compound__region__code",
    )
    floors_above = NumberColumn(verbose_name="地上层数")
    floors_below = NumberColumn(verbose_name="地下层数")
    building_area = AreaColumn(verbose_name="建筑面积（m²）")
    usable_area = AreaColumn(verbose_name="使用面积（m²）")
    year_built = tables.Column(verbose_name="建成年份")
    height_class = tables.Column(verbose_name="建筑类型")
    title_status = tables.Column(verbose_name="权属状态")
    actions = ActionsColumn()

    default_columns = (
        "name",
        "compound",
        "floors_above",
        "building_area",
        "usable_area",
        "height_class",
        "title_status",
    )

    class Meta(BaseTable.Meta):
        model = Building
        fields = ()
        sequence = (
            "id",
            "name",
            "compound",
            "region",
            "floors_above",
            "floors_below",
            "building_area",
            "usable_area",
            "year_built",
            "height_class",
            "title_status",
            "actions",
        )


class FloorTable(RegistryTable):
    building = RelatedColumn(
        verbose_name="楼座", order_by=("building__compound__name", "building__name")
    )
    number = LinkedColumn(verbose_name="楼层")
    name = tables.Column(verbose_name="楼层名称")
    actions = ActionsColumn()

    default_columns = ("building", "number", "name")

    class Meta(BaseTable.Meta):
        model = Floor
        fields = ()
        sequence = ("id", "building", "number", "name", "actions")

    def render_number(self, record):
        return record.label if not record.name else f"{record.number}（{record.name}）"


class RoomTable(RegistryTable):
    number = LinkedColumn(verbose_name="房间号")
    name = tables.Column(verbose_name="房间名称")
    region = RelatedColumn(
        verbose_name="所在区划",
        accessor="floor__building__compound__region",
        display="name",
        order_by="floor__building__compound__region__code",
    )
    compound = RelatedColumn(
        verbose_name="院落",
        accessor="floor__building__compound",
        display="name",
        order_by="floor__building__compound__name",
    )
    building = RelatedColumn(
        verbose_name="楼座",
        accessor="floor__building",
        order_by=("floor__building__compound__name", "floor__building__name"),
    )
    floor = RelatedColumn(verbose_name="楼层", display="label", order_by="floor__number")
    category = tables.Column(verbose_name="类别")
    subtype = tables.Column(verbose_name="用途")
    usable_area = AreaColumn(verbose_name="使用面积（m²）")
    building_area = AreaColumn(verbose_name="建筑面积（m²）")
    organization = RelatedColumn(verbose_name="使用单位", order_by="organization__name")
    status = tables.Column(verbose_name="状态")
    status_since = DateColumn(verbose_name="状态起始日期", format="Y-m-d")
    actions = ActionsColumn()

    default_columns = (
        "number",
        "building",
        "floor",
        "category",
        "subtype",
        "usable_area",
        "organization",
        "status",
    )

    class Meta(BaseTable.Meta):
        model = Room
        fields = ()
        sequence = (
            "id",
            "number",
            "name",
            "region",
            "compound",
            "building",
            "floor",
            "category",
            "subtype",
            "usable_area",
            "building_area",
            "organization",
            "status",
            "status_since",
            "actions",
        )


class PersonTable(RegistryTable):
    name = LinkedColumn(verbose_name="姓名")
    number = tables.Column(verbose_name="人员编号")
    organization = RelatedColumn(verbose_name="所在单位", order_by="organization__name")
    position = tables.Column(verbose_name="职务")
    grade = tables.Column(verbose_name="职级")
    rank_title = tables.Column(verbose_name="职级名称")
    staffing_kind = tables.Column(verbose_name="编制类型")
    employment_status = tables.Column(verbose_name="在职状态")
    status_changed_on = DateColumn(verbose_name="状态变动日期", format="Y-m-d")
    phone = tables.Column(verbose_name="联系电话", orderable=False)
    actions = ActionsColumn()

    default_columns = ("name", "number", "organization", "position", "grade", "employment_status")

    class Meta(BaseTable.Meta):
        model = Person
        fields = ()
        sequence = (
            "id",
            "name",
            "number",
            "organization",
            "position",
            "grade",
            "rank_title",
            "staffing_kind",
            "employment_status",
            "status_changed_on",
            "phone",
            "actions",
        )

    def render_phone(self, record, value):
        # Personal data: masked in lists for every role (framework.masking).
        return shown(self.user, record, "phone", value, Where.LIST)


class PostTable(RegistryTable):
    person = RelatedColumn(verbose_name="人员", order_by="person__name")
    home = RelatedColumn(
        verbose_name="所在单位",
        accessor="person__organization",
        order_by="person__organization__name",
    )
    organization = RelatedColumn(verbose_name="兼职单位", order_by="organization__name")
    position = LinkedColumn(verbose_name="兼任职务")
    grade = tables.Column(verbose_name="兼任职级")
    started_on = DateColumn(verbose_name="起始日期", format="Y-m-d")
    ended_on = DateColumn(verbose_name="终止日期", format="Y-m-d")
    actions = ActionsColumn()

    default_columns = ("person", "organization", "position", "grade", "started_on", "ended_on")

    class Meta(BaseTable.Meta):
        model = Post
        fields = ()
        sequence = (
            "id",
            "person",
            "home",
            "organization",
            "position",
            "grade",
            "started_on",
            "ended_on",
            "actions",
        )


class OccupancyTable(RegistryTable):
    person = RelatedColumn(verbose_name="人员", order_by="person__name")
    organization = RelatedColumn(
        verbose_name="所在单位",
        accessor="person__organization",
        order_by="person__organization__name",
    )
    room = RelatedColumn(
        verbose_name="房间",
        order_by=("room__floor__building__compound__name", "room__floor__building__name"),
    )
    room_area = AreaColumn(verbose_name="房间使用面积（m²）", accessor="room__usable_area")
    started_on = DateColumn(verbose_name="起始日期", format="Y-m-d", linkify=True)
    ended_on = DateColumn(verbose_name="终止日期", format="Y-m-d")
    is_primary = tables.BooleanColumn(verbose_name="主要办公室", yesno="是,否")
    actions = ActionsColumn()

    default_columns = ("id", "person", "room", "room_area", "started_on", "ended_on", "is_primary")

    class Meta(BaseTable.Meta):
        model = Occupancy
        fields = ()
        sequence = (
            "id",
            "person",
            "organization",
            "room",
            "room_area",
            "started_on",
            "ended_on",
            "is_primary",
            "actions",
        )


class ParkingLotTable(RegistryTable):
    name = LinkedColumn(verbose_name="名称")
    compound = RelatedColumn(verbose_name="院落", display="name", order_by="compound__name")
    kind = tables.Column(verbose_name="类型")
    spaces = NumberColumn(verbose_name="车位数")
    actions = ActionsColumn()

    default_columns = ("name", "compound", "kind", "spaces")

    class Meta(BaseTable.Meta):
        model = ParkingLot
        fields = ()
        sequence = ("id", "name", "compound", "kind", "spaces", "actions")


class CanteenTable(RegistryTable):
    name = LinkedColumn(verbose_name="名称")
    compound = RelatedColumn(verbose_name="院落", display="name", order_by="compound__name")
    usable_area = AreaColumn(verbose_name="使用面积（m²）")
    seats = NumberColumn(verbose_name="座位数")
    actions = ActionsColumn()

    default_columns = ("name", "compound", "usable_area", "seats")

    class Meta(BaseTable.Meta):
        model = Canteen
        fields = ()
        sequence = ("id", "name", "compound", "usable_area", "seats", "actions")
