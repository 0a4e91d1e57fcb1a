"""Form widgets shared by pages: a select that loads its options from the API as you type."""

from __future__ import annotations

from django import forms
from django.urls import NoReverseMatch, reverse

from .text import is_number


def api_list_url(model) -> str:
    """The API list endpoint of ``model`` (``api:<app_label>:<model_name>-list``)."""
    try:
        return reverse(f"api:{model._meta.app_label}:{model._meta.model_name}-list")
    except NoReverseMatch:
        return ""


class APISelect(forms.Select):
    """A select that renders only its chosen option and fetches the rest from the scoped API.

    A choice list of 17,000 rooms cannot be sent with the page; tom-select (static/gongfang/js)
    queries ``data-api-url`` with ``?q=`` and shows what the user's scope allows.
    """

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.attrs.setdefault("class", "form-select")
        self.attrs["data-api-select"] = "1"

    def get_context(self, name, value, attrs):
        queryset = getattr(self.choices, "queryset", None)
        if queryset is not None:
            self.attrs["data-api-url"] = api_list_url(queryset.model)
        return super().get_context(name, value, attrs)

    def optgroups(self, name, value, attrs=None):
        """Only the selected values become options (plus the empty one)."""
        # A forged value ("²", "abc") from a returned form selects nothing rather than reaching
        # the database as an id.
        selected = {str(v) for v in value if is_number(str(v))}
        queryset = getattr(self.choices, "queryset", None)
        options = [self.create_option(name, "", "---------", not selected, 0)]
        if selected and queryset is not None:
            for index, obj in enumerate(queryset.filter(pk__in=selected), start=1):
                options.append(self.create_option(name, obj.pk, str(obj), True, index))
        return [(None, options, 0)]
