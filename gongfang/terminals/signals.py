"""Signals of the terminals app: higher apps (supervision) react to closed trips."""

from django.dispatch import Signal

# Sent with ``trip`` (a closed ``Trip``) after the transaction that closed it commits.
trip_closed = Signal()
