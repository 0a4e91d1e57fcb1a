"""The national default processes of a set of case kinds, as data migrations write them.

The workflow's own migration and those of the apps that add kinds (maintenance, vehicles) describe
their processes as data — ``{kind: (name, number prefix, [(step name, actor rules, actions, time
limit in working days, needs signature), …])}`` — and write them with :func:`create_national`;
:func:`reseed_definitions` writes them again after a flush (framework.seeding).
"""

from __future__ import annotations

import datetime

Step = tuple[str, list[str], list[str], int, bool]
Definitions = dict[str, tuple[str, str, list[Step]]]


def create_national(
    apps, definitions: Definitions, *, source: str, effective_from: datetime.date
) -> None:
    """Write each kind's national process unless the kind has one already (idempotent)."""
    ProcessDefinition = apps.get_model("workflow", "ProcessDefinition")
    StepDefinition = apps.get_model("workflow", "StepDefinition")
    for kind, (name, prefix, steps) in definitions.items():
        if ProcessDefinition.objects.filter(kind=kind, region__isnull=True).exists():
            continue
        definition = ProcessDefinition.objects.create(
            kind=kind,
            region=None,
            revision=1,
            name=name,
            effective_from=effective_from,
            source=source,
            number_prefix=prefix,
            is_active=True,
        )
        StepDefinition.objects.bulk_create(
            StepDefinition(
                definition=definition,
                order=order,
                name=step_name,
                actors=actors,
                actions=actions,
                time_limit_days=days,
                needs_signature=signature,
            )
            for order, (step_name, actors, actions, days, signature) in enumerate(steps, start=1)
        )


def reseed_definitions(app_config, migration: str) -> None:
    """After a flush, write the processes of ``migration`` (a module whose ``create`` is the
    migration's idempotent RunPython function) again."""
    from ..framework.seeding import migration_seed, reseed_when_empty

    create = migration_seed(migration, "create")
    # Every time, not when the process table is empty: several apps' processes share the table,
    # and ``create`` skips the kinds that have theirs.
    reseed_when_empty(app_config, None, create)
