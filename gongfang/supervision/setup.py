"""What supervision adds to the rest of the system at start-up (``SupervisionConfig.ready``):
the menu, the periodic scan, the scan of each trip as it closes (terminals' ``trip_closed``), the
to-do cards (open findings for the bureau and the supervisor, findings to explain for a unit),
the event labels of the change log and the monthly export."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.urls import reverse

from ..framework.navigation import MENU, MenuGroup, MenuItem, register_menu
from ..framework.objectactions import ObjectAction, ObjectPanel

logger = logging.getLogger(__name__)

MENU_GROUP = MenuGroup(
    "用车监督",
    items=(
        MenuItem("异常概况", "supervision.Anomaly", "supervision:overview"),
        MenuItem("异常线索", "supervision.Anomaly", "supervision:anomaly_list"),
        MenuItem("车辆位置", "vehicles.Vehicle", "supervision:fleet_map"),
        MenuItem("监督规则", "supervision.RuleVersion", "supervision:ruleversion_list"),
        MenuItem("区域范围", "supervision.RegionArea", "supervision:regionarea_list"),
        MenuItem("未能判断的行程", "supervision.ScanNote", "supervision:scannote_list"),
    ),
)

EVENT_LABELS = {
    "anomaly.found": "发现用车异常",
    "anomaly.confirmed": "确认违规",
    "anomaly.explained": "单位说明情况",
    "anomaly.dismissed": "排除异常",
    "anomaly.open": "重新核实",
}
TODO_ROWS = 8


def ready() -> None:
    from ..framework.changelog import register_event_labels
    from ..framework.jobs import Job, register_job
    from ..framework.objectactions import register_object_actions
    from ..terminals.signals import trip_closed
    from ..workflow.todo import register_todo_panel
    from . import exports

    if MENU_GROUP not in MENU:
        register_menu(MENU_GROUP)
    register_event_labels(EVENT_LABELS)
    register_job(
        Job(
            key="supervision.scan",
            name="公务用车异常扫描",
            description="每 15 分钟按 V1–V7 规则检查上次扫描以来结束的行程、新登记的加油记录和长时间未上报的终端，"
            "发现的异常线索交机关事务管理局和纪检监督核实。",
            run=run_scan,
            interval=datetime.timedelta(minutes=15),
        )
    )
    trip_closed.connect(on_trip_closed, dispatch_uid="supervision-trip-closed")
    register_todo_panel(todo_panels)
    register_object_actions(object_actions)
    exports.register()


def run_scan() -> str:
    from .scan import scan_since_last

    return scan_since_last().text()


def on_trip_closed(sender, trip, **kwargs) -> None:
    """Judge a trip as it closes (after the closing transaction); a failure is logged, and the
    periodic scan judges the trip again."""
    from .scan import scan_trips

    def judge() -> None:
        try:
            scan_trips([trip])
        except Exception:  # the gateway must keep running; the periodic scan retries
            logger.exception("supervision: scanning trip %s failed", trip.pk)

    transaction.on_commit(judge)


def todo_panels(user) -> list[ObjectPanel]:
    from ..accounts.roles import Role
    from .models import Anomaly, AnomalyState

    roles = set(user.roles or ())
    if not user.has_model_perm(Anomaly, "view"):
        return []
    if Role.UNIT_ADMIN in roles:
        title, states = "待说明的用车异常", (AnomalyState.OPEN,)
    elif roles & {Role.BUREAU_ADMIN, Role.SUPERVISOR}:
        title, states = "待核实的用车异常", (AnomalyState.OPEN, AnomalyState.EXPLAINED)
    else:
        return []
    qs = Anomaly.objects.restrict(user, "view").filter(state__in=states)
    count = qs.count()
    if not count:
        return []
    rows = list(qs.select_related("vehicle", "organization").order_by("-occurred_at")[:TODO_ROWS])
    more = reverse("supervision:anomaly_list") + ("?state=open" if len(states) == 1 else "")
    return [
        ObjectPanel(
            "supervision/includes/todo_anomalies.html",
            {"title": title, "rows": rows, "count": count, "more": more},
            order=30,
        )
    ]


def object_actions(user, obj) -> list[ObjectAction]:
    """A vehicle's page: its day played back and its findings."""
    from ..vehicles.models import Vehicle
    from .models import Anomaly

    if not isinstance(obj, Vehicle):
        return []
    actions = [ObjectAction("轨迹回放", reverse("supervision:playback", args=[obj.pk]))]
    if user.has_model_perm(Anomaly, "view"):
        url = reverse("supervision:anomaly_list") + f"?vehicle={obj.pk}"
        actions.append(ObjectAction("用车异常", url))
    return actions
