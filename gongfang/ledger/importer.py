"""The ledger importer: raw sheets in, validated objects written all-or-nothing.

A run takes the sheets :mod:`reader` read and works through them in dependency order
(:data:`specs.SHEETS`): each row's cells are parsed, its references resolved by natural key
among the objects the user may see (and the rows written earlier in the same file), the object
built and checked exactly as a form save checks it — the model's ``full_clean`` and the
service's own rules — then written in bulk. Rows out of the user's scope are errors of that row.

Everything happens in one transaction. A preview (``commit=False``) and a commit with any error
roll it back, so nothing is written until a clean file is confirmed; a clean commit adds the
change-log rows of every object (tagged with the batch's request id, which is how a batch is
reverted) and re-runs the compliance checks of the places it touched.
"""

from __future__ import annotations

import datetime
import functools
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from ..framework.bulk import insert_objects, reserve_ids
from ..framework.changelog import record_changes, serialize_object
from ..framework.context import RequestContext, reset_context, set_context
from ..framework.models import ObjectChange
from ..framework.services import service_for
from ..framework.versions import changes_since
from ..registry import plausibility
from ..registry.models import Occupancy, Organization, Room
from ..registry.services import building_room_area_notice
from . import cells
from .choices import Mode
from .reader import RawSheet
from .specs import BY_TITLE, SHEETS, TARGET_MODELS, Column, Kind, Ref, Sheet

# Headers may carry the template's required marker ("房间号*") or a note in brackets.
REQUIRED_MARKS = ("*", "＊", "（必填）", "(必填)")
# The explanation sheet of the templates and their hidden sheet of dropdown lists; not data.
GUIDE_TITLE = "填写说明"
OPTIONS_TITLE = "选项"
MAX_ERRORS = 1000
MAX_CHANGES = 500
CHUNK = 500


@dataclass
class RowError:
    sheet: str
    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class Counts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class ImportResult:
    counts: dict[str, Counts] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    changes: list[dict] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    committed: bool = False
    # model label -> {pk: version} of every object updated: what a later commit is based on.
    versions: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(sheet, row, column, message))

    def total(self, name: str) -> int:
        return sum(getattr(c, name) for c in self.counts.values())

    def sorted_errors(self) -> list[RowError]:
        """The errors in the order of the file (sheet, row): checks that run after the rows
        (constraints, references between rows) add theirs later."""
        sheets = {name: i for i, name in enumerate(self.counts)}
        return sorted(
            self.errors,
            key=lambda e: (
                e.sheet != "",
                sheets.get(e.sheet, len(sheets)),
                e.row if e.row is not None else -1,
            ),
        )

    def as_dict(self) -> dict:
        return {
            "counts": {k: v.as_dict() for k, v in self.counts.items()},
            "errors": [e.as_dict() for e in self.sorted_errors()],
            "error_count": self.error_count,
            "changes": self.changes,
            "notices": self.notices,
            "committed": self.committed,
            "versions": self.versions,
        }


class _Failed:
    """The key of a row that could not be imported: references to it name that row."""

    def __init__(self, row: int):
        self.row = row


Key = tuple


@dataclass
class _Row:
    number: int
    values: dict[str, Any]  # header -> parsed value (present columns only)
    key: Key | None = None
    refs: dict[str, Any] = field(default_factory=dict)  # ref field -> object or None
    # Self-references to rows of the same sheet not written yet: (key, reference field).
    pending: set[tuple[Key, str]] = field(default_factory=set)
    # References to objects the user cannot see: allowed only where they stay as they are.
    hidden: dict[str, str] = field(default_factory=dict)  # ref field -> message
    # References the row's model requires writable that are not: allowed only in an unchanged row.
    unwritable: dict[str, str] = field(default_factory=dict)  # ref field -> message
    failed: bool = False


def normalize_header(text: Any) -> str:
    try:
        header = cells.parse_text(text)
    except cells.CellError:
        header = str(text)
    for mark in REQUIRED_MARKS:
        header = header.removesuffix(mark).removeprefix(mark)
    return header.strip()


def parse_cell(column: Column, value: Any) -> Any:
    return cell_parser(column)(value)


@functools.cache
def cell_parser(column: Column) -> Callable[[Any], Any]:
    """The parser of one column's cells, chosen (and for choices, built) once."""
    match column.kind:
        case Kind.INT:
            return cells.parse_int
        case Kind.DECIMAL:
            return functools.partial(cells.parse_decimal, places=column.places)
        case Kind.DATE:
            return cells.parse_date
        case Kind.BOOL:
            return cells.parse_bool
        case Kind.CHOICE:
            return cells.choice_parser(column.choices)
        case Kind.ORG:
            return _parse_org
        case _:
            return functools.partial(cells.parse_text, max_length=column.max_length)


