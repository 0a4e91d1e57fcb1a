"""Who uses the space: persons, their concurrent posts and their offices."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.db import models

from ...framework.models import PrimaryModel
from ...framework.scope import Scope
from ..choices import EmploymentStatus, Grade, StaffingKind
from ..validators import validate_not_future, validate_phone


class Person(PrimaryModel):
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="所在单位",
        on_delete=models.PROTECT,
        related_name="persons",
    )
    number = models.CharField("人员编号", max_length=30, help_text="单位内唯一")
    name = models.CharField("姓名", max_length=50)
    position = models.CharField("职务", max_length=60, blank=True)
    grade = models.CharField("职级", max_length=20, choices=Grade.choices, default=Grade.STAFF)
    rank_title = models.CharField(
        "职级名称", max_length=30, blank=True, help_text="如“一级调研员”，按职级对照表确定适用标准"
    )
    staffing_kind = models.CharField(
        "编制类型", max_length=20, choices=StaffingKind.choices, default=StaffingKind.ADMINISTRATIVE
    )
    employment_status = models.CharField(
        "在职状态", max_length=12, choices=EmploymentStatus.choices, default=EmploymentStatus.ACTIVE
    )
    status_changed_on = models.DateField(
        "状态变动日期", null=True, blank=True, validators=[validate_not_future]
    )
    phone = models.CharField("联系电话", max_length=20, blank=True, validators=[validate_phone])

    scope = Scope(region="organization__region", organization="organization")

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["organization", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"],
                name="person_unique_number",
                violation_error_message="该单位已有此人员编号。",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.employment_status != EmploymentStatus.ACTIVE and not self.status_changed_on:
            raise ValidationError(
                {
                    "status_changed_on": f"在职状态为“{self.get_employment_status_display()}”时须填写状态变动日期。"
                }
            )


class Post(PrimaryModel):
    """A concurrent post (兼职) held in another organization."""

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="posts"
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="兼职单位",
        on_delete=models.PROTECT,
        related_name="posts",
    )
    position = models.CharField("兼任职务", max_length=60)
    grade = models.CharField("兼任职级", max_length=20, choices=Grade.choices)
    started_on = models.DateField("起始日期", validators=[validate_not_future])
    ended_on = models.DateField("终止日期", null=True, blank=True, validators=[validate_not_future])

    scope = Scope(
        region="person__organization__region",
        organization="person__organization",
        organization_read=("organization",),
    )

    class Meta:
        verbose_name = "兼职"
        verbose_name_plural = "兼职"
        ordering = ["person", "-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="post_dates_ordered",
                violation_error_message="终止日期不能早于起始日期。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} 兼 {self.organization} {self.position}"

    def clean(self) -> None:
        errors = {}
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            errors["ended_on"] = "终止日期不能早于起始日期。"
        if self.person_id and self.organization_id == self.person.organization_id:
            errors["organization"] = "兼职单位不能是本人所在单位。"
        if errors:
            raise ValidationError(errors)


# Inside ``Occupancy.periods_known()``: the people read, and (person id, room id) -> their
# stored periods [(id, start, end)].
_stored_periods: ContextVar[tuple[frozenset[int], dict[tuple[int, int], list[tuple]]] | None] = (
    ContextVar("occupancy_periods", default=None)
)


class Occupancy(PrimaryModel):
    """A person using a room as an office over a period (使用/占用)."""

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="occupancies"
    )
    room = models.ForeignKey(
        "registry.Room", verbose_name="房间", on_delete=models.CASCADE, related_name="occupancies"
    )
    started_on = models.DateField("起始日期", validators=[validate_not_future])
    ended_on = models.DateField("终止日期", null=True, blank=True, validators=[validate_not_future])
    is_primary = models.BooleanField("主要办公室", default=True, help_text="兼职等第二办公室不勾选")

    scope = Scope(
        region="person__organization__region",
        organization="person__organization",
        organization_read=("room__organization",),
    )

    class Meta:
        verbose_name = "办公室使用"
        verbose_name_plural = "办公室使用"
        ordering = ["person", "-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="occupancy_dates_ordered",
                violation_error_message="终止日期不能早于起始日期。",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(ended_on__isnull=True, is_primary=True),
                name="occupancy_one_current_primary",
                violation_error_message="此人已有一间在用的主要办公室；请先结束原使用记录或取消“主要办公室”。",
            ),
            # The database's share of "no overlapping occupancies of one person in one room"
            # (clean() checks closed periods too, and names the person and the room).
            models.UniqueConstraint(
                fields=["person", "room"],
                condition=models.Q(ended_on__isnull=True),
                name="occupancy_one_current_per_room",
                violation_error_message="此人在该房间已有一条在用的使用记录，不能重复登记。",
            ),
        ]
        indexes = [models.Index(fields=["room", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.person} 使用 {self.room}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None

    @property
    def period(self) -> str:
        start = f"{self.started_on:%Y-%m-%d}"
        return (
            f"{start} 起至今" if self.ended_on is None else f"{start} 至 {self.ended_on:%Y-%m-%d}"
        )

    def clean(self) -> None:
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "终止日期不能早于起始日期。"})
        other = self.overlapping()
        if other is not None:
            raise self.overlap_error(other)

    def overlap_error(self, other: Occupancy) -> ValidationError:
        # On "room", so that full_clean() leaves out the database constraint that says the same
        # without the names.
        return ValidationError(
            {
                "room": f"“{self.person}”在“{self.room}”已有使用记录（{other.period}），"
                "与本记录的时间重叠；同一人不能重复使用同一房间，请修改原记录。"
            }
        )

    def overlaps(self, other: Occupancy) -> bool:
        """Whether the two periods share a day (an open period runs on)."""
        return (other.ended_on is None or self.started_on <= other.ended_on) and (
            self.ended_on is None or other.started_on <= self.ended_on
        )

    @classmethod
    @contextmanager
    def periods_known(cls, person_ids: Iterable[int]) -> Iterator[None]:
        """Within the block, :meth:`overlapping` compares with these people's stored periods as
        they were at its start, read at once (an import checks thousands of rows; rows it
        writes meanwhile are its own to compare)."""
        stored: dict[tuple[int, int], list[tuple]] = defaultdict(list)
        ids = sorted(set(person_ids))
        for start in range(0, len(ids), 500):
            rows = cls._base_manager.filter(person_id__in=ids[start : start + 500])
            for pk, person, room, started_on, ended_on in rows.order_by(
                "started_on", "pk"
            ).values_list("pk", "person_id", "room_id", "started_on", "ended_on"):
                stored[(person, room)].append((pk, started_on, ended_on))
        token = _stored_periods.set((frozenset(ids), stored))
        try:
            yield
        finally:
            _stored_periods.reset(token)

    def overlapping(self) -> Occupancy | None:
        """Another occupancy of the same person in the same room whose period meets this one's
        (two would double the room's limit under R1)."""
        if not (self.person_id and self.room_id and self.started_on):
            return None
        known = _stored_periods.get()
        if known is not None and self.person_id in known[0]:
            for pk, started_on, ended_on in known[1].get((self.person_id, self.room_id), ()):
                other = Occupancy(
                    pk=pk,
                    person_id=self.person_id,
                    room_id=self.room_id,
                    started_on=started_on,
                    ended_on=ended_on,
                )
                if pk != self.pk and self.overlaps(other):
                    return other
            return None
        others = Occupancy._base_manager.filter(person_id=self.person_id, room_id=self.room_id)
        others = others.filter(
            models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=self.started_on)
        )
        if self.ended_on is not None:
            others = others.filter(started_on__lte=self.ended_on)
        return others.exclude(pk=self.pk).order_by("started_on").first()
