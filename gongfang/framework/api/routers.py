"""Routers of the app APIs and the ``/api/`` root that lists them all.

Each app's ``api/urls.py`` registers its viewsets on a :class:`Router` and names it ``router``;
the URL names are ``api:<app_label>:<model_name>-list`` / ``-detail`` (the router's default
basename is the model name). :class:`APIRootView` lists every app's list endpoints.
"""

from __future__ import annotations

from django.urls import NoReverseMatch
from rest_framework import routers
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView


class Router(routers.SimpleRouter):
    """``<prefix>/`` and ``<prefix>/<id>/``; ids are integers."""

    def get_lookup_regex(self, viewset, lookup_prefix: str = "") -> str:
        lookup_field = getattr(viewset, "lookup_field", "pk")
        lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        return f"(?P<{lookup_prefix}{lookup_url_kwarg}>[0-9]+)"


class APIRootView(APIView):
    """接口目录：各模块的列表接口、接口文档、OpenAPI 描述与令牌接口。"""

    schema = None  # not an operation of the API
    # {namespace: router} of the app APIs, set by gongfang/api_urls.py.
    routers: dict[str, routers.SimpleRouter] = {}
    # {key: URL name} of the other endpoints listed at the root.
    extra: dict[str, str] = {}

    def get(self, request, *args, **kwargs) -> Response:
        namespace = request.resolver_match.namespace
        data: dict[str, dict[str, str] | str] = {}
        for app, router in self.routers.items():
            links = {}
            for prefix, _viewset, basename in router.registry:
                name = f"{namespace}:{app}:{basename}"
                try:
                    links[prefix] = reverse(f"{name}-list", request=request)
                except NoReverseMatch:
                    # One object at a time (an entitlement's explanation): its address pattern.
                    try:
                        links[prefix] = reverse(f"{name}-detail", args=[0], request=request)
                    except NoReverseMatch:
                        continue
                    links[prefix] = links[prefix].removesuffix("0/") + "{id}/"
            data[app] = links
        for key, url_name in self.extra.items():
            data[key] = reverse(f"{namespace}:{url_name}", request=request)
        return Response(data)
