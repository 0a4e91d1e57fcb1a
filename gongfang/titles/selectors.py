"""Reads of titles and use certificates."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import CertifiedRoom, Title, UseCertificate


def certificate_lines(certificate: UseCertificate) -> QuerySet[CertifiedRoom]:
    """The rooms of a certificate as certified (label, category, area), with the room if it
    still exists."""
    return certificate.certified_rooms.select_related("room").order_by("pk")


def certificate_by_token(token: str) -> UseCertificate | None:
    """The certificate a QR code names, for the public verification page."""
    if not token or len(token) > 64:
        return None
    return (
        UseCertificate.objects.select_related("organization", "region")
        .filter(verify_token=token)
        .first()
    )


def titles_of(user, *, compound=None, building=None) -> QuerySet[Title]:
    """The titles the account sees of a compound (and its buildings) or of a building."""
    qs = Title.objects.restrict(user, "view").select_related("holder")
    if building is not None:
        return qs.filter(building=building)
    if compound is not None:
        return qs.filter(compound=compound) | qs.filter(building__compound=compound)
    return qs.none()


def valid_certificates_of(user, organization) -> QuerySet[UseCertificate]:
    return UseCertificate.objects.restrict(user, "view").filter(
        organization=organization, state="valid"
    )
