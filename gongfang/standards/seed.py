"""Writing the seeded versions (national 2014, 湖北省's 乡级 row) from ``standards.data``.

Used by migration 0002 (with the historical models), by the post-migrate hook (so a test run that
flushes the database gets the national standard back) and by the demo. Idempotent: a version that
exists by name is left as it is, so later edits of a local version survive.
"""

from __future__ import annotations

from django.apps import apps as global_apps

from .data import hubei_2015, national_2014


def _create_rows(apps, version, using: str, *, office, equivalences=(), service=(), params=(),
                 clauses=()) -> None:  # fmt: skip
    OfficeLimit = apps.get_model("standards", "OfficeLimit")
    GradeEquivalence = apps.get_model("standards", "GradeEquivalence")
    ServiceAllowance = apps.get_model("standards", "ServiceAllowance")
    RuleParameter = apps.get_model("standards", "RuleParameter")
    Clause = apps.get_model("standards", "Clause")
    OfficeLimit.objects.using(using).bulk_create(
        OfficeLimit(version=version, standard_level=level, grade=grade, area=area,
                    toilet_allowed=toilet, clause=clause)
        for level, grade, area, toilet, clause in office
    )  # fmt: skip
    GradeEquivalence.objects.using(using).bulk_create(
        GradeEquivalence(version=version, rank_title=title, grade=grade, clause=clause)
        for title, grade, clause in equivalences
    )
    ServiceAllowance.objects.using(using).bulk_create(
        ServiceAllowance(version=version, standard_level=level, per_capita=value, clause=clause)
        for level, value, clause in service
    )
    RuleParameter.objects.using(using).bulk_create(
        RuleParameter(version=version, key=key, value=value, unit=unit, clause=clause)
        for key, value, unit, clause in params
    )
    Clause.objects.using(using).bulk_create(
        Clause(version=version, key=key, title=title, text=text) for key, title, text in clauses
    )


def ensure_national_2014(apps=global_apps, using: str = "default"):
    """The national 2014 version with every row; returns it (None if it already existed)."""
    StandardVersion = apps.get_model("standards", "StandardVersion")
    d = national_2014
    versions = StandardVersion.objects.using(using)
    if versions.filter(kind="national", name=d.NAME).exists():
        return None
    version = versions.create(
        name=d.NAME,
        kind="national",
        region=None,
        source=d.SOURCE,
        effective_from=d.EFFECTIVE_FROM,
        notes=d.NOTES,
    )
    _create_rows(
        apps,
        version,
        using,
        office=d.office_limits(),
        equivalences=d.grade_equivalences(),
        service=d.service_allowances(),
        params=d.parameters(),
        clauses=d.clauses(),
    )
    return version


def ensure_area_ceilings(apps=global_apps, using: str = "default") -> int:
    """The plausibility ceilings in the national 2014 version, where missing; returns how many
    were added (the version itself was seeded before they existed)."""
    StandardVersion = apps.get_model("standards", "StandardVersion")
    RuleParameter = apps.get_model("standards", "RuleParameter")
    version = (
        StandardVersion.objects.using(using)
        .filter(kind="national", name=national_2014.NAME)
        .first()
    )
    if version is None:
        return 0
    present = set(
        RuleParameter.objects.using(using).filter(version=version).values_list("key", flat=True)
    )
    missing = [row for row in national_2014.area_ceilings() if row[0] not in present]
    _create_rows(apps, version, using, office=(), params=missing)
    return len(missing)


def ensure_hubei_2015(apps=global_apps, using: str = "default"):
    """湖北省's 乡级 version, when the region 420000 exists; returns it if created."""
    StandardVersion = apps.get_model("standards", "StandardVersion")
    Region = apps.get_model("registry", "Region")
    d = hubei_2015
    region = Region.objects.using(using).filter(code=d.REGION_CODE).first()
    if region is None:
        return None
    versions = StandardVersion.objects.using(using)
    if versions.filter(region=region, name=d.NAME).exists():
        return None
    version = versions.create(
        name=d.NAME,
        kind="local",
        region=region,
        source=d.SOURCE,
        effective_from=d.EFFECTIVE_FROM,
        notes=d.NOTES,
    )
    office = [(level, grade, area, False, clause) for level, grade, area, clause in d.OFFICE_LIMITS]
    _create_rows(apps, version, using, office=office)
    return version


def seed_after_migrate(sender, app_config=None, using: str = "default", apps=None, **kwargs):
    """post_migrate: put the national standard back after a flush (it is never deleted else)."""
    apps = apps or global_apps
    try:
        apps.get_model("standards", "StandardVersion")
        apps.get_model("standards", "Clause")
    except LookupError:  # migrated backwards: the tables are not there
        return
    ensure_national_2014(apps, using)
    ensure_area_ceilings(apps, using)
