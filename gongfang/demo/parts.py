"""The demo's contributor hook: each installed app may add its part of the demo city.

An app contributes by having a module ``demo_part`` (``gongfang/<app>/demo_part.py``), found here
by name, so a lower app never imports this top app. The parts run in the order of
``INSTALLED_APPS`` (the registry first, the cases built on it later), each on the registry the
earlier parts built. A ``demo_part`` module defines:

* ``LABEL``: what the part builds, in Chinese (shown when it fails);
* ``build(run: DemoRun) -> None``: write the part, report through ``run``;
* optionally ``existing() -> dict[str, int]``: rows of the part already in the database (by the
  model's Chinese name); ``load_demo`` refuses to write over them without ``--flush``;
* optionally ``flush() -> int``: delete the part's rows, returning how many; run in reverse
  order (the cases before the rooms they name).
"""

from __future__ import annotations

import datetime
import importlib
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from django.apps import apps
from django.utils.module_loading import module_has_submodule

MODULE = "demo_part"


@dataclass
class DemoRun:
    """What the parts of one ``load_demo`` share: the options, the accounts, the report."""

    profile: str
    seed: int
    anchor: datetime.date
    stdout: Any  # the command's OutputWrapper
    style: Any = None
    # The demo accounts by username (the registry's part creates them).
    users: dict[str, Any] = field(default_factory=dict)
    rows: int = 0
    # (title, lines) printed after the build, in the order the parts added them.
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    # Timings shown in the closing line: "生成计划 1.2 秒".
    timings: list[str] = field(default_factory=list)
    # Anything one part leaves for a later one (e.g. the registry's plan facts).
    shared: dict[str, Any] = field(default_factory=dict)

    def say(self, line: str = "") -> None:
        self.stdout.write(line)

    def section(self, title: str, lines: list[str]) -> None:
        self.sections.append((title, lines))


def contributions() -> list[tuple[str, ModuleType]]:
    """(app label, its ``demo_part`` module) for every installed app that has one, in order."""
    found = []
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, MODULE):
            found.append((config.label, importlib.import_module(f"{config.name}.{MODULE}")))
    return found


def flush_all() -> int:
    """Delete what every part wrote (the parts' ``flush``, the last part first: cases and titles
    before the rooms they name); returns how many rows. Regions and accounts stay."""
    return sum(
        module.flush() for _label, module in reversed(contributions()) if hasattr(module, "flush")
    )