def _parse_org(value: Any) -> str:
    text = cells.parse_text(value)
    return text.upper() if len(text) == 18 and text.isascii() else text


class _Keys:
    """Natural key -> pk of every row of one model, with which of them the user may see."""

    def __init__(self, actor, sheet_or_target: str):
        self.target = sheet_or_target
        self.model = TARGET_MODELS[sheet_or_target]
        self.by_key: dict[Key, int | _Failed] = {}
        self.names: dict[str, int | None] = {}  # organizations: name -> pk (None: ambiguous)
        self.objects: dict[int, models.Model] = {}
        if self.target == "region":
            rows = self.model._base_manager.values_list("code", "pk")
            self.by_key = {(code,): pk for code, pk in rows}
        elif self.target == "organization":
            for uscc, name, pk in self.model._base_manager.values_list("uscc", "name", "pk"):
                self.by_key[("uscc", uscc) if uscc else ("name", name)] = pk
        else:
            sheet = next(s for s in SHEETS if s.key == sheet_or_target)
            paths = [sheet.column(h).path for h in sheet.natural_key]
            for *parts, pk in self.model._base_manager.values_list(*paths, "pk").iterator(
                chunk_size=5000
            ):
                self.by_key[tuple(_norm(p) for p in parts)] = pk
        self.visible = set(self.model.objects.restrict(actor, "view").values_list("pk", flat=True))
        self._writable: set[int] | None = None
        self.actor = actor
        if self.target == "organization":
            counts: dict[str, int | None] = {}
            for name, pk in self.model._base_manager.filter(pk__in=self.visible).values_list(
                "name", "pk"
            ):
                counts[name] = None if name in counts else pk
            self.names = counts

    def writable(self) -> set[int]:
        if self._writable is None:
            self._writable = set(
                self.model.objects.restrict(self.actor, "change").values_list("pk", flat=True)
            )
        return self._writable

    def add(self, key: Key, obj: models.Model) -> None:
        self.by_key[key] = obj.pk
        self.visible.add(obj.pk)
        if self._writable is not None:
            self._writable.add(obj.pk)
        self.objects[obj.pk] = obj

    def resolve_org(self, text: str) -> int | _Failed | None:
        """An organization written as its code or, failing that, its (unique) name."""
        hit = self.by_key.get(("uscc", text))
        if hit is None:
            hit = self.by_key.get(("name", text))
        if hit is None and text in self.names:
            hit = self.names[text] if self.names[text] is not None else _AMBIGUOUS
        return hit


_AMBIGUOUS = _Failed(0)


def _label(keys: _Keys) -> str:
    return str(keys.model._meta.verbose_name)


def _shown(parts: list[Any]) -> str:
    return " / ".join(str(p) for p in parts if p not in (None, ""))


_NO_DEFAULT = object()


@functools.cache
def _setters(sheet: Sheet, present: frozenset[str]) -> tuple[tuple, ...]:
    """For each column of the file that sets a field: (header, attname, is text, null, the
    field's default as a callable or ``_NO_DEFAULT``), worked out once per sheet and file."""
    out = []
    for column in sheet.columns:
        if column.field is None or column.header not in present:
            continue
        field = sheet.model._meta.get_field(column.field)
        text = isinstance(field, models.CharField | models.TextField)
        default = field.get_default if field.has_default() else _NO_DEFAULT
        out.append((column.header, field.attname, text, field.null, default))
    return tuple(out)


def new_instance(model: type[models.Model]) -> models.Model:
    """``model()``, its defaults worked out once per model (callable defaults called each time):
    the positional form of ``Model.__init__`` skips a default look-up per field and row."""
    values, calls = _defaults(model)
    if calls:
        values = list(values)
        for index, default in calls:
            values[index] = default()
    return model(*values)


@functools.cache
def _defaults(model: type[models.Model]) -> tuple[tuple, tuple]:
    values, calls = [], []
    for index, model_field in enumerate(model._meta.concrete_fields):
        values.append(None if callable(model_field.default) else model_field.get_default())
        if callable(model_field.default):
            calls.append((index, model_field.get_default))
    return tuple(values), tuple(calls)


_UNKNOWN = object()
# Values whose type and value say all a field check needs to know; others are keyed by repr
# (Decimal("1.0") == Decimal("1.00"), but their digits differ).
_PLAIN_VALUES = frozenset({str, int, bool, type(None), datetime.date})


