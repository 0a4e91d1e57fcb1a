"""Signals of the framework: other apps react to writes without the writer knowing them."""

from django.dispatch import Signal

# Sent by ObjectService inside the write's transaction, after the change-log row:
# sender=model class, instance, before (dict or None for a create; the serialized row),
# after (dict, or None for a delete), actor, action ("create" | "update" | "delete").
# Receivers (the compliance engine) re-check what the write affects; an exception rolls it back.
object_written = Signal()
