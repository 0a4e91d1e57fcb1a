"""Base filterset: one per model, shared by list pages, the API and exports."""

from __future__ import annotations

from typing import ClassVar

import django_filters
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django_filters.utils import label_for_filter

from . import naturalkeys
from .models import ObjectChange
from .text import is_number
from .widgets import APISelect


def _scoped_choices(model):
    """Choices of a foreign-key filter: only what the requesting account can see."""

    def queryset(request):
        user = getattr(request, "user", None)
        return (
            model.objects.restrict(user, "view")
            if hasattr(model, "scope")
            else model.objects.none()
        )

    return queryset


class NaturalKeyChoiceField(django_filters.fields.ModelChoiceField):
    """A foreign-key filter value: the id, or the target's code (``?region=370481``, a unit's
    统一社会信用代码), matched exactly inside the scope."""

    def to_python(self, value):
        if value not in self.empty_values:
            lookup = naturalkeys.code_lookup(self.queryset.model, value)
            if lookup is not None:
                try:
                    return self.queryset.get(**lookup)
                except (
                    self.queryset.model.DoesNotExist,
                    self.queryset.model.MultipleObjectsReturned,
                ):
                    raise ValidationError(
                        self.error_messages["invalid_choice"], code="invalid_choice"
                    ) from None
        return super().to_python(value)


class NaturalKeyChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = NaturalKeyChoiceField


def _fk_filter(field: models.ForeignKey) -> dict:
    return {
        "queryset": _scoped_choices(field.related_model),
        "widget": APISelect,
    }


# What a yes/no filter accepts: the page's select (unknown/true/false) and the API's true/false;
# empty means no filter.
BOOLEAN_VALUES = frozenset({"", "unknown", "true", "false"})
# The page's select for a yes/no filter: the empty choice lists everything.
BOOLEAN_CHOICES = (("unknown", "全部"), ("true", "是"), ("false", "否"))


class BaseFilterSet(django_filters.FilterSet):
    """Adds ``q`` (free-text search over ``search_fields``); foreign keys filter by scoped id."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.ForeignKey: {"filter_class": NaturalKeyChoiceFilter, "extra": _fk_filter},
        models.OneToOneField: {
            "filter_class": NaturalKeyChoiceFilter,
            "extra": _fk_filter,
        },
    }

    q = django_filters.CharFilter(method="search", label="搜索")

    search_fields: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def filter_for_field(cls, field, field_name, lookup_expr=None):
        """Generated filters get their Chinese label now: django-filter would otherwise find it
        only once the filter knows its model, and a filter whose form field was built before
        (the API schema builds them from the class) keeps Django's English name for ever."""
        new = super().filter_for_field(field, field_name, lookup_expr)
        if new._label is None:
            new.label = label_for_filter(cls._meta.model, field_name, new.lookup_expr)
        return new

    def get_form_class(self):
        """The filter form, refusing yes/no values it does not know: django-filter reads any
        unknown text as "no filter", so ``?current=-1`` silently listed everything."""
        base = super().get_form_class()
        booleans = [
            name for name, f in self.filters.items() if isinstance(f.field, forms.NullBooleanField)
        ]
        if not booleans:
            return base

        def clean(form):
            cleaned = base.clean(form)
            for name in booleans:
                raw = form.data.get(name) if hasattr(form.data, "get") else None
                if raw is not None and str(raw) not in BOOLEAN_VALUES:
                    # The value goes in as a parameter: django-filter formats the message with
                    # ``%``, which a "%" in the raw text would break.
                    form.add_error(
                        name,
                        ValidationError(
                            "“%(label)s”只能是 true 或 false，收到“%(value)s”。",
                            params={"label": form.fields[name].label, "value": str(raw)[:40]},
                        ),
                    )
            return cleaned

        def __init__(form, *args, **kwargs):
            base.__init__(form, *args, **kwargs)
            for name in booleans:
                widget = form.fields[name].widget
                if isinstance(widget, forms.NullBooleanSelect):
                    # Django's own labels read 未知/是/否: "unknown" here means no filter.
                    widget.choices = BOOLEAN_CHOICES

        return type(base.__name__, (base,), {"clean": clean, "__init__": __init__})

    def search(self, queryset, name, value):
        value = value.strip()
        if not value or not self.search_fields:
            return queryset
        q = Q()
        for field in self.search_fields:
            q |= Q(**{field: value})
        return queryset.filter(q)


def _logged_types(request):
    """Object types that appear in the change log: every domain model, and accounts."""
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType

    from .models import PrimaryModel

    ids = [
        ContentType.objects.get_for_model(model).pk
        for model in apps.get_models()
        if issubclass(model, PrimaryModel) or model is apps.get_model(settings.AUTH_USER_MODEL)
    ]
    return ContentType.objects.filter(pk__in=ids).order_by("app_label", "model")


class ContentTypeChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        model = obj.model_class()
        return str(model._meta.verbose_name) if model else obj.model


class ContentTypeChoiceFilter(django_filters.ModelChoiceFilter):
    """A model chosen by its Chinese name."""

    field_class = ContentTypeChoiceField

    def __init__(self, **kwargs):
        super().__init__(queryset=_logged_types, **kwargs)


class ObjectChangeFilterSet(BaseFilterSet):
    """The audit log (audit_admin): when, who, from where, which action or event, its result,
    which object, which request — shared by the page, its CSV export and the API."""

    time_after = django_filters.DateFilter(
        field_name="time",
        lookup_expr="date__gte",
        label="起始日期",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    time_before = django_filters.DateFilter(
        field_name="time",
        lookup_expr="date__lte",
        label="截止日期",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    user_name = django_filters.CharFilter(lookup_expr="icontains", label="操作账号")
    remote_addr = django_filters.CharFilter(lookup_expr="startswith", label="来源地址")
    action = django_filters.ChoiceFilter(choices=ObjectChange.Action.choices, label="操作")
    event = django_filters.CharFilter(
        lookup_expr="startswith",
        label="事件",
        help_text="如 auth.login；填 auth. 查看全部登录类事件",
    )
    result = django_filters.ChoiceFilter(choices=ObjectChange.Result.choices, label="结果")
    changed_object_type = ContentTypeChoiceFilter(label="对象类型")
    changed_object_id = django_filters.NumberFilter(label="对象编号")
    request_id = django_filters.UUIDFilter(label="请求编号")

    search_fields = ("object_repr__icontains", "user_name__icontains", "event__icontains")

    class Meta:
        model = ObjectChange
        fields: ClassVar[list[str]] = []

    def search(self, queryset, name, value):
        """Free text: object name, account or event; a number also matches the object id."""
        value = value.strip()
        if not value:
            return queryset
        q = (
            Q(object_repr__icontains=value)
            | Q(user_name__icontains=value)
            | Q(event__icontains=value)
        )
        if is_number(value):
            q |= Q(changed_object_id=int(value))
        return queryset.filter(q)


def applied_filters(filterset) -> dict[str, str]:
    """The filters a request actually set, by name (what an export records it was made with)."""
    data = filterset.data
    return {name: data.get(name) for name in filterset.filters if str(data.get(name) or "").strip()}