class _FieldChecks:
    """``Model.full_clean()`` of many objects of one model without the database checks:

    unique keys are the natural keys, checked against every row of the database and the file;
    check constraints are mirrored by the models' ``clean()`` and field validators; references
    are resolved by natural key. A field's own checks (type, choices, blank, length, validators,
    the model's additions in ``clean_fields``) depend on its value alone, so the model's
    ``clean_fields`` runs once per distinct value of each field and its messages are reused.
    """

    def __init__(self, model: type[models.Model], exclude: set[str]):
        self.names = frozenset(f.name for f in model._meta.fields)
        self.fields = [
            (f.name, f.attname)
            for f in model._meta.fields
            if f.name not in exclude and not f.generated
        ]
        self.known: dict[tuple, list | None] = {}

    def full_clean(self, instance: models.Model) -> None:
        errors: dict = {}
        known = self.known
        new: list[tuple[str, tuple]] = []  # (field name, key) of values not checked yet
        for name, attname in self.fields:
            raw = getattr(instance, attname)
            kind = type(raw)
            key = (attname, kind, raw if kind in _PLAIN_VALUES else repr(raw))
            found = known.get(key, _UNKNOWN)
            if found is _UNKNOWN:
                new.append((name, key))
            elif found is not None:
                errors.setdefault(name, []).extend(found)
        if new:
            try:
                instance.clean_fields(exclude=self.names - {name for name, _ in new})
                found_now = {}
            except ValidationError as exc:
                found_now = exc.error_dict
            for name, key in new:
                known[key] = found_now.get(name)
                if name in found_now:
                    errors.setdefault(name, []).extend(found_now[name])
        try:
            instance.clean()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


def changed_since_preview(instance: models.Model, based_on: int | None) -> str:
    """Why a row whose object was changed after the preview is refused, naming who changed it
    (``based_on``: the version the preview saw, None when it saw nothing to update)."""
    changes = changes_since(instance, based_on or instance.version - 1)
    names = "、".join(dict.fromkeys(c.user_name or "系统" for c in changes)) or "他人"
    return f"“{instance}”在预览后已被 {names} 修改，请重新上传。"


@functools.cache
def _org_parts(target: str) -> tuple[bool, ...]:
    """For each column of a sheet's natural key: whether it names an organization."""
    sheet = next(s for s in SHEETS if s.key == target)
    return tuple(sheet.column(h).kind is Kind.ORG for h in sheet.natural_key)


def _one_current_primary_message() -> str:
    """The message of the database rule a bulk write would otherwise meet as an IntegrityError."""
    constraint = next(
        c for c in Occupancy._meta.constraints if c.name == "occupancy_one_current_primary"
    )
    return constraint.violation_error_message


def _norm(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool | int):
        return value
    return str(value)


