"""Which models may carry documents, and how a document's scope follows its subject.

An app registers its models in its ``AppConfig.ready()``::

    register_subject(Floor, region=lambda floor: floor.building.compound.region)

Rules (tested in ``tests/test_scope.py``):

* **Reading** a document needs ``archives.view_document`` and that the reader may *see* the
  subject: ``restrict(user)`` of the registration, by default the subject model's own
  ``objects.restrict(user, "view")``.
* **Writing** (uploading a new paper or version, editing its particulars, deleting a version)
  needs ``archives.<action>_document`` and that the subject lies in the user's *write scope*
  for its model — the region subtree for a bureau account, the objects its organization owns for a
  unit (not those it merely reads, like the compound its rented rooms stand in) — whatever the
  user's rights on the subject model itself. So a surveyor (view + add on documents, view only
  on the registry) files survey reports on the buildings of its region, and a unit files papers
  on its own buildings without the right to edit their registry entry.
  ``restrict_write(user, action)`` of the registration overrides the default.

The document queryset is scoped by one ``Q``: the union over registered models of
``Q(subject_type=<type>, subject_id__in=<scoped subquery of ids>)``, so the database evaluates
each subject type's scope as a subquery instead of Python walking the documents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, ProtectedError, Q, QuerySet
from django.db.models.signals import pre_delete

from ..framework.scope import NOTHING, READ_ACTIONS, scope_q

if TYPE_CHECKING:
    from ..registry.models import Region


@dataclass(frozen=True)
class SubjectSpec:
    model: type[Model]
    region: Callable[[Model], Region]
    restrict: Callable[..., QuerySet] | None = None
    restrict_write: Callable[..., QuerySet] | None = None

    def readable(self, user) -> QuerySet:
        """Subjects ``user`` may see."""
        if self.restrict is not None:
            return self.restrict(user)
        return self.model._default_manager.restrict(user, "view")

    def writable(self, user, action: str = "change") -> QuerySet:
        """Subjects on which ``user`` may write documents (the module's rule)."""
        if self.restrict_write is not None:
            return self.restrict_write(user, action)
        if getattr(self.model, "scope", None) is None:
            return self.model._default_manager.restrict(user, "change")
        return self.model._base_manager.filter(scope_q(self.model, user, action))


_subjects: dict[type[Model], SubjectSpec] = {}


def register_subject(
    model: type[Model],
    *,
    region: Callable[[Model], Region],
    restrict: Callable[..., QuerySet] | None = None,
    restrict_write: Callable[..., QuerySet] | None = None,
) -> None:
    """Let ``model``'s objects carry documents.

    ``region(obj)``: the region a document of ``obj`` is filed under (bureau reports, search).
    ``restrict(user)``: the objects ``user`` may see (default: the model's ``restrict``).
    ``restrict_write(user, action)``: the objects on which ``user`` may add/change/delete
    documents (default: the module's write scope).
    """
    _subjects[model] = SubjectSpec(model, region, restrict, restrict_write)
    pre_delete.connect(
        _protect_documents, sender=model, dispatch_uid=f"archives_protect_{model._meta.label}"
    )


def _protect_documents(sender, instance: Model, **kwargs) -> None:
    """A subject with papers on file is not deleted (the papers would lose their owner): the
    service turns this into "仍被 N 个档案资料引用"."""
    from .models import Document

    documents = list(Document.objects.of(instance)[:20])
    if documents:
        raise ProtectedError(f"{instance} 仍有档案资料", documents)


def subject_spec(model_or_obj: type[Model] | Model) -> SubjectSpec | None:
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    return _subjects.get(model._meta.concrete_model)


def registered_models() -> list[type[Model]]:
    return list(_subjects)


def is_subject(obj: Model) -> bool:
    return subject_spec(obj) is not None


# Categories whose papers gather the facts of every occupant of a property (the dossier: all
# rooms, people and cases of a building). An account scoped to one organization reads them only
# on properties it may write on (its own), not on a landlord's building it merely rents in.
WHOLE_PROPERTY_CATEGORIES = frozenset({"dossier"})


def document_scope_q(user, action: str) -> Q:
    """Documents whose subject ``user`` may see (``view``) or write on (other actions)."""
    types = ContentType.objects.get_for_models(*_subjects, for_concrete_models=False)
    q = NOTHING
    for model, spec in _subjects.items():
        subjects = spec.readable(user) if action in READ_ACTIONS else spec.writable(user, action)
        q |= Q(subject_type=types[model], subject_id__in=subjects.values("pk"))
    if action in READ_ACTIONS and getattr(user, "scope_organization_id", None):
        own = NOTHING
        for model, spec in _subjects.items():
            own |= Q(
                subject_type=types[model], subject_id__in=spec.writable(user, "add").values("pk")
            )
        q &= ~Q(category__code__in=WHOLE_PROPERTY_CATEGORIES) | own
    return q


def can_see_subject(user, subject: Model) -> bool:
    spec = subject_spec(subject)
    return spec is not None and spec.readable(user).filter(pk=subject.pk).exists()


def can_write_subject(user, subject: Model, action: str = "add") -> bool:
    """Whether ``user`` may ``action`` documents on ``subject`` (see the module docstring)."""
    spec = subject_spec(subject)
    if spec is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    from .models import Document

    if not user.has_model_perm(Document, action):
        return False
    return spec.writable(user, action).filter(pk=subject.pk).exists()


def subject_region(subject: Model) -> Region:
    spec = subject_spec(subject)
    if spec is None:
        raise LookupError(f"{type(subject).__name__} is not registered as a document subject")
    return spec.region(subject)
