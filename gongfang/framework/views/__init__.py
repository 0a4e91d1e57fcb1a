from .generic import ObjectDeleteView, ObjectEditView, ObjectListView, ObjectView

__all__ = ["ObjectDeleteView", "ObjectEditView", "ObjectListView", "ObjectView"]