class _Run:
    def __init__(
        self,
        *,
        actor,
        mode: str,
        progress: Callable | None,
        commit: bool = False,
        based_on: dict[str, dict[str, int]] | None = None,
    ):
        self.actor = actor
        self.mode = mode
        self.commit = commit
        # model label -> {pk: version} of the objects the preview found to update; a commit
        # refuses rows whose object has moved on since.
        self.based_on = based_on
        self.checks: dict[str, _FieldChecks] = {}
        # person id -> the current primary occupancy (or the in-file row that became it)
        self.current_primary: dict[int, int] | None = None
        # (person, room) -> the file's occupancies of that room by that person (the model's
        # clean() compares with the database only)
        self.file_occupancies: dict[tuple[int, int], list[Occupancy]] = {}
        self.pending_keys: set[Key] = set()
        self.progress = progress
        self.result = ImportResult()
        self.keys: dict[str, _Keys] = {}
        self.changes: list[tuple[models.Model, str, dict | None]] = []
        self.done = 0
        self.total = 0

    # Keys and references ---------------------------------------------------------------
    def keys_for(self, target: str) -> _Keys:
        if target not in self.keys:
            self.keys[target] = _Keys(self.actor, target)
        return self.keys[target]

    def resolve(self, sheet: Sheet, row: _Row, ref: Ref) -> None:
        """Set ``row.refs[ref.field]`` from the row's cells (the columns are in the file)."""
        parts = [row.values.get(h) for h in ref.headers]
        if all(p in (None, "") for p in parts):
            row.refs[ref.field] = None
            if ref.required:
                self.error(sheet, row, "、".join(ref.headers), "必须填写。")
            return
        keys = self.keys_for(ref.target)
        if ref.target == "organization":
            hit = keys.resolve_org(parts[0])
            candidates = [("uscc", parts[0]), ("name", parts[0])]
        else:
            candidates = [self.target_key(ref.target, parts)]
            hit = keys.by_key.get(candidates[0])
        if hit is None and ref.target == sheet.key:
            for candidate in candidates:
                if candidate in self.pending_keys:
                    row.pending.add((candidate, ref.field))
                    return
        if isinstance(hit, int):
            row.refs[ref.field] = hit
            if ref.field in service_for(sheet.model).writable_references and (
                hit not in keys.writable()
            ):
                # A row the writer may read but not change (an occupancy of another district's
                # room) comes back unchanged; any change to it is an error of that row.
                row.unwritable[ref.field] = (
                    f"{_label(keys)}“{_shown(parts)}”超出您的管辖范围，不能登记。"
                )
            elif hit not in keys.visible:
                # As a form save: a reference the writer cannot see may stay, not be made.
                row.hidden[ref.field] = (
                    f"找不到{_label(keys)}“{_shown(parts)}”，或它超出您的管辖范围。"
                )
            return
        label, shown, columns = _label(keys), _shown(parts), "、".join(ref.headers)
        if hit is _AMBIGUOUS:
            self.error(
                sheet, row, ref.headers[0], f"有多个名为“{shown}”的单位，请填写统一社会信用代码。"
            )
        elif isinstance(hit, _Failed):
            self.error(
                sheet,
                row,
                columns,
                f"所引用的{label}“{shown}”所在行（第 {hit.row} 行）有错误，未能导入。",
            )
        elif hit is None:
            self.error(sheet, row, columns, f"找不到{label}“{shown}”，或它超出您的管辖范围。")
        else:
            self.error(sheet, row, columns, f"{label}“{shown}”超出您的管辖范围，不能登记。")

    def target_key(self, target: str, parts: list[Any]) -> Key:
        """The key of a target as :class:`_Keys` stores it (organizations inside it by pk)."""
        if target == "region":
            return (_norm(parts[0]),)
        org_parts = _org_parts(target)
        if not any(org_parts):
            return tuple(p.strip() if type(p) is str else _norm(p) for p in parts)
        out = []
        for is_org, part in zip(org_parts, parts, strict=True):
            if is_org:
                hit = self.keys_for("organization").resolve_org(part)
                out.append(hit if isinstance(hit, int) else ("?", part))
            else:
                out.append(part.strip() if type(part) is str else _norm(part))
        return tuple(out)

    def own_key(self, sheet: Sheet, row: _Row) -> Key | None:
        """The row's natural key, or None (with errors) when part of it is missing."""
        if sheet.key == "organization":
            code = row.values.get(sheet.natural_key[0])
            if code:
                return ("uscc", code)
            name = row.values.get(sheet.key_fallback)
            return ("name", name) if name else None
        parts = [row.values.get(h) for h in sheet.natural_key]
        missing = [h for h, p in zip(sheet.natural_key, parts, strict=True) if p in (None, "")]
        if missing:
            for h in missing:
                self.error(sheet, row, h, "此列是识别记录的关键列，必须填写。")
            return None
        key = self.target_key(sheet.key, parts)
        for part, header in zip(key, sheet.natural_key, strict=True):
            if isinstance(part, tuple):  # an organization that could not be found
                self.error(sheet, row, header, f"找不到单位“{part[1]}”，或它超出您的管辖范围。")
                return None
        return key

    # Errors and progress ------------------------------------------------------------------
    def error(self, sheet: Sheet, row: _Row | None, column: str, message: str) -> None:
        if row is not None:
            row.failed = True
        self.result.add_error(sheet.title, row.number if row else None, column, message)

    def tick(self, n: int = 1) -> None:
        self.done += n
        if self.progress is not None and (self.done % CHUNK == 0 or self.done == self.total):
            self.progress(self.done, self.total)

    # Sheets -------------------------------------------------------------------------------
    def run(self, raw_sheets: list[RawSheet]) -> ImportResult:
        plan = self.match_sheets(raw_sheets)
        if not self.result.ok:
            return self.result
        self.total = sum(len(raw.rows) for _, raw, _ in plan) * 2
        for sheet, raw, headers in plan:
            self.import_sheet(sheet, raw, headers)
        return self.result

    def match_sheets(self, raw_sheets: list[RawSheet]) -> list[tuple[Sheet, RawSheet, list[str]]]:
        found: dict[str, tuple[RawSheet, list[str]]] = {}
        titles = "、".join(s.title for s in SHEETS)
        for raw in raw_sheets:
            sheet = BY_TITLE.get(raw.name.strip())
            if sheet is None:
                if raw.name.strip() in (GUIDE_TITLE, OPTIONS_TITLE) or (
                    not raw.headers and not raw.rows
                ):
                    continue
                self.result.add_error(
                    raw.name,
                    None,
                    "",
                    f"工作表“{raw.name}”不是台账工作表；工作表名称应为：{titles}。",
                )
                continue
            if not raw.headers:
                self.result.add_error(
                    sheet.title, None, "", f"工作表“{raw.name}”是空的，没有表头。"
                )
                continue
            headers = [normalize_header(h) for h in raw.headers]
            if self.check_headers(sheet, headers):
                found[sheet.key] = (raw, headers)
        if self.result.ok and not any(raw.rows for raw, _ in found.values()):
            self.result.add_error("", None, "", "文件中没有数据行。")
        return [(s, *found[s.key]) for s in SHEETS if s.key in found]

    def check_headers(self, sheet: Sheet, headers: list[str]) -> bool:
        ok = True
        seen: set[str] = set()
        known = set(sheet.headers)
        for header in headers:
            if header in seen:
                self.result.add_error(sheet.title, 1, header, f"列“{header}”出现了不止一次。")
                ok = False
            seen.add(header)
            if header and header not in known:
                self.result.add_error(
                    sheet.title,
                    1,
                    header,
                    f"未知的列“{header}”；本表可用的列：{'、'.join(sheet.headers)}。",
                )
                ok = False
        missing = [h for h in sheet.required_headers if h not in seen]
        if missing:
            self.result.add_error(
                sheet.title, 1, "、".join(missing), f"缺少必需的列：{'、'.join(missing)}。"
            )
            ok = False
        return ok

    def import_sheet(self, sheet: Sheet, raw: RawSheet, headers: list[str]) -> None:
        counts = self.result.counts.setdefault(sheet.title, Counts())
        present = {h for h in headers if h}
        rows = self.parse_rows(sheet, raw, headers, counts)
        self.match_rows(sheet, rows, present)
        own = self.keys_for(sheet.key)
        # Waves: a row waits for the rows of the same sheet it refers to (a parent unit).
        waiting = [r for r in rows if not r.failed]
        while waiting:
            ready = [r for r in waiting if not r.pending]
            if not ready:
                for row in waiting:
                    self.error(sheet, row, "", "引用了本表中有错误或相互循环引用的行，未能导入。")
                break
            self.write_rows(sheet, ready, present, counts)
            waiting = [r for r in waiting if r.pending]
            for row in waiting:
                for key, ref_field in list(row.pending):
                    hit = own.by_key.get(key)
                    if isinstance(hit, int):
                        row.pending.discard((key, ref_field))
                        row.refs[ref_field] = hit
                    elif isinstance(hit, _Failed):
                        row.pending.clear()
                        self.error(sheet, row, "", f"所引用的第 {hit.row} 行有错误，未能导入。")
            waiting = [r for r in waiting if not r.failed]
        for row in rows:
            if row.failed:
                counts.failed += 1
                if row.key is not None and row.key not in own.by_key:
                    own.by_key[row.key] = _Failed(row.number)

    def parse_rows(
        self, sheet: Sheet, raw: RawSheet, headers: list[str], counts: Counts
    ) -> list[_Row]:
        """Every row's cells parsed (errors noted per cell); the template's sample row left out."""
        sample = {c.header: parse_cell(c, c.example) for c in sheet.columns}
        rows: list[_Row] = []
        columns = [(i, h, cell_parser(sheet.column(h))) for i, h in enumerate(headers) if h]
        for number, values in raw.rows:
            row = _Row(number, {})
            parsed = row.values
            width = len(values)
            counts.rows += 1
            for i, header, parse in columns:
                try:
                    parsed[header] = parse(values[i] if i < width else None)
                except cells.CellError as exc:
                    self.error(sheet, row, header, exc.message)
            self.tick()
            if not row.failed and parsed == sample:
                counts.skipped += 1
                self.result.notices.append(
                    f"工作表“{sheet.title}”第 {number} 行是模板的示例行，已跳过。"
                )
                self.tick()
                continue
            rows.append(row)
        return rows

    def match_rows(self, sheet: Sheet, rows: list[_Row], present: set[str]) -> None:
        """Each row's own key (duplicates in the file refused) and its references resolved."""
        own = self.keys_for(sheet.key)
        seen: dict[Key, int] = {}
        self.pending_keys = set()
        for row in rows:
            if row.failed:
                continue
            row.key = self.own_key(sheet, row)
            if row.key is None:
                continue
            if row.key in seen:
                self.error(
                    sheet,
                    row,
                    "、".join(sheet.natural_key),
                    f"与第 {seen[row.key]} 行重复（{'、'.join(sheet.natural_key)}相同）。",
                )
                continue
            seen[row.key] = row.number
            if row.key not in own.by_key:
                self.pending_keys.add(row.key)
        refs = [ref for ref in sheet.refs if all(h in present for h in ref.headers)]
        for row in rows:
            if row.failed:
                continue
            for ref in refs:
                self.resolve(sheet, row, ref)

    # Building, checking and writing --------------------------------------------------------
    def write_rows(self, sheet: Sheet, rows: list[_Row], present: set[str], counts: Counts):
        if sheet.model is Occupancy:
            # The overlap check compares with the stored periods of these people, read at once.
            persons = {r.refs.get("person") for r in rows} - {None}
            with Occupancy.periods_known(persons):
                creates, updates = self.check_rows(sheet, rows, present, counts)
        else:
            creates, updates = self.check_rows(sheet, rows, present, counts)
        self.save(sheet, creates, updates, counts)

    def check_rows(
        self, sheet: Sheet, rows: list[_Row], present: set[str], counts: Counts
    ) -> tuple[list[tuple[_Row, models.Model]], list[tuple[_Row, models.Model, dict]]]:
        """Build each row's object and check it as a form save would: the rows to create and
        the rows to update (with their object's state before)."""
        model = sheet.model
        own = self.keys_for(sheet.key)
        service = service_for(model)
        existing_ids = [own.by_key[r.key] for r in rows if isinstance(own.by_key.get(r.key), int)]
        existing = self.fetch(sheet, existing_ids)
        related = self.fetch_related(sheet, rows)
        checks = self.field_checks(sheet)
        setters = _setters(sheet, frozenset(present))
        can_add = self.actor.has_model_perm(model, "add")
        versions = None if self.based_on is None else self.based_on.get(model._meta.label_lower, {})
        creates: list[tuple[_Row, models.Model]] = []
        updates: list[tuple[_Row, models.Model, dict]] = []
        for row in rows:
            self.tick()
            pk = own.by_key.get(row.key)
            if pk is not None and pk not in own.visible:
                self.error(
                    sheet,
                    row,
                    "、".join(sheet.natural_key),
                    "该记录已存在，但超出您的管辖范围，不能导入。",
                )
                continue
            instance = existing[pk] if pk is not None else new_instance(model)
            before = serialize_object(instance) if pk is not None else None
            self.assign(sheet, row, instance, setters, related, creating=pk is None)
            made = [f for f in row.hidden if before is None or before.get(f) != row.refs[f]]
            if made:
                for name in made:
                    ref = next(r for r in sheet.refs if r.field == name)
                    self.error(sheet, row, "、".join(ref.headers), row.hidden[name])
                if before is not None:
                    existing[pk] = model._base_manager.get(pk=pk)  # drop the half-set copy
                continue
            unchanged = before is not None and serialize_object(instance) == before
            if row.unwritable and not unchanged:
                for name, message in row.unwritable.items():
                    ref = next(r for r in sheet.refs if r.field == name)
                    self.error(sheet, row, "、".join(ref.headers), message)
                if before is not None:
                    existing[pk] = model._base_manager.get(pk=pk)  # drop the half-set copy
                continue
            if before is not None:
                if unchanged:
                    counts.unchanged += 1
                    continue
                if self.mode == Mode.CREATE:
                    counts.skipped += 1
                    continue
                if pk not in own.writable():
                    self.error(
                        sheet, row, "", "您无权修改这条已有记录（超出管辖范围或无修改权限）。"
                    )
                    continue
                if versions is not None and versions.get(str(pk)) != instance.version:
                    self.error(
                        sheet, row, "", changed_since_preview(instance, versions.get(str(pk)))
                    )
                    continue
            elif not can_add:
                self.error(sheet, row, "", f"您没有新建{model._meta.verbose_name}的权限。")
                continue
            try:
                service.prepare(actor=self.actor, instance=instance)
                checks.full_clean(instance)
                self.extra_checks(sheet, instance, before)
                service.validate(actor=self.actor, instance=instance, before=before)
            except ValidationError as exc:
                self.validation_errors(sheet, row, exc)
                if before is not None:
                    existing[pk] = model._base_manager.get(pk=pk)  # drop the half-set copy
                continue
            if before is None:
                creates.append((row, instance))
            else:
                updates.append((row, instance, before))
        return creates, updates

    def field_checks(self, sheet: Sheet) -> _FieldChecks:
        if sheet.key not in self.checks:
            # References are checked above, by natural key, against what the user may see.
            self.checks[sheet.key] = _FieldChecks(sheet.model, {ref.field for ref in sheet.refs})
        return self.checks[sheet.key]

    def assign(self, sheet, row, instance, setters, related, *, creating: bool) -> None:
        values = row.values
        for header, attname, text, null, default in setters:
            if header not in values:
                continue
            value = values[header]
            if value is None or value == "":
                if text:
                    value = ""
                elif not null:
                    if default is _NO_DEFAULT:
                        pass
                    elif creating:
                        value = default()
                    else:
                        continue  # a blank cell keeps the current value of a defaulted field
            setattr(instance, attname, value)
        for ref in sheet.refs:
            if ref.field not in row.refs:
                continue
            pk = row.refs[ref.field]
            setattr(instance, ref.field, related[ref.target].get(pk) if pk else None)

    def extra_checks(self, sheet: Sheet, instance: models.Model, before: dict | None) -> None:
        """Rules the database enforces that a bulk write would only meet as an IntegrityError."""
        if sheet.key != "occupancy":
            return
        if self.current_primary is None:
            self.current_primary = dict(
                Occupancy._base_manager.filter(ended_on__isnull=True, is_primary=True).values_list(
                    "person_id", "pk"
                )
            )
        pair = (instance.person_id or id(instance.person), instance.room_id or id(instance.room))
        earlier = self.file_occupancies.setdefault(pair, [])
        other = next((o for o in earlier if o.overlaps(instance)), None)
        if other is not None:
            raise instance.overlap_error(other)
        earlier.append(instance)
        current = self.current_primary
        person = instance.person_id
        if instance.is_primary and instance.ended_on is None:
            holder = current.get(person)
            if holder is not None and holder != (instance.pk or id(instance)):
                raise ValidationError({"is_primary": _one_current_primary_message()})
            current[person] = instance.pk or id(instance)
        elif current.get(person) == instance.pk and instance.pk is not None:
            del current[person]

    def validation_errors(self, sheet: Sheet, row: _Row, exc: ValidationError) -> None:
        by_field = {c.field: c.header for c in sheet.columns if c.field}
        by_field |= {ref.field: "、".join(ref.headers) for ref in sheet.refs}
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                column = by_field.get(name, "")
                for message in errors:
                    self.error(sheet, row, column, message)
        else:
            for message in exc.messages:
                self.error(sheet, row, "", message)

    def fetch(self, sheet: Sheet, ids: list[int]) -> dict[int, models.Model]:
        """The existing objects the rows match, locked until the import ends when it writes."""
        out: dict[int, models.Model] = {}
        qs = sheet.model._base_manager.all()
        if self.commit:
            qs = qs.select_for_update()
        for start in range(0, len(ids), CHUNK):
            out.update(qs.in_bulk(ids[start : start + CHUNK]))
        return out

    def fetch_related(self, sheet: Sheet, rows: list[_Row]) -> dict[str, dict[int, models.Model]]:
        """The objects the rows refer to, with what their str() needs, in a few queries."""
        out: dict[str, dict[int, models.Model]] = {}
        for ref in sheet.refs:
            keys = self.keys_for(ref.target)
            wanted = {r.refs.get(ref.field) for r in rows} - {None}
            cached = {pk: keys.objects[pk] for pk in wanted if pk in keys.objects}
            missing = list(wanted - cached.keys())
            qs = keys.model._base_manager.select_related(*ref.select_related)
            for start in range(0, len(missing), CHUNK):
                cached.update(qs.in_bulk(missing[start : start + CHUNK]))
            keys.objects.update(cached)
            out.setdefault(ref.target, {}).update(cached)
        return out

    def save(self, sheet, creates, updates, counts: Counts) -> None:
        model = sheet.model
        own = self.keys_for(sheet.key)
        now = timezone.now()
        if creates:
            created = [i for _, i in creates]
            if model is Organization:
                # A unit's path ends with its own id: taken first, the unit goes in by one insert.
                for org, pk in zip(created, reserve_ids(model, len(created)), strict=True):
                    org.pk = pk
                    org.path = org.compute_path()
            insert_objects(created)
        if updates:
            for _, inst, _ in updates:
                inst.version += 1  # the row is locked (fetch) and its version was checked
            names = sorted(
                {
                    n
                    for _, inst, before in updates
                    for n, v in serialize_object(inst).items()
                    if before.get(n) != v
                }
            )
            fields = [model._meta.get_field(n).name for n in names] + ["updated_at"]
            for _, inst, _ in updates:
                inst.updated_at = now
            model.objects.bulk_update([i for _, i, _ in updates], fields, batch_size=CHUNK)
            if model is Organization:
                service = service_for(model)
                for _, inst, before in updates:
                    service.after_save(actor=self.actor, instance=inst, before=before)
        out_of_scope = self.outside_scope(model, [i.pk for _, i in creates], "add")
        out_of_scope |= self.outside_scope(model, [i.pk for _, i, _ in updates], "change")
        for row, inst in creates:
            if inst.pk in out_of_scope:
                self.error(sheet, row, "", "这一行的记录超出您的管辖范围。")
                continue
            counts.created += 1
            own.add(row.key, inst)
            self.changes.append((inst, ObjectChange.Action.CREATE, None))
        for row, inst, before in updates:
            if inst.pk in out_of_scope:
                self.error(sheet, row, "", "修改后这条记录将超出您的管辖范围。")
                continue
            counts.updated += 1
            own.add(row.key, inst)
            self.changes.append((inst, ObjectChange.Action.UPDATE, before))
            versions = self.result.versions.setdefault(model._meta.label_lower, {})
            versions[str(inst.pk)] = inst.version - 1  # as found, before this write
            if len(self.result.changes) < MAX_CHANGES:
                self.result.changes.append(describe_update(sheet, row.number, inst, before))
        if model is Room and creates + updates:
            buildings = {i.floor.building_id: i.floor.building for _, i, *_ in creates + updates}
            for building in buildings.values():
                self.result.notices += building_room_area_notice(building)

    def outside_scope(self, model, ids: list[int], action: str) -> set[int]:
        if not ids:
            return set()
        inside: set[int] = set()
        allowed = model.objects.restrict(self.actor, action)
        low, high = min(ids), max(ids)
        if high - low < 2 * len(ids):  # new rows' ids are (nearly) consecutive: one query
            inside = set(allowed.filter(pk__range=(low, high)).values_list("pk", flat=True))
        else:
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                inside |= set(allowed.filter(pk__in=chunk).values_list("pk", flat=True))
        return set(ids) - inside


