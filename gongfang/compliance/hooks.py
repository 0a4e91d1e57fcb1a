"""What the apps above compliance tell it, through registries they fill at start-up.

Compliance sits below the approval engine and its case kinds, so it never imports them; they
register here instead (``CasesConfig.ready``):

* **Approved-use providers** (R8): given room ids and a day, each returns the approvals of
  出借 / 出租 / 用途变更 it knows for those rooms (:class:`~.facts.ApprovedUseFact`). R8 judges a
  lent, leased-out or changed-use room by whether one of them covers the day.
* **The waiver handler**: a bureau admin's 暂不整改 / 备案 of a warning is a request that goes
  to approval (a case); the handler opens it and says which. The warning changes only when the
  approver signs (:func:`.services.apply_waiver`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .facts import ApprovedUseFact

ApprovedUseProvider = Callable[[list[int], datetime.date], Iterable[ApprovedUseFact]]

_providers: list[ApprovedUseProvider] = []


def register_approved_use_provider(provider: ApprovedUseProvider) -> ApprovedUseProvider:
    """Add ``provider`` (once) to the sources R8 reads."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister_approved_use_provider(provider: ApprovedUseProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def approved_uses(
    room_ids: Iterable[int], today: datetime.date
) -> dict[int, tuple[ApprovedUseFact, ...]]:
    """The approvals every provider knows for ``room_ids``, by room (no provider: none)."""
    ids = sorted(set(room_ids))
    if not ids or not _providers:
        return {}
    found: dict[int, list[ApprovedUseFact]] = defaultdict(list)
    for provider in _providers:
        for fact in provider(ids, today):
            found[fact.room_id].append(fact)
    return {room: tuple(facts) for room, facts in found.items()}


@dataclass(frozen=True)
class WaiverRequest:
    """What a waiver handler opened: the case that carries the request to its approver."""

    number: str
    url: str
    obj: Any = None


# (actor, warning, action, reason) -> WaiverRequest; raises ValidationError to refuse.
WaiverHandler = Callable[..., WaiverRequest]

_waiver_handler: list[WaiverHandler] = []


def register_waiver_handler(handler: WaiverHandler) -> WaiverHandler:
    _waiver_handler[:] = [handler]
    return handler


def unregister_waiver_handler() -> None:
    _waiver_handler.clear()


def waiver_handler() -> WaiverHandler | None:
    """The handler that sends a bureau admin's waiver to approval, if one is registered."""
    return _waiver_handler[0] if _waiver_handler else None
