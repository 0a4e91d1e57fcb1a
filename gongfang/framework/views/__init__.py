from .generic import (
    ObjectDeleteView,
    ObjectEditView,
    ObjectListView,
    ObjectView,
    generic_views,
)

__all__ = ["ObjectDeleteView", "ObjectEditView", "ObjectListView", "ObjectView", "generic_views"]
