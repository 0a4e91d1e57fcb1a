"""Fixed vocabularies of titles and use certificates."""

from __future__ import annotations

from django.db import models


class TitleKind(models.TextChoices):
    CERTIFICATE = "certificate", "不动产权证"
    FILING = "filing", "备案"
    UNCLEAR = "unclear", "权属不清"
    DISPUTED = "disputed", "权属争议"


class CertificateState(models.TextChoices):
    VALID = "valid", "有效"
    REVOKED = "revoked", "已注销"


# A title's kind -> the registry's Building.title_status it implies.
BUILDING_TITLE_STATUS = {
    TitleKind.CERTIFICATE: "certified",
    TitleKind.FILING: "filed",
    TitleKind.UNCLEAR: "unclear",
    TitleKind.DISPUTED: "unclear",
}
