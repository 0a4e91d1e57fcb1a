"""Generic pages for every model, in the manner of NetBox: list, detail, edit, delete.

Each view starts from ``queryset.restrict(user, action)``: an account without the permission gets
403, an object outside its scope 404 (never 403, so ids don't leak). Writes go through the
model's service.
"""

from __future__ import annotations

import contextlib
from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django_tables2 import RequestConfig

from ..exports import exporter_for
from ..forms import apply_errors
from ..selectors import changes_for
from ..services import protected_message, service_for

PER_PAGE_CHOICES = (25, 50, 100, 250)


def url_name(model: type[models.Model], suffix: str = "") -> str:
    return f"{model._meta.app_label}:{model._meta.model_name}{suffix}"


class ModelReadersMixin(LoginRequiredMixin):
    """A page that is not one generic view of a model (often a POST-only step): only accounts
    that may read ``reader_model`` reach it, whatever the method, so the three administrators
    are refused (403) before a 405 or a redirect tells them what is there."""

    reader_model: ClassVar[type[models.Model]]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_model_perm(
            self.reader_model, "view"
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class BaseObjectView(LoginRequiredMixin, View):
    queryset: ClassVar[models.QuerySet]
    action: ClassVar[str] = "view"

    @property
    def model(self) -> type[models.Model]:
        return self.queryset.model

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_model_perm(
            self.model, self.action
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def restricted(self, action: str | None = None) -> models.QuerySet:
        return self.queryset.restrict(self.request.user, action or self.action)

    def get_object(self, pk) -> models.Model:
        try:
            return self.restricted().get(pk=pk)
        except (self.model.DoesNotExist, ValueError, TypeError):
            raise Http404(f"没有找到该{self.model._meta.verbose_name}。") from None

    def base_context(self) -> dict[str, Any]:
        user = self.request.user
        add_url = ""
        if user.has_model_perm(self.model, "add"):
            # A model created by a step of another (an inspection from its plan) has no add page.
            with contextlib.suppress(NoReverseMatch):
                add_url = reverse(url_name(self.model, "_add"))
        return {
            "model": self.model,
            "verbose_name": self.model._meta.verbose_name,
            "app_verbose_name": self.model._meta.app_config.verbose_name,
            "list_url": reverse(url_name(self.model, "_list")),
            "add_url": add_url,
            "can_add": bool(add_url),
            "can_change": user.has_model_perm(self.model, "change"),
            "can_delete": user.has_model_perm(self.model, "delete"),
        }


class ObjectListView(BaseObjectView):
    """Filtered, searchable, sortable, paginated list with a per-user choice of columns."""

    filterset: ClassVar[type]
    table: ClassVar[type]
    template_name = "framework/object_list.html"
    # Order of the filter form's fields (the rest follow in the filterset's order).
    filter_order: ClassVar[tuple[str, ...]] = ()

    def get(self, request):
        queryset = self.restricted()
        filterset = self.filterset(request.GET, queryset=queryset, request=request)
        if self.filter_order:
            filterset.form.order_fields(self.filter_order)
        rows = filterset.qs if filterset.is_valid() else queryset.none()
        exporter = exporter_for(self.model)
        fmt = request.GET.get("export")
        if exporter is not None and fmt in dict(exporter.formats) and filterset.is_valid():
            return exporter.render(request, filterset, fmt)
        table = self.table(rows, order_by=request.GET.get("sort"), user=request.user)
        self.apply_columns(table)
        per_page = self.per_page()
        RequestConfig(request, paginate={"per_page": per_page}).configure(table)
        # What the table template needs besides the table (render_table passes only it).
        table.partial = True
        table.per_page = per_page
        table.per_page_choices = PER_PAGE_CHOICES
        context = {
            **self.base_context(),
            "table": table,
            "filterset": filterset,
            "filter_form": filterset.form,
            "per_page": per_page,
            "per_page_choices": PER_PAGE_CHOICES,
            "columns": table.choosable_columns(),
            "visible_columns": [c.name for c in table.columns if c.name != "actions"],
            "active_filters": active_filters(request, filterset),
            "export_formats": exporter.formats if exporter is not None else (),
            **self.get_extra_context(),
        }
        template = (
            "framework/htmx/table.html"
            if request.htmx
            and not request.htmx.boosted
            and not request.htmx.history_restore_request
            else self.template_name
        )
        response = render(request, template, context)
        patch_vary_headers(response, ("HX-Request",))
        return response

    def get_extra_context(self) -> dict[str, Any]:
        return {}

    def per_page(self) -> int:
        try:
            value = int(self.request.GET.get("per_page", 50))
        except ValueError:
            return 50
        return value if value in PER_PAGE_CHOICES else 50

    def columns_key(self) -> str:
        return f"table_columns:{self.table.__name__}"

    def apply_columns(self, table) -> None:
        """Show the columns chosen with ``?columns=a&columns=b`` (remembered in the session);
        an empty choice, or none yet, shows the table's default columns."""
        session = self.request.session
        known = {name for name, _ in table.choosable_columns()}
        if "columns" in self.request.GET:
            chosen = [c for c in self.request.GET.getlist("columns") if c in known]
            if chosen:
                session[self.columns_key()] = chosen
            else:
                session.pop(self.columns_key(), None)
        chosen = [c for c in session.get(self.columns_key(), []) if c in known]
        chosen = chosen or list(table.default_columns)
        if chosen:
            table.show_only(chosen)


def active_filters(request, filterset) -> list[dict[str, str]]:
    """The filters in force, each with its label, its value as shown and a link removing it."""
    form = filterset.form
    cleaned = getattr(form, "cleaned_data", {}) or {}
    result = []
    for name, value in request.GET.items():
        if not value or name not in filterset.filters or name == "q":
            continue
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else name
        shown = cleaned.get(name, value)
        if (
            field is not None
            and getattr(field, "choices", None)
            and not isinstance(shown, models.Model)
        ):
            shown = dict((str(k), v) for k, v in field.choices).get(str(value), value)
        if isinstance(shown, bool):
            shown = "是" if shown else "否"
        params = request.GET.copy()
        params.pop(name, None)
        params.pop("page", None)
        params.pop("columns", None)
        result.append(
            {
                "name": name,
                "label": label,
                "value": str(shown),
                "remove_url": f"?{params.urlencode()}",
            }
        )
    return result


class ObjectView(BaseObjectView):
    """One object's page: its fields, its related lists (per model template), its change log."""

    template_name: ClassVar[str] = "framework/object.html"
    # Fields listed on the attribute card, in order (all editable fields when empty).
    attributes: ClassVar[tuple[str, ...]] = ()

    def get(self, request, pk):
        obj = self.get_object(pk)
        context = {
            **self.base_context(),
            "object": obj,
            "object_content_type_id": ContentType.objects.get_for_model(obj).pk,
            "edit_url_name": url_name(self.model, "_edit"),
            "delete_url_name": url_name(self.model, "_delete"),
            "attributes": self.attributes or self.default_attributes(),
            "changes": changes_for(obj)[:50],
            **self.get_extra_context(obj),
        }
        return render(request, self.template_name, context)

    def default_attributes(self) -> tuple[str, ...]:
        return tuple(
            f.name
            for f in self.model._meta.concrete_fields
            if f.editable and not f.primary_key and f.name not in ("geometry",)
        )

    def get_extra_context(self, obj) -> dict[str, Any]:
        return {}


def safe_return_url(request, default: str) -> str:
    url = request.GET.get("return_url") or request.POST.get("return_url")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return default


class ObjectEditView(BaseObjectView):
    """Create (no pk) or edit one object through its service."""

    form: ClassVar[type]
    template_name = "framework/object_edit.html"

    def dispatch(self, request, *args, **kwargs):
        self.action = "change" if kwargs.get("pk") else "add"
        return super().dispatch(request, *args, **kwargs)

    def get_instance(self, pk) -> models.Model:
        if pk is None:
            return self.model()
        return self.get_object(pk)

    def initial(self) -> dict[str, Any]:
        """Prefill from the query string (?floor=12 on 'add room' from a floor's page)."""
        names = {f.name for f in self.model._meta.fields}
        return {k: v for k, v in self.request.GET.items() if k in names}

    def render_form(self, form, instance, status=200) -> HttpResponse:
        context = {
            **self.base_context(),
            "form": form,
            "object": instance,
            "is_new": instance.pk is None,
            "return_url": safe_return_url(
                self.request,
                instance.get_absolute_url()
                if instance.pk
                else reverse(url_name(self.model, "_list")),
            ),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk=None):
        instance = self.get_instance(pk)
        form = self.form(
            instance=instance, initial=self.initial() if pk is None else None, user=request.user
        )
        return self.render_form(form, instance)

    def post(self, request, pk=None):
        instance = self.get_instance(pk)
        form = self.form(request.POST, request.FILES, instance=instance, user=request.user)
        if form.is_valid():
            service = service_for(self.model)
            try:
                if pk is None:
                    obj, notices = service.create(actor=request.user, data=form.service_data())
                else:
                    obj, notices = service.update(
                        actor=request.user,
                        instance=instance,
                        data=form.service_data(),
                        expected_version=form.based_on_version(),
                    )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                verb = "新建" if pk is None else "修改"
                messages.success(request, f"已{verb}{self.model._meta.verbose_name}“{obj}”。")
                for notice in notices:
                    messages.warning(request, notice)
                return HttpResponseRedirect(safe_return_url(request, obj.get_absolute_url()))
        return self.render_form(form, instance, status=400 if request.htmx else 200)


class ObjectDeleteView(BaseObjectView):
    action = "delete"
    template_name = "framework/object_delete.html"

    def get(self, request, pk):
        obj = self.get_object(pk)
        blocked, cascades = delete_consequences(obj)
        context = {
            **self.base_context(),
            "object": obj,
            "blocked": blocked,
            "cascades": cascades,
            "return_url": self.return_url(obj),
        }
        return render(request, self.template_name, context)

    def return_url(self, obj) -> str:
        """Where to go after deleting: never back to the deleted object's own pages."""
        default = reverse(url_name(self.model, "_list"))
        url = safe_return_url(self.request, default)
        return default if url.split("?")[0].startswith(obj.get_absolute_url()) else url

    def post(self, request, pk):
        obj = self.get_object(pk)
        name = str(obj)
        target = self.return_url(obj)
        try:
            service_for(self.model).delete(actor=request.user, instance=obj)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return HttpResponseRedirect(obj.get_absolute_url())
        messages.success(request, f"已删除{self.model._meta.verbose_name}“{name}”。")
        return HttpResponseRedirect(target)


def generic_views(
    model: type[models.Model],
    filterset: type,
    table: type,
    form: type,
    *,
    related: tuple[str, ...] = (),
    filter_order: tuple[str, ...] = (),
) -> tuple[type, type, type, type]:
    """List, page, edit and delete views of a model with nothing particular to show, in the
    order ``routes.object_urls`` takes them. ``related`` is joined where the object is shown
    (list, page, delete confirmation); the edit view reads the row alone."""
    name = model.__name__
    shown = model.objects.select_related(*related)
    return (
        type(
            f"{name}ListView",
            (ObjectListView,),
            {
                "queryset": shown,
                "filterset": filterset,
                "table": table,
                "filter_order": filter_order,
            },
        ),
        type(f"{name}View", (ObjectView,), {"queryset": shown}),
        type(f"{name}EditView", (ObjectEditView,), {"queryset": model.objects.all(), "form": form}),
        type(f"{name}DeleteView", (ObjectDeleteView,), {"queryset": shown}),
    )


def delete_consequences(obj: models.Model) -> tuple[str, list[tuple[str, int]]]:
    """What deleting ``obj`` would do: the refusal message if other rows protect it, else the
    (kind, count) of the rows deleted with it."""
    collector = Collector(using=router.db_for_write(type(obj)))
    try:
        collector.collect([obj])
    except (ProtectedError, RestrictedError) as exc:
        return protected_message(obj, exc), []
    counts: dict[str, int] = {}
    for model, instances in collector.data.items():
        if model is type(obj):
            instances = [i for i in instances if i.pk != obj.pk]
        if instances:
            name = str(model._meta.verbose_name)
            counts[name] = counts.get(name, 0) + len(instances)
    for qs in collector.fast_deletes:
        n = qs.count()
        if n:
            name = str(qs.model._meta.verbose_name)
            counts[name] = counts.get(name, 0) + n
    return "", sorted(counts.items())
