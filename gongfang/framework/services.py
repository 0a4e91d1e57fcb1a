"""The one path by which objects are created, changed and deleted.

Each domain model has an :class:`ObjectService` (registered with :func:`register`); pages, API and
imports call it and never ``save()`` themselves. A write runs in one transaction: permission,
validation, save, the scope re-check and the change-log row commit together or not at all.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError

from .changelog import record_change, serialize_object
from .models import ObjectChange
from .signals import object_written
from .versions import check_version, is_versioned

OUT_OF_SCOPE = "该对象超出您的管辖范围，未保存。"


class ObjectService:
    """Generic create / update / delete for one model; subclasses add the model's own rules."""

    model: ClassVar[type[models.Model]]
    # Foreign keys whose target the writer must be allowed to change, not only to see (an
    # occupancy joins a person and a room that both lie inside the writer's scope). Imports
    # read the same declaration.
    writable_references: ClassVar[tuple[str, ...]] = ()

    # Hooks for subclasses -------------------------------------------------------------------
    def prepare(self, *, actor, instance: models.Model) -> None:
        """Fill derived fields before validation."""

    def validate(self, *, actor, instance: models.Model, before: dict | None) -> None:
        """Rules that need the actor or other rows; raise ``ValidationError`` to refuse."""

    def after_save(self, *, actor, instance: models.Model, before: dict | None) -> list[str]:
        """Work that follows a save (derived fields of other rows); returns notices for the user."""
        return []

    # Operations -----------------------------------------------------------------------------
    def create(self, *, actor, data: dict[str, Any]) -> tuple[models.Model, list[str]]:
        self._require_perm(actor, "add")
        with transaction.atomic():
            instance = self.model(**data)
            return instance, self._save(actor=actor, instance=instance, before=None)

    def update(
        self,
        *,
        actor,
        instance: models.Model,
        data: dict[str, Any],
        expected_version: int | None = None,
    ) -> tuple[models.Model, list[str]]:
        """Apply ``data`` to the row as it is now, locked, and save only what changed.

        ``instance`` may be stale (read before the lock): the row is read again under its lock,
        so a concurrent edit of other fields survives. ``expected_version`` is the version the
        edit was based on (a form's hidden field, an API ``If-Match``): when the row has moved
        on since, :class:`StaleObjectError` says what changed meanwhile and nothing is saved.
        """
        self._require_perm(actor, "change")
        with transaction.atomic():
            current = self._lock(instance)
            self._require_in_scope(actor, current, "change")
            check_version(current, expected_version)
            before = serialize_object(current)
            for name, value in data.items():
                setattr(current, name, value)
            notices = self._save(actor=actor, instance=current, before=before)
        _copy_state(current, instance)
        return instance, notices

    def delete(self, *, actor, instance: models.Model, expected_version: int | None = None) -> None:
        self._require_perm(actor, "delete")
        with transaction.atomic():
            current = self._lock(instance)
            self._require_in_scope(actor, current, "delete")
            check_version(current, expected_version)
            before = serialize_object(current)
            pk = current.pk
            # Named before deleting: a refused deletion can leave the transaction unusable for
            # the queries a name needs (a building's compound).
            label = str(current)
            try:
                current.delete()
            except (ProtectedError, RestrictedError) as exc:
                raise ValidationError(protected_message(label, exc)) from exc
            current.pk = pk
            record_change(
                actor=actor, instance=current, action=ObjectChange.Action.DELETE, before=before
            )
            object_written.send(
                sender=self.model,
                instance=current,
                before=before,
                after=None,
                actor=actor,
                action=ObjectChange.Action.DELETE,
            )
        instance.pk = None

    # Internals ------------------------------------------------------------------------------
    def _save(self, *, actor, instance: models.Model, before: dict | None) -> list[str]:
        self.prepare(actor=actor, instance=instance)
        instance.full_clean()
        self._check_references(actor, instance, before)
        self.validate(actor=actor, instance=instance, before=before)
        if before is None:
            instance.save()
        else:
            _save_changed_fields(instance)
        notices = self.after_save(actor=actor, instance=instance, before=before)
        # Re-check after the write: the new values must still lie inside the writer's scope.
        permission = "add" if before is None else "change"
        self._require_in_scope(actor, instance, permission, message=OUT_OF_SCOPE)
        action = ObjectChange.Action.CREATE if before is None else ObjectChange.Action.UPDATE
        record_change(actor=actor, instance=instance, action=action, before=before)
        object_written.send(
            sender=self.model,
            instance=instance,
            before=before,
            after=serialize_object(instance),
            actor=actor,
            action=action,
        )
        return notices

    def _check_references(self, actor, instance: models.Model, before: dict | None) -> None:
        """Every object newly referred to must be one the actor can see: a hidden id is refused.
        Targets named in ``writable_references`` must be ones the actor may change, always."""
        errors = {}
        for field in instance._meta.concrete_fields:
            if not field.is_relation or not hasattr(field.related_model, "scope"):
                continue
            value = getattr(instance, field.attname)
            writable = field.name in self.writable_references
            if value is None or (
                not writable and before is not None and before.get(field.name) == value
            ):
                continue
            target = field.related_model.objects.restrict(actor, "change" if writable else "view")
            if not target.filter(pk=value).exists():
                errors[field.name] = f"所选{field.verbose_name}不存在或超出您的管辖范围。"
        if errors:
            raise ValidationError(errors)

    def _lock(self, instance: models.Model) -> models.Model:
        """The row as committed now, locked until the transaction ends (PostgreSQL: ``FOR
        UPDATE``; SQLite: the immediate transaction already holds the write lock)."""
        try:
            return self.model._base_manager.select_for_update().get(pk=instance.pk)
        except self.model.DoesNotExist:
            raise ValidationError(
                f"该{self.model._meta.verbose_name}已被他人删除，未保存。"
            ) from None

    def _require_perm(self, actor, action: str) -> None:
        if not actor.has_model_perm(self.model, action):
            raise PermissionDenied(
                f"您没有{ACTION_NAMES[action]}{self.model._meta.verbose_name}的权限。"
            )

    def _require_in_scope(self, actor, instance, action: str, message: str | None = None) -> None:
        if not self.model.objects.restrict(actor, action).filter(pk=instance.pk).exists():
            raise ValidationError(message or OUT_OF_SCOPE)


