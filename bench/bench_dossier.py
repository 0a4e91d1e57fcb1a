"""Time the one-click dossier (一房一档) of the largest demo compound.

    .venv/bin/python bench/bench_dossier.py [--profile zaozhuang] [--seed 2026] [--from-db PATH]

On a fresh SQLite database with the demo (``load_demo``; or a copy of the demo database at
``--from-db``, migrated), the compound with the most rooms gets its dossier built as a bureau
account of its region asks for it: put on the task queue and run by the database backend's worker
in this process until the queue is empty. Printed: seconds from the request until the documents
are kept, the PDF's pages and size, the zip's size and how many papers it holds; the build's
parts (facts, zip, template, WeasyPrint) measured directly; and the ratio against the floor —
the same files copied into a zip as they are and the same HTML laid out by WeasyPrint, which any
dossier of those papers and that many pages pays.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
# The queued build against copying the papers and laying out its PDF: the queue, the registry's
# facts, the template and keeping two documents may cost this much, no more.
RATIO_CEILING = 1.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--profile", default="zaozhuang", choices=["small", "zaozhuang", "province"]
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--from-db", type=Path, help="a demo database to copy instead of load_demo")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="gongfang-bench-dossier-"))
    database = workdir / "bench.sqlite3"
    if args.from_db:
        shutil.copyfile(args.from_db, database)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongfang.settings"
    sys.path.insert(0, str(ROOT))
    try:
        return run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, workdir: Path) -> int:
    import logging

    import django
    from django.test.utils import override_settings

    django.setup()
    if not args.from_db:
        # The demo's papers and the dossiers go to this run's directory, not to var/private.
        override_settings(PRIVATE_MEDIA_ROOT=str(workdir / "private")).enable()
    logging.getLogger("django_tasks").setLevel(logging.WARNING)
    logging.getLogger("django_tasks_db").setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.db import transaction
    from django.db.models import Count
    from django.template.loader import render_to_string
    from django.utils import timezone
    from pypdf import PdfReader

    from gongfang.accounts.models import User
    from gongfang.archives import dossier
    from gongfang.archives.models import Document
    from gongfang.framework.pdf import FONT_FAMILY, html_to_pdf
    from gongfang.registry.models import Compound

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if not args.from_db:
        call_command("load_demo", profile=args.profile, seed=args.seed, stdout=io.StringIO())
    load_s = time.perf_counter() - started
    compound = (
        Compound.objects.annotate(rooms=Count("buildings__floors__rooms"))
        .order_by("-rooms", "pk")
        .select_related("region")
        .first()
    )
    bureau = User.objects.create_user(
        "bench_bureau", "Bench@2026pass", name="基准测试", roles=["bureau_admin"],
        scope_region=compound.region,
    )  # fmt: skip
    source = f"copy of {args.from_db.name}" if args.from_db else f"load_demo {load_s:.1f} s"
    print(
        f"bench_dossier: profile {args.profile}, seed {args.seed} ({source}); largest compound "
        f"{compound.name} ({compound.rooms:,} rooms, {compound.buildings.count()} buildings)"
    )

    cache = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(workdir / "progress"),
    }
    with override_settings(CACHES={"default": cache, "progress": cache}):
        t0 = time.perf_counter()
        with transaction.atomic():
            token = dossier.start_dossier(user=bureau, subject=compound)
        with mock.patch(
            "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
        ):
            call_command("db_worker", "--batch", "--no-startup-delay", "-v", "0")
        queued_s = time.perf_counter() - t0
        job = dossier.job(token, bureau)
    if job is None or job.get("state") != "done":
        print(f"the dossier was not built: {job}")
        return 1
    pdf = Document.objects.get(pk=job["pdf_id"])
    zipped = Document.objects.get(pk=job["zip_id"])
    with pdf.file.open("rb") as handle:
        pages = len(PdfReader(handle).pages)
    print(
        f"dossier through the queue: {queued_s:.2f} s from the request until both documents were "
        f"kept; PDF {pages} pages, {pdf.size / 1024:,.0f} KB; zip {zipped.size / 1024:,.0f} KB "
        f"with {job['papers']} papers ({job['missing']} missing) and the PDF"
    )

    # The parts, measured directly.
    t0 = time.perf_counter()
    facts = dossier.facts(bureau, compound)
    facts_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    entries = dossier.papers(bureau, compound)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        dossier.write_papers(archive, entries, lambda: None)
    zip_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    html = render_to_string(
        "archives/dossier_pdf.html",
        {
            "facts": facts,
            "entries": entries,
            "missing": 0,
            "generated_by": bureau,
            "generated_at": timezone.localtime(),
            "pdf_font_family": FONT_FAMILY,
        },
    )
    template_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    html_to_pdf(html)
    pdf_s = time.perf_counter() - t0
    print(
        f"parts: facts {facts_s * 1000:.0f} ms ({len(facts.buildings)} buildings, "
        f"{len(facts.organizations)} organizations, {len(facts.warnings)} open warnings, "
        f"{len(facts.cases)} cases), papers into the zip {zip_s * 1000:.0f} ms, "
        f"template {template_s * 1000:.0f} ms, WeasyPrint {pdf_s * 1000:.0f} ms"
    )

    # The floor: the same files copied into a zip as they are, and the same HTML laid out.
    t0 = time.perf_counter()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for entry in entries:
            try:
                with entry.document.file.open("rb") as handle:
                    archive.writestr(f"{entry.document.pk}", handle.read())
            except (FileNotFoundError, ValueError):
                continue
    html_to_pdf(html)
    floor_s = time.perf_counter() - t0
    ratio = queued_s / floor_s
    print(
        f"floor, the same files copied into a zip and the same HTML laid out by WeasyPrint: "
        f"{floor_s:.2f} s; ratio {ratio:.2f} (ceiling {RATIO_CEILING:.2f}) — "
        f"{'OK' if ratio <= RATIO_CEILING else 'ABOVE'}"
    )
    return 0 if ratio <= RATIO_CEILING else 1


if __name__ == "__main__":
    raise SystemExit(main())