def describe_update(sheet: Sheet, number: int, instance: models.Model, before: dict) -> dict:
    """What a preview shows of one updated row: the columns whose value changes."""
    after = serialize_object(instance)
    fields = []
    for column in sheet.columns:
        if column.field and before.get(column.field) != after.get(column.field):
            old, new = before.get(column.field), after.get(column.field)
            if column.kind is Kind.CHOICE:
                labels = dict(column.choices)
                old, new = labels.get(old, old), labels.get(new, new)
            fields.append({"column": column.header, "old": old, "new": new})
    for ref in sheet.refs:
        if before.get(ref.field) != after.get(ref.field):
            model = instance._meta.get_field(ref.field).related_model
            old = model._base_manager.filter(pk=before.get(ref.field)).first()
            new = getattr(instance, ref.field)
            fields.append(
                {"column": "、".join(ref.headers), "old": str(old or ""), "new": str(new or "")}
            )
    return {"sheet": sheet.title, "row": number, "object": str(instance), "fields": fields}


def run_import(
    *,
    actor,
    sheets: list[RawSheet],
    mode: str = Mode.UPSERT,
    commit: bool = False,
    request_id: uuid.UUID | None = None,
    remote_addr: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    based_on: dict[str, dict[str, int]] | None = None,
) -> ImportResult:
    """Import ``sheets`` as ``actor``; write only when ``commit`` and every row is clean.

    ``based_on`` is the preview's ``versions``: a row that would update an object changed since
    (or not found to update then) is refused, so a commit never undoes someone else's edit.
    """
    token = set_context(
        RequestContext(request_id=request_id or uuid.uuid4(), remote_addr=remote_addr)
    )
    try:
        with transaction.atomic(), plausibility.remembered():
            run = _Run(actor=actor, mode=mode, progress=progress, commit=commit, based_on=based_on)
            result = run.run(sheets)
            if commit and result.ok:
                record_changes(actor=actor, changes=run.changes)
                recheck_compliance(run.changes)
                result.committed = True
            else:
                transaction.set_rollback(True)
    finally:
        reset_context(token)
    return result


def recheck_compliance(changes: list[tuple[models.Model, str, dict | None]]) -> None:
    """Re-run the compliance checks of the regions the import wrote to, once, after the write
    (the per-object re-check the services trigger would cost a query set per row)."""
    if not changes:
        return
    from ..compliance.loader import Selection
    from ..compliance.services import check

    paths = _touched_region_paths(changes)
    for path in sorted(paths):
        check(Selection.region(path=path))


def _touched_region_paths(changes) -> set[str]:
    """The smallest set of region subtrees that holds every written object."""
    by_model: dict[type, list[int]] = defaultdict(list)
    for instance, _, _ in changes:
        by_model[type(instance)].append(instance.pk)
    paths: set[str] = set()
    for model, ids in by_model.items():
        lookup = f"{model.scope.region}__path" if model.scope.region else "path"
        for start in range(0, len(ids), CHUNK):
            paths |= set(
                model._base_manager.filter(pk__in=ids[start : start + CHUNK]).values_list(
                    lookup, flat=True
                )
            )
    # Keep only the top-most paths: a subtree's check covers its descendants.
    tops: set[str] = set()
    for path in sorted(paths, key=len):
        if not any(path.startswith(t) for t in tops):
            tops.add(path)
    return tops