ACTION_NAMES = {"view": "查看", "add": "新建", "change": "修改", "delete": "删除"}


class ManyToManyService(ObjectService):
    """Create and update with many-to-many fields: saved after the row, checked by
    ``_set_related`` inside the same transaction (a refusal undoes the row too)."""

    many_to_many: ClassVar[tuple[str, ...]] = ()

    def create(self, *, actor, data: dict[str, Any]):
        data = dict(data)
        related = {name: data.pop(name) for name in self.many_to_many if name in data}
        with transaction.atomic():
            instance, notices = super().create(actor=actor, data=data)
            self._set_related(instance, related)
        return instance, notices

    def update(self, *, actor, instance, data, expected_version=None):
        data = dict(data)
        related = {name: data.pop(name) for name in self.many_to_many if name in data}
        with transaction.atomic():
            instance, notices = super().update(
                actor=actor, instance=instance, data=data, expected_version=expected_version
            )
            self._set_related(instance, related)
        return instance, notices

    def _set_related(self, instance: models.Model, related: dict[str, Any]) -> None:
        raise NotImplementedError


def _loaded_values(instance: models.Model) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _save_changed_fields(instance: models.Model) -> None:
    """Write only the fields whose value differs from the row as read (kept by ``from_db``),
    and raise the version by one; an edit that changed nothing writes nothing."""
    loaded = getattr(instance, "_loaded_values", None)
    if loaded is None:
        instance.save()
        return
    changed = [
        f.name
        for f in instance._meta.concrete_fields
        if not f.primary_key and loaded.get(f.attname) != getattr(instance, f.attname)
    ]
    if not changed:
        return
    if is_versioned(instance):
        instance.version = loaded["version"] + 1
        changed.append("version")
    if any(f.name == "updated_at" for f in instance._meta.concrete_fields):
        changed.append("updated_at")
    instance.save(update_fields=changed)
    instance._loaded_values = _loaded_values(instance)


def _copy_state(source: models.Model, target: models.Model) -> None:
    """Give the caller's (possibly stale) instance the values just saved."""
    if source is target:
        return
    for name, value in _loaded_values(source).items():
        setattr(target, name, value)
    target._loaded_values = getattr(source, "_loaded_values", None)


def protected_message(instance: models.Model | str, exc: ProtectedError | RestrictedError) -> str:
    """'still used by 12 rooms' in Chinese, naming each kind of dependent row (``instance``: the
    object refused, or its name)."""
    counts: dict[str, int] = {}
    for obj in exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects:
        name = str(obj._meta.verbose_name)
        counts[name] = counts.get(name, 0) + 1
    parts = "、".join(f"{n} 个{name}" for name, n in counts.items())
    return f"“{instance}”仍被 {parts} 引用，无法删除；请先处理这些对象。"


_services: dict[type[models.Model], ObjectService] = {}


def register(service_class: type[ObjectService]) -> type[ObjectService]:
    """Class decorator: make ``service_class`` the service of its model."""
    _services[service_class.model] = service_class()
    return service_class


def service_for(model: type[models.Model]) -> ObjectService:
    try:
        return _services[model]
    except KeyError:
        raise LookupError(f"no service registered for {model.__name__}") from None
