"""The one-click dossier (一房一档) of a compound or a building."""

from __future__ import annotations


def register() -> None:
    """Nothing yet."""
