"""The full-text search page of the archives (``archives:search``)."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.shortcuts import render
from django.urls import path
from django.views import View

from .models import Document
from .search import MAX_QUERY_CHARS, search

PAGE_LIMIT = 50


class SearchView(LoginRequiredMixin, View):
    """Documents whose title or text holds the words typed, in the account's scope."""

    def get(self, request):
        # An account that reads no documents (the three administrators) has no search page.
        if not request.user.has_model_perm(Document, "view"):
            raise PermissionDenied
        text = request.GET.get("q", "").strip()[:MAX_QUERY_CHARS]
        hits = search(request.user, text, limit=PAGE_LIMIT) if text else []
        prefetch_related_objects([hit.document for hit in hits], "subject")
        return render(
            request,
            "archives/search.html",
            {
                "q": text,
                "hits": hits,
                "limited": len(hits) == PAGE_LIMIT,
                "limit": PAGE_LIMIT,
            },
        )


urlpatterns = [path("search/", SearchView.as_view(), name="search")]
