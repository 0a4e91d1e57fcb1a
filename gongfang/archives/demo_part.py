"""The archives' part of the demo (``manage.py load_demo``): papers on a sample of the demo
city's compounds, buildings, floors and rooms — real files, not empty placeholders.

Four PDFs are rendered once (WeasyPrint, Noto CJK: a title certificate, a survey report, an
acceptance record and a repair contract, with Chinese text the full-text search finds) and
stored once, each shared by every document that reuses it under its own title (a withdrawal
removes a file only when no other document names it); floor plans are PNGs drawn per floor from
its rooms (Pillow), room photos a few JPEG variants. The rows are written in bulk (files first,
then one insert, one change-log insert and one index batch), so the part takes seconds.
Deterministic: a seeded random picks the sample and the dates.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import random
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .models import EXTENSIONS, Document, DocumentCategory, private_storage

LABEL = "档案资料"

# How many subjects of each kind get papers (the small profile has fewer; all are then taken).
SAMPLE = {"compound": 30, "building": 40, "floor": 60, "room": 60}
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_FONT_SC = 2  # the face of Simplified Chinese in the collection

PDF_STYLE = """
@page { size: A4; margin: 18mm; }
body { font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif; font-size: 11pt;
       color: #222; }
h1 { text-align: center; font-size: 20pt; letter-spacing: 4pt; margin: 4mm 0 8mm; }
table { border-collapse: collapse; width: 100%; margin: 4mm 0; }
td, th { border: 0.6pt solid #555; padding: 2mm 3mm; text-align: left; }
.seal { float: right; width: 36mm; height: 36mm; border: 2pt solid #c22; border-radius: 50%;
        color: #c22; text-align: center; line-height: 36mm; font-size: 12pt; margin-top: 6mm; }
.scan { background: #f4efe1; border: 3pt double #9b2b2b; padding: 8mm; min-height: 220mm; }
.muted { color: #666; font-size: 9pt; }
"""

PDFS = {
    "certificate": """
<div class="scan">
<h1>不动产权证书</h1>
<p class="muted">（扫描件）鲁（2019）枣庄市不动产权第 0012876 号</p>
<table>
<tr><th>权利人</th><td>枣庄市机关事务服务中心</td></tr>
<tr><th>共有情况</th><td>单独所有</td></tr>
<tr><th>坐落</th><td>枣庄市市中区光明路 18 号</td></tr>
<tr><th>权利类型</th><td>国有建设用地使用权／房屋所有权</td></tr>
<tr><th>权利性质</th><td>划拨／自建房</td></tr>
<tr><th>用途</th><td>机关团体用地／办公</td></tr>
<tr><th>面积</th><td>宗地面积 12,560.00 m²／房屋建筑面积 18,342.56 m²</td></tr>
<tr><th>使用期限</th><td>长期</td></tr>
</table>
<p>附记：办公用房权属统一登记至机关事务管理部门名下，原件由机关事务管理局集中保管。</p>
<div class="seal">登记机构（章）</div>
<p class="muted">登簿日期：2019 年 6 月 12 日</p>
</div>""",
    "survey": """
<h1>房屋测绘报告</h1>
<p>委托单位：枣庄市机关事务管理局　　测绘单位：枣庄市房产测绘院</p>
<p>本报告依据《房产测量规范》（GB/T 17986.1—2000）对办公楼进行实地测量，成果如下：</p>
<table>
<tr><th>楼层</th><th>建筑面积（m²）</th><th>套内使用面积（m²）</th><th>公摊面积（m²）</th></tr>
<tr><td>1 层</td><td>1,286.40</td><td>968.25</td><td>318.15</td></tr>
<tr><td>2 层</td><td>1,286.40</td><td>1,002.70</td><td>283.70</td></tr>
<tr><td>3 层</td><td>1,286.40</td><td>1,004.10</td><td>282.30</td></tr>
<tr><td>合计</td><td>3,859.20</td><td>2,975.05</td><td>884.15</td></tr>
</table>
<p>测量结论：实测建筑面积与登记面积相符，误差在限差范围内。办公室使用面积按房间逐间实测，
详见附表。</p>
<p class="muted">测绘人员：王建国　　审核：李红　　报告日期：2024 年 9 月 20 日</p>""",
    "acceptance": """
<h1>竣工验收记录</h1>
<table>
<tr><th>工程名称</th><td>办公楼屋面防水及外墙保温改造工程</td></tr>
<tr><th>建设单位</th><td>枣庄市机关事务管理局</td></tr>
<tr><th>施工单位</th><td>枣庄市第二建筑工程有限公司</td></tr>
<tr><th>监理单位</th><td>鲁南工程建设监理有限公司</td></tr>
<tr><th>开工日期</th><td>2025 年 4 月 1 日</td></tr>
<tr><th>竣工日期</th><td>2025 年 7 月 15 日</td></tr>
</table>
<p>验收意见：经建设、施工、监理单位共同检查，屋面防水层无渗漏，闭水试验合格；外墙保温
板粘贴牢固，节能指标符合设计要求。工程质量等级评定为合格，同意通过竣工验收。</p>
<p>附：隐蔽工程验收记录、材料进场检验报告、闭水试验记录。</p>
<p class="muted">验收组组长：张明　　日期：2025 年 7 月 22 日</p>""",
    "contract": """
<h1>维修改造工程施工合同</h1>
<p>发包人：枣庄市机关事务管理局（甲方）　　承包人：枣庄市恒信建设有限公司（乙方）</p>
<p>一、工程内容：办公楼给排水管网更换、卫生间改造及电梯井道修缮，详见工程量清单。</p>
<p>二、合同价款：人民币 1,268,000.00 元（大写：壹佰贰拾陆万捌仟元整），按进度支付。</p>
<p>三、工期：自 2025 年 3 月 10 日至 2025 年 6 月 30 日，共 113 日历天。</p>
<p>四、质量标准：符合国家现行施工质量验收规范，达到合格标准；保修期二年。</p>
<p>五、资金使用进度与实施进度同步报送，甲方按月核对。</p>
<p class="muted">甲方（章）　　乙方（章）　　签订日期：2025 年 3 月 1 日</p>""",
}


@dataclass
class Paper:
    subject: object
    region_id: int
    category: str
    title: str
    data: bytes
    content_type: str
    original_name: str
    source: str
    issued_on: datetime.date | None
    uploader: object
    text: str


def existing() -> dict[str, int]:
    count = Document.objects.count()
    return {str(Document._meta.verbose_name): count} if count else {}


def flush() -> int:
    """Delete every document (later versions first: a first version is protected while later
    ones point to it) and every stored file, including files other parts left behind."""
    deleted = 0
    for later in (True, False):
        deleted += Document.objects.filter(first__isnull=not later).delete()[0]
    root = Path(private_storage.location) / "documents"
    if root.is_dir():
        for path in root.rglob("*"):
            if path.is_file():
                path.unlink()
    return deleted


def _render_pdfs() -> dict[str, bytes]:
    from ..framework.pdf import html_to_pdf

    return {
        key: html_to_pdf(f"<html><head><style>{PDF_STYLE}</style></head><body>{body}</body></html>")
        for key, body in PDFS.items()
    }


@functools.cache
def _font(size: int):
    from PIL import ImageFont

    if CJK_FONT.exists():
        return ImageFont.truetype(str(CJK_FONT), size, index=CJK_FONT_SC)
    return ImageFont.load_default()


def floor_plan_png(title: str, rooms: list[str]) -> bytes:
    """A floor plan drawing: a corridor with the floor's rooms on both sides, numbered."""
    from PIL import Image, ImageDraw

    width, height = 960, 540
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((24, 14), title, fill="#1a1a1a", font=_font(22))
    top, bottom, left, right = 70, height - 30, 24, width - 24
    corridor = (top + bottom) // 2
    draw.rectangle((left, top, right, bottom), outline="#222", width=4)
    draw.rectangle((left, corridor - 22, right, corridor + 22), fill="#eef2f7", outline="#777")
    rooms = rooms[:24] or ["101", "102", "103", "104"]
    per_side = max(1, (len(rooms) + 1) // 2)
    step = (right - left) / per_side
    label = _font(16)
    for index, number in enumerate(rooms):
        row, column = divmod(index, per_side)
        x0 = left + column * step
        y0, y1 = (top, corridor - 22) if row == 0 else (corridor + 22, bottom)
        draw.rectangle((x0, y0, x0 + step, y1), outline="#444", width=2)
        door = y1 - 2 if row == 0 else y0 + 2
        draw.line((x0 + step * 0.3, door, x0 + step * 0.55, door), fill="white", width=5)
        draw.text((x0 + 10, (y0 + y1) // 2 - 10), number, fill="#1f4e8c", font=label)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def room_photo_jpeg(variant: int) -> bytes:
    """A room photo: wall, floor, window and desks in perspective-free blocks of colour."""
    from PIL import Image, ImageDraw

    rng = random.Random(variant)
    width, height = 800, 500
    image = Image.new("RGB", (width, height), (232, 228, 218))
    draw = ImageDraw.Draw(image)
    for y in range(height // 2):  # the wall, lighter towards the ceiling
        shade = 240 - y // 8
        draw.line((0, y, width, y), fill=(shade, shade - 4, shade - 12))
    draw.rectangle((0, int(height * 0.62), width, height), fill=(150 + variant * 10, 120, 90))
    window_x = rng.randint(80, 420)
    draw.rectangle(
        (window_x, 60, window_x + 260, 230), fill=(190, 215, 240), outline="#888", width=6
    )
    draw.line((window_x + 130, 60, window_x + 130, 230), fill="#888", width=4)
    for desk in range(rng.randint(1, 3)):
        x = 60 + desk * 240
        draw.rectangle((x, 300, x + 200, 330), fill=(110, 80, 55))
        draw.rectangle((x + 10, 330, x + 25, 420), fill=(90, 65, 45))
        draw.rectangle((x + 175, 330, x + 190, 420), fill=(90, 65, 45))
        draw.rectangle((x + 70, 250, x + 140, 298), fill=(40, 40, 45))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=72)
    return buffer.getvalue()


def _sample(rng: random.Random, queryset, count: int, preferred=()) -> list:
    """``count`` rows of ``queryset``, up to a third from ``preferred`` ids (the unit account's
    own) and the rest drawn at random — deterministic for a seed; only the chosen rows are
    loaded."""
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    own = set(preferred)
    chosen = [pk for pk in ids if pk in own][: count // 3]
    taken = set(chosen)
    rest = [pk for pk in ids if pk not in taken]
    chosen += rng.sample(rest, min(len(rest), count - len(chosen)))
    return list(queryset.filter(pk__in=chosen).order_by("pk"))


def _papers(run, rng: random.Random) -> list[Paper]:
    from ..registry.models import Building, Compound, Floor, Room
    from .extract import extract_text

    pdfs = _render_pdfs()
    texts = {key: extract_text(data, "application/pdf") for key, data in pdfs.items()}
    photos = [room_photo_jpeg(variant) for variant in range(4)]
    users = run.users
    bureau = users.get("zz_bureau")
    surveyor = users.get("surveyor") or bureau
    unit = users.get("unit_admin")
    own_org = getattr(unit, "scope_organization", None)
    anchor = run.anchor

    def day(low: int, high: int) -> datetime.date:
        return anchor - datetime.timedelta(days=rng.randint(low, high))

    # The unit account's rooms and what holds them come first, so its pages show papers too.
    own_rooms = Room.objects.filter(organization=own_org) if own_org else Room.objects.none()
    own = own_rooms.values_list("floor__building__compound", flat=True)
    papers: list[Paper] = []
    compounds = _sample(
        rng, Compound.objects.select_related("region").order_by("pk"), SAMPLE["compound"], own
    )
    for compound in compounds:
        region = compound.region_id
        papers.append(
            Paper(
                compound,
                region,
                "ownership",
                f"{compound.name} 不动产权证书（扫描件）",
                pdfs["certificate"],
                "application/pdf",
                "不动产权证书.pdf",
                "不动产登记中心",
                day(600, 2400),
                bureau,
                texts["certificate"],
            )
        )
        papers.append(
            Paper(
                compound,
                region,
                "photo",
                f"{compound.name} 院落全景",
                photos[0],
                "image/jpeg",
                "IMG_0001.jpg",
                "现场拍摄",
                day(30, 400),
                bureau,
                "",
            )
        )
    own_buildings = own_rooms.values_list("floor__building", flat=True)
    buildings = _sample(
        rng,
        Building.objects.select_related("compound").order_by("pk"),
        SAMPLE["building"],
        own_buildings,
    )
    for building in buildings:
        region = building.compound.region_id
        name = f"{building.compound.name} {building.name}"
        papers.append(
            Paper(
                building,
                region,
                "survey",
                f"{name} 房屋测绘报告",
                pdfs["survey"],
                "application/pdf",
                "房屋测绘报告.pdf",
                "枣庄市房产测绘院",
                day(200, 900),
                surveyor,
                texts["survey"],
            )
        )
        papers.append(
            Paper(
                building,
                region,
                "construction",
                f"{name} 屋面防水改造竣工验收记录",
                pdfs["acceptance"],
                "application/pdf",
                "竣工验收记录.pdf",
                "建设单位",
                day(100, 500),
                bureau,
                texts["acceptance"],
            )
        )
        if rng.random() < 0.4:
            papers.append(
                Paper(
                    building,
                    region,
                    "contract",
                    f"{name} 维修改造工程施工合同",
                    pdfs["contract"],
                    "application/pdf",
                    "施工合同.pdf",
                    "机关事务管理局",
                    day(150, 700),
                    bureau,
                    texts["contract"],
                )
            )
    floors = _sample(
        rng,
        Floor.objects.select_related("building__compound").order_by("pk"),
        SAMPLE["floor"],
        own_rooms.values_list("floor", flat=True),
    )
    numbers: dict[int, list[str]] = {}
    for floor_id, number in (
        Room.objects.filter(floor__in=floors).order_by("number").values_list("floor_id", "number")
    ):
        numbers.setdefault(floor_id, []).append(number)
    for floor in floors:
        title = f"{floor.building.compound.name} {floor.building.name} {floor.label} 平面图"
        papers.append(
            Paper(
                floor,
                floor.building.compound.region_id,
                "floor_plan",
                title,
                floor_plan_png(title, numbers.get(floor.pk, [])),
                "image/png",
                f"平面图-{floor.number}F.png",
                "测绘成果",
                day(200, 900),
                surveyor,
                "",
            )
        )
    rooms = _sample(
        rng,
        Room.objects.select_related("floor__building__compound", "organization").order_by("pk"),
        SAMPLE["room"],
        own_rooms.values_list("pk", flat=True),
    )
    for index, room in enumerate(rooms):
        uploader = unit if own_org is not None and room.organization_id == own_org.pk else bureau
        papers.append(
            Paper(
                room,
                room.floor.building.compound.region_id,
                "photo",
                f"{room} 现状照片",
                photos[index % len(photos)],
                "image/jpeg",
                f"IMG_{2000 + index}.jpg",
                "现场拍摄",
                day(10, 300),
                uploader or bureau,
                "",
            )
        )
    return papers


def build(run) -> None:
    from ..framework.changelog import record_changes
    from ..framework.models import ObjectChange
    from .search import index_documents

    started = time.perf_counter()
    if run.users.get("zz_bureau") is None:
        run.section("档案资料", ["没有演示账号，未生成档案资料。"])
        return
    rng = random.Random(run.seed + 12)
    papers = _papers(run, rng)
    categories = {c.code: c for c in DocumentCategory.objects.all()}
    types: dict[type, ContentType] = {}
    documents: list[Document] = []
    stored: list[str] = []
    names: dict[str, str] = {}  # sha256 → stored name: one file per distinct content
    try:
        with transaction.atomic():
            for paper in papers:
                model = type(paper.subject)
                ct = types.setdefault(model, ContentType.objects.get_for_model(model))
                uploaded = timezone.make_aware(
                    datetime.datetime.combine(paper.issued_on, datetime.time(10))
                ) + datetime.timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 480))
                digest = hashlib.sha256(paper.data).hexdigest()
                name = names.get(digest)
                if name is None:
                    name = names[digest] = private_storage.save(
                        f"documents/{uploaded:%Y}/{secrets.token_hex(16)}"
                        f"{EXTENSIONS[paper.content_type]}",
                        ContentFile(paper.data),
                    )
                    stored.append(name)
                documents.append(
                    Document(
                        subject_type=ct,
                        subject_id=paper.subject.pk,
                        category=categories[paper.category],
                        title=paper.title[:200],
                        file=name,
                        original_name=paper.original_name,
                        content_type=paper.content_type,
                        size=len(paper.data),
                        sha256=digest,
                        issued_on=paper.issued_on,
                        source=paper.source,
                        uploaded_by=paper.uploader,
                        uploaded_at=uploaded,
                        text=paper.text,
                        region_id=paper.region_id,
                    )
                )
            Document.objects.bulk_create(documents)
            by_actor: dict[int, list] = {}
            for document in documents:
                by_actor.setdefault(document.uploaded_by_id, []).append(document)
            for group in by_actor.values():
                record_changes(
                    actor=group[0].uploaded_by,
                    changes=[(d, ObjectChange.Action.CREATE, None) for d in group],
                )
            index_documents(documents)
    except BaseException:
        for name in stored:
            private_storage.delete(name)
        raise
    run.rows += len(documents)
    size = sum(d.size for d in documents)
    counts: dict[str, int] = {}
    for document in documents:
        counts[document.category.name] = counts.get(document.category.name, 0) + 1
    seconds = time.perf_counter() - started
    run.section(
        "档案资料",
        [
            f"资料 {len(documents):,} 份（{size / 1024 / 1024:.1f} MB），存储文件 {len(stored)} 个"
            f"（{seconds:.1f} 秒）",
            "，".join(f"{name} {n}" for name, n in counts.items()),
        ],
    )
