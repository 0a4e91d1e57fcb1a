"""Move the registry's floor plans (``Floor.plan``, a file under the public media root whose link
answered 404) into documents of category 平面图 on their floor, kept in private storage.

Each file is read, its type sniffed (a file that is not an allowed type stays where it is and is
reported), stored under a random name and removed from the media root once the document is
written. The uploader is the last account the change log names for the floor, else the first
account. ``registry.0007_remove_floor_plan`` then drops the field.
"""

import hashlib
import secrets

import filetype
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations, transaction
from django.utils import timezone

PLAN_TYPES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


def move_floor_plans(apps, schema_editor) -> None:
    from gongfang.archives.models import private_storage

    Floor = apps.get_model("registry", "Floor")
    Document = apps.get_model("archives", "Document")
    DocumentCategory = apps.get_model("archives", "DocumentCategory")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ObjectChange = apps.get_model("framework", "ObjectChange")
    User = apps.get_model("accounts", "User")

    floors = list(Floor.objects.exclude(plan="").select_related("building__compound"))
    if not floors:
        return
    category = DocumentCategory.objects.get(code="floor_plan")
    floor_type, _ = ContentType.objects.get_or_create(app_label="registry", model="floor")
    fallback = User.objects.order_by("pk").first()
    moved, removed = [], []
    for floor in floors:
        name = floor.plan.name
        try:
            with default_storage.open(name, "rb") as handle:
                data = handle.read()
        except OSError:
            print(f"  平面图文件缺失，未迁移：楼层 {floor.pk} {name}")
            continue
        kind = filetype.guess(data)
        content_type = kind.mime if kind is not None else ""
        if content_type not in PLAN_TYPES:
            print(f"  平面图不是 PDF/PNG/JPEG，未迁移：楼层 {floor.pk} {name}")
            continue
        actor_id = (
            ObjectChange.objects.filter(
                changed_object_type__app_label="registry",
                changed_object_type__model="floor",
                changed_object_id=floor.pk,
                user__isnull=False,
            )
            .order_by("-time")
            .values_list("user_id", flat=True)
            .first()
        ) or (fallback.pk if fallback else None)
        if actor_id is None:
            print(f"  没有可记为上传人的账号，未迁移：楼层 {floor.pk} {name}")
            continue
        stored = private_storage.save(
            f"documents/{timezone.now():%Y}/{secrets.token_hex(16)}{PLAN_TYPES[content_type]}",
            ContentFile(data),
        )
        label = floor.name or (f"{floor.number}层" if floor.number > 0 else f"地下{-floor.number}层")
        building = floor.building
        moved.append(
            Document.objects.create(
                subject_type=floor_type,
                subject_id=floor.pk,
                category=category,
                title=f"{building.compound.name} {building.name} {label} 平面图",
                file=stored,
                original_name=name.rsplit("/", 1)[-1][:255],
                content_type=content_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                source="原楼层平面图",
                uploaded_by_id=actor_id,
                region_id=building.compound.region_id,
            )
        )
        removed.append(name)
    if moved:
        from gongfang.archives import search

        search.index_documents(moved)
    # The originals go once the documents are committed (a failed migration keeps them).
    transaction.on_commit(lambda: [default_storage.delete(name) for name in removed])


class Migration(migrations.Migration):
    dependencies = [
        ("archives", "0002_search_index"),
        ("registry", "0006_occupancy_overlap_region_code_standard_level"),
        ("framework", "0001_initial"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(move_floor_plans, migrations.RunPython.noop)]
