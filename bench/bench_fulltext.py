"""Time the archives' Chinese full-text search over 50,000 documents' text.

    .venv/bin/python bench/bench_fulltext.py [--documents 50000] [--seed 2026] [--repeat 15]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<scratch> .venv/bin/python bench/bench_fulltext.py

On a fresh SQLite database (or the PostgreSQL database DATABASE_URL names: a scratch database,
migrated here), five counties with 100 buildings each get 100 documents per building whose text
is generated Chinese (~2 KB each: maintenance, title and survey papers written from a seeded
vocabulary); the rows are inserted and indexed in bulk. A bureau account of the province then
searches a set of Chinese phrases (common and rare words, one character, two terms, a phrase
found nowhere) through ``archives.search.search`` — scope, ranking, the 50 best documents
fetched and their snippets highlighted, as the page does. Printed: indexing rate, index size,
median and p95 per phrase and over all; the floor — the engine's own ranked best 50 for the same
terms (FTS5 bm25 / ts_rank) and those 50 rows fetched by primary key, what any results page
pays, without scope or snippets — and the ratio against it, with a bare indexed lookup (a
document by its SHA-256) and a LIKE scan of the text for scale.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Search against the engine's own ranked best 50 and their rows: the scope check (a wider first
# ranking, the candidates' subjects) and the snippets may cost this much, no more.
RATIO_CEILING = 2.0

QUERIES = [
    "屋面防水",  # a part and a work: a phrase made of two words
    "不动产权证",
    "竣工验收报告",
    "电梯更新改造",
    "消防",  # one bigram
    "防",  # one character (a prefix query)
    "机关事务管理局 外墙",  # two terms
    "三年维修规划",
    "档案室漏水维修",
    "办公用房",  # in the boilerplate of a fifth of the papers' paragraphs
    "光伏发电并网",  # found nowhere
]

ORGS = [
    "市机关事务管理局", "县教育局", "区财政局", "市自然资源和规划局", "县人民法院", "市公安局",
    "区卫生健康局", "市住房和城乡建设局", "县农业农村局", "市审计局", "区民政局", "县水利局",
]  # fmt: skip
PARTS = [
    "屋面", "外墙", "卫生间", "地下车库", "会议室", "档案室", "配电室", "楼梯间", "门厅", "食堂",
    "机房", "走廊", "停车场", "锅炉房", "值班室", "接待室", "电梯井", "围墙", "大门", "绿化带",
]  # fmt: skip
WORKS = [
    "防水层翻新", "保温层修补", "给排水管道更换", "电梯更新改造", "消防设施维护", "空调机组检修",
    "门窗更换", "地面找平", "线路改造", "漏水维修", "墙面粉刷", "吊顶更换", "照明节能改造",
    "监控系统升级", "无障碍设施改造", "化粪池清理", "避雷设施检测", "供暖管网改造",
]  # fmt: skip
PAPERS = [
    "竣工验收报告", "维修方案", "工程预算书", "测绘成果报告", "不动产权证", "施工合同",
    "监理报告", "现场勘查记录", "立项批复", "物业服务合同", "结算审核报告", "质量保修书",
]  # fmt: skip
CLAUSES = [
    "依据《党政机关办公用房管理办法》有关规定，",
    "经现场勘查，",
    "按照三年维修规划安排，",
    "根据年度预算批复，",
    "经机关事务管理局审核同意，",
    "按照消防安全检查意见，",
    "根据使用单位申请，",
    "经专家论证，",
]
ENDINGS = [
    "工程质量符合设计要求，同意通过验收。",
    "资金从维修专项经费中列支。",
    "施工期间不影响正常办公。",
    "相关资料已归入一房一档。",
    "权属证书原件由机关事务管理局集中保管。",
    "请使用单位做好配合工作。",
    "施工单位应按合同约定履行保修义务。",
]
FILLER = (
    "办公用房管理坚持集中统一管理、规范高效使用的原则。各单位应当严格按照核定面积使用，"
    "不得超标准配置、多处占用。房屋使用过程中发现安全隐患应及时报告，维修项目实行申报、"
    "立项、实施、验收、评价、归档全过程管理。"
)


def document_text(rng: random.Random, target_bytes: int = 2048) -> tuple[str, str]:
    """A paper's title and ~``target_bytes`` of text about one topic: one organization,
    building, paper type, two parts and two works, so phrases are as selective as in a real
    archive (a work is in about a tenth of the papers, not in all of them)."""
    org, paper = rng.choice(ORGS), rng.choice(PAPERS)
    building = f"{rng.randint(1, 30)}号楼"
    parts, works = rng.sample(PARTS, 2), rng.sample(WORKS, 2)
    lines = [f"{org}{building}{parts[0]}{works[0]}{paper}"]
    size = len(lines[0].encode())
    while size < target_bytes:
        if rng.random() < 0.2:
            text = FILLER
        else:
            text = (
                f"{rng.choice(CLAUSES)}{org}对{building}{rng.choice(parts)}实施"
                f"{rng.choice(works)}，建筑面积{rng.randint(80, 9000)}.{rng.randint(0, 99):02d}"
                f"平方米，合同金额{rng.randint(2, 900)}万元，{rng.randint(2015, 2026)}年"
                f"{rng.randint(1, 12)}月{rng.choice(['开工', '完工', '立项', '验收'])}。"
                f"{rng.choice(ENDINGS)}"
            )
        lines.append(text)
        size += len(text.encode())
    return f"{building}{parts[0]}{works[0]}{paper}", "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="gongfang-bench-fulltext-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongfang.settings"
    sys.path.insert(0, str(ROOT))
    try:
        return run(args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def timed(fn, repeat: int) -> list[float]:
    fn()  # warm: the first run pays for the cold cache
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection, transaction

    from gongfang.accounts.models import User
    from gongfang.archives import search
    from gongfang.archives.models import Document, DocumentCategory
    from gongfang.registry.choices import RegionLevel
    from gongfang.registry.models import Building, Compound, Organization, Region

    call_command("migrate", verbosity=0)
    if Document.objects.exists():
        print("bench_fulltext: the database already holds documents; give it a scratch database")
        return 2
    vendor = connection.vendor
    version = connection.pg_version if vendor == "postgresql" else None
    engine = (
        f"PostgreSQL {version // 10000}.{version % 10000}"
        if version
        else f"SQLite {connection.Database.sqlite_version}"
    )
    rng = random.Random(args.seed)

    province = Region.objects.create(
        code="990000", name="基准省", level=RegionLevel.PROVINCE, path="990000/"
    )
    buildings: list[Building] = []
    for n in range(5):
        code = f"99010{n}"
        region = Region.objects.create(
            code=code,
            name=f"基准县{n}",
            level=RegionLevel.COUNTY,
            parent=province,
            path=f"990000/{code}/",
        )
        org = Organization.objects.create(
            name=f"基准县{n}机关事务管理局", kind="government", level="county", region=region
        )
        compound = Compound.objects.create(name=f"基准县{n}行政中心", region=region, owner_org=org)
        buildings += Building.objects.bulk_create(
            Building(
                compound=compound,
                name=f"{b}号楼",
                floors_above=6,
                building_area=3000,
                usable_area=2000,
                height_class="multi",
            )
            for b in range(1, 101)
        )
    bureau = User.objects.create_user(
        "bench_bureau", "Bench@2026pass", name="基准测试", roles=["bureau_admin"],
        scope_region=province,
    )  # fmt: skip
    building_type = ContentType.objects.get_for_model(Building)
    categories = list(DocumentCategory.objects.exclude(code="dossier"))
    regions = {b.compound_id: b.compound.region_id for b in buildings}

    t0 = time.perf_counter()
    total_bytes = 0
    pks: list[int] = []
    batch = 1000
    index_s = 0.0
    for start in range(0, args.documents, batch):
        rows = []
        for i in range(start, min(start + batch, args.documents)):
            building = buildings[i % len(buildings)]
            title, text = document_text(rng)
            total_bytes += len(text.encode())
            rows.append(
                Document(
                    subject_type=building_type,
                    subject_id=building.pk,
                    category=rng.choice(categories),
                    title=title,
                    file=f"bench/{i}.pdf",
                    original_name=f"{i}.pdf",
                    content_type="application/pdf",
                    size=len(text),
                    sha256=f"{i:064x}",
                    uploaded_by=bureau,
                    region_id=regions[building.compound_id],
                    text=text,
                )
            )
        with transaction.atomic():
            created = Document.objects.bulk_create(rows)
            t1 = time.perf_counter()
            search.index_documents(created)
            index_s += time.perf_counter() - t1
        pks += [d.pk for d in created]
    load_s = time.perf_counter() - t0
    print(
        f"bench_fulltext: {engine}, {args.documents:,} documents "
        f"({total_bytes / args.documents / 1024:.1f} KB of text each, seed {args.seed}); "
        f"rows and index written in {load_s:.1f} s, of which indexing {index_s:.1f} s "
        f"({args.documents / index_s:,.0f} documents/s); index {index_size(connection):.0f} MB"
    )

    results: dict[str, tuple[int, list[float]]] = {}
    for query in QUERIES:
        hits = search.search(bureau, query)
        results[query] = (len(hits), timed(lambda q=query: search.search(bureau, q), args.repeat))
    every = [ms for _, times in results.values() for ms in times]
    for query, (count, times) in results.items():
        print(
            f"  {query:<12}\t{count:>3} hits shown ({matches(connection, query):>6,} match)\t"
            f"median {statistics.median(times):7.1f} ms\tp95 {p95(times):7.1f} ms"
        )
    median_all = statistics.median(every)
    print(
        f"search, all {len(QUERIES)} phrases × {args.repeat}: median {median_all:.1f} ms, "
        f"p95 {p95(every):.1f} ms"
    )

    def floor(query: str) -> None:
        best = search._matches(search.parse_query(query), limit=50)
        list(Document.objects.select_related("category").filter(pk__in=[pk for pk, _ in best]))

    floor_times = [ms for query in QUERIES for ms in timed(lambda q=query: floor(q), args.repeat)]
    floor_median = statistics.median(floor_times)
    lookup = timed(lambda: Document.objects.filter(sha256=f"{4242:064x}").first(), args.repeat)
    like = timed(lambda: list(Document.objects.filter(text__contains="屋面防水")[:50]), 3)
    ratio = median_all / floor_median
    print(
        f"floor, the engine's own best 50 for the same terms and those rows fetched (no scope, "
        f"no snippets): median "
        f"{floor_median:.1f} ms, p95 {p95(floor_times):.1f} ms; ratio {ratio:.2f} "
        f"(ceiling {RATIO_CEILING:.2f}) — {'OK' if ratio <= RATIO_CEILING else 'ABOVE'}"
    )
    print(
        f"for scale: a bare indexed lookup (by SHA-256) {statistics.median(lookup):.2f} ms; "
        f"a LIKE scan of the text for 屋面防水 (first 50) {statistics.median(like):.1f} ms"
    )
    return 0 if ratio <= RATIO_CEILING else 1


def matches(connection, query: str) -> int:
    """How many index rows the bare engine matches for ``query`` (the floor)."""
    from gongfang.archives import search

    terms = search.parse_query(query)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT COUNT(*) FROM {search.POSTGRES_TABLE} WHERE vector @@ CAST(%s AS tsquery)",
                [search._tsquery(terms)],
            )
        else:
            cursor.execute(
                f"SELECT COUNT(*) FROM {search.SQLITE_TABLE} WHERE {search.SQLITE_TABLE} MATCH %s",
                [search._fts5_query(terms)],
            )
        return cursor.fetchone()[0]


def index_size(connection) -> float:
    """The index's size on disk in MB (the FTS5 shadow tables; the table, GIN index and TOAST)."""
    from gongfang.archives import search

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_total_relation_size(%s)", [search.POSTGRES_TABLE])
            return cursor.fetchone()[0] / 1e6
        try:
            cursor.execute(
                "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE %s", [search.SQLITE_TABLE + "%"]
            )
        except Exception:  # a SQLite built without the dbstat table
            return float("nan")
        return (cursor.fetchone()[0] or 0) / 1e6


if __name__ == "__main__":
    raise SystemExit(main())
