"""The main menu: the registry's list pages (the audit log is in accounts' 系统管理 group)."""

from __future__ import annotations

from ..framework.navigation import MENU, MenuGroup, MenuItem, register_menu

REGISTRY_MENU = MenuGroup(
    "基础台账",
    items=(
        MenuItem("行政区划", "registry.Region", "registry:region_list"),
        MenuItem("单位", "registry.Organization", "registry:organization_list"),
        MenuItem("领导职数", "registry.LeadershipQuota", "registry:leadershipquota_list"),
        MenuItem("院落", "registry.Compound", "registry:compound_list"),
        MenuItem("智能地图", "registry.Compound", "registry:map"),
        MenuItem("楼座", "registry.Building", "registry:building_list"),
        MenuItem("楼层", "registry.Floor", "registry:floor_list"),
        MenuItem("房间", "registry.Room", "registry:room_list"),
        MenuItem("历史时点房间", "registry.Room", "registry:room_list_asof"),
        MenuItem("人员", "registry.Person", "registry:person_list"),
        MenuItem("兼职", "registry.Post", "registry:post_list"),
        MenuItem("办公室使用", "registry.Occupancy", "registry:occupancy_list"),
        MenuItem("停车场", "registry.ParkingLot", "registry:parkinglot_list"),
        MenuItem("食堂", "registry.Canteen", "registry:canteen_list"),
    ),
)


def register() -> None:
    if REGISTRY_MENU not in MENU:
        register_menu(REGISTRY_MENU)
