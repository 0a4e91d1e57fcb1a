"""Rows the data migrations seed (national processes, standards, categories, checklists) written
again when a flush has emptied their tables.

A flush — between transactional tests, or ``manage.py flush`` — empties every table but does not
re-run the migrations that seeded them; it does send ``post_migrate``. An app registers its seed
here with the model that shows whether the seed is there; after each migrate or flush the seed
runs again when that model's table is empty (a table with rows is the bureau's and is left alone),
or every time for a seed that checks row by row itself (``model_label=None``).
The seed functions are those the migrations run, called with the migration's historical models.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import SimpleNamespace

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db import connections
from django.db.models.signals import post_migrate

# seed(apps, schema_editor): a migration's RunPython function; the stand-in schema editor carries
# only the connection (``schema_editor.connection.alias``).
Seed = Callable[[object, object], None]


def reseed_when_empty(app_config: AppConfig, model_label: str | None, seed: Seed) -> None:
    """After every migrate or flush, run ``seed`` when ``model_label``'s table is empty (always,
    when None: an idempotent seed)."""

    def receiver(sender, using: str = "default", apps=None, **kwargs) -> None:
        apps = apps or global_apps
        try:
            model = apps.get_model(model_label) if model_label else None
        except LookupError:  # migrated backwards: the table is not there
            return
        if model is None or not model.objects.using(using).exists():
            seed(apps, SimpleNamespace(connection=connections[using]))

    post_migrate.connect(
        receiver,
        sender=app_config,
        weak=False,
        dispatch_uid=f"reseed:{app_config.label}:{model_label}:{seed.__module__}",
    )


def migration_seed(migration: str, function: str = "") -> Seed:
    """The RunPython function of the migration module ``migration`` (dotted path): ``function``
    by name, else the module's only ``create``, ``seed`` or ``seed_*`` function."""
    module = importlib.import_module(migration)
    if function:
        return getattr(module, function)
    names = [n for n in vars(module) if n in ("create", "seed") or n.startswith("seed_")]
    if len(names) != 1:
        raise LookupError(f"{migration}: name the seed function ({names})")
    return getattr(module, names[0])
