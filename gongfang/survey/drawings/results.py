"""What reading a drawing gives: rooms in metres, the layers seen, and the problems found."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a drawing; ``where`` and ``message`` are Chinese, for the user."""

    severity: str  # "error" | "warning"
    where: str
    message: str


@dataclass(frozen=True)
class LayerInfo:
    """A layer of a DXF drawing: its entity counts by type and the guessed role."""

    name: str
    entities: dict[str, int]
    role: str | None  # "outline" | "label" | "wall" | "opening" | None


@dataclass(frozen=True)
class DrawnRoom:
    """A room found in a drawing; ``area`` comes from the polygon, ``stated_area`` from a text."""

    number: str
    name: str
    area: float
    geometry: dict
    stated_area: float | None
    storey: str
    source: str  # "polyline" | "hatch" | "lines" | "walls" | "ifc"


@dataclass
class DrawingResult:
    """Everything read from one drawing; stored as JSON (``to_json``) until the batch is applied."""

    format: str  # "dxf" | "ifc" | "" when not recognised
    units: float | None = None  # metres per drawing unit
    units_source: str = ""  # "insunits" | "user" | "guess" | "ifc"
    layers: list[LayerInfo] = field(default_factory=list)
    outline_layers: list[str] = field(default_factory=list)
    label_layers: list[str] = field(default_factory=list)
    storeys: list[str] = field(default_factory=list)
    rooms: list[DrawnRoom] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when there is at least one room and no error."""
        return bool(self.rooms) and not any(p.severity == ERROR for p in self.problems)

    def error(self, where: str, message: str) -> None:
        self.problems.append(Problem(ERROR, where, message))

    def warning(self, where: str, message: str) -> None:
        self.problems.append(Problem(WARNING, where, message))

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> DrawingResult:
        return cls(
            format=data.get("format", ""),
            units=data.get("units"),
            units_source=data.get("units_source", ""),
            layers=[LayerInfo(**layer) for layer in data.get("layers", [])],
            outline_layers=list(data.get("outline_layers", [])),
            label_layers=list(data.get("label_layers", [])),
            storeys=list(data.get("storeys", [])),
            rooms=[DrawnRoom(**room) for room in data.get("rooms", [])],
            problems=[Problem(**problem) for problem in data.get("problems", [])],
        )
