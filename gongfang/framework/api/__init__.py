"""The REST API framework every app shares: scoped viewsets, service-backed writes, pagination.

An app's ``api/`` package declares one serializer (:class:`.serializers.ObjectSerializer`) and one
viewset (:class:`.viewsets.ObjectViewSet`) per model and registers them on a
:class:`.routers.Router`; ``gongfang/api_urls.py`` mounts each app's router under its namespace.
"""
