"""Base form: foreign keys limited to the account's scope; validation left to the service."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from .versions import is_versioned, parse_version
from .widgets import APISelect


class ScopedModelForm(forms.ModelForm):
    """A model form for one account.

    Every foreign key offers only rows the account can see (and loads them through the scoped
    API as the user types). The model's own validation runs once, in the service, whose errors
    :func:`apply_errors` puts back onto the fields.
    """

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk is not None and is_versioned(self.instance):
            # The version this form shows; a save based on an older one is refused.
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, initial=self.instance.version
            )
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField) and hasattr(field.queryset.model, "scope"):
                field.queryset = self._scoped_choices(name, field.queryset.model, user)
                field.widget = APISelect(attrs=field.widget.attrs)
                field.widget.choices = field.choices
            elif isinstance(field.widget, forms.DateInput):
                field.widget.input_type = "date"
                field.widget.format = "%Y-%m-%d"
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else None
            if css is None:
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def _scoped_choices(self, name: str, model, user):
        """Rows the account can see, plus the current value: editing a unit at the top of one's
        scope must not fail on its parent, which lies outside."""
        visible = model.objects.restrict(user, "view")
        current = getattr(self.instance, f"{name}_id", None) if self.instance.pk else None
        if current is None:
            return visible
        return model.objects.filter(Q(pk__in=visible.values("pk")) | Q(pk=current))

    def _post_clean(self) -> None:
        """Skip ModelForm's instance validation: the service validates, once, in its transaction."""

    def based_on_version(self) -> int | None:
        """The version the user edited (None on a new object or a form without it)."""
        if not is_versioned(self.instance):
            return None
        return parse_version(self.cleaned_data.get("version"))

    def service_data(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data
        }


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form: field errors on fields, the rest on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                messages = error.messages
                if target is None and field != "__all__":
                    label = _field_label(form, field)
                    messages = [f"{label}：{m}" for m in messages]
                for message in messages:
                    form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _field_label(form: forms.Form, name: str) -> str:
    """The Chinese name of a model field that is not on the form (for its error message)."""
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is not None:
        try:
            return str(model._meta.get_field(name).verbose_name)
        except Exception:
            pass
    return name
