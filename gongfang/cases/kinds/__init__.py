"""One :class:`~gongfang.workflow.kinds.KindSpec` per case kind (title_filing is the titles
app's), registered by ``CasesConfig.ready``."""

from __future__ import annotations


def register_all() -> None:
    from ...workflow.kinds import register_kind
    from .property import CONSTRUCTION, LEASE_IN
    from .rooms import ALLOCATION, CHANGE_OF_USE, DISPOSAL, LEASE_OUT, LEND, VACATE
    from .waiver import WARNING_WAIVER

    for spec in (
        ALLOCATION,
        VACATE,
        LEND,
        LEASE_IN,
        LEASE_OUT,
        DISPOSAL,
        CHANGE_OF_USE,
        WARNING_WAIVER,
        CONSTRUCTION,
    ):
        register_kind(spec)
