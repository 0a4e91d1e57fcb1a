"""Chinese name parts for the demo data: organs, institutions, sites and people.

Templates use ``{r}`` for the region name (枣庄市, 薛城区, 山东省) and ``{p}`` for its one-character
level word (省/市/区/县), so one table serves every prefecture city and county.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ..choices import Grade, OrganizationKind

K = OrganizationKind
G = Grade


@dataclass(frozen=True)
class Rung:
    """One step of an organization's post ladder: the title, its grade, how many."""

    position: str
    grade: str
    count: int = 1


@dataclass(frozen=True)
class Ladder:
    """The posts of an organization, top down: named leaders, deputies, section heads, staff."""

    tops: tuple[Rung, ...]
    deputy: Rung
    chief: Rung | None = None
    vice_chief: Rung | None = None
    staff_grade: str = G.STAFF
    staff_positions: tuple[str, ...] = ("科员", "一级科员", "二级科员", "四级主任科员", "科员")


@dataclass(frozen=True)
class OrgTemplate:
    key: str  # short name without the level word, e.g. "教育局"
    name: str  # full-name template
    kind: str
    weight: float = 1.0  # relative head count
    tops: tuple[tuple[str, str, int], ...] = ()  # (position, grade key, count) above the head
    head: str = ""  # head title; derived from the name when empty
    own_site: bool = False  # usually has its own compound
    group: str = "government"  # party | government | special; decides the shared compound
    tags: frozenset[str] = field(default_factory=frozenset)


def head_titles(short: str) -> tuple[str, str]:
    """Head and deputy titles from an organization's short name."""
    for suffix, head in (
        ("检察院", "检察长"),
        ("法院", "院长"),
        ("党校", "常务副校长"),
        ("研究院", "院长"),
        ("部", "部长"),
        ("委员会", "主任"),
        ("委", "主任"),
        ("局", "局长"),
        ("分局", "局长"),
        ("厅", "厅长"),
        ("办公室", "主任"),
        ("办公厅", "主任"),
        ("中心", "主任"),
        ("站", "站长"),
        ("所", "所长"),
        ("馆", "馆长"),
        ("院", "院长"),
        ("处", "主任"),
        ("联合会", "主席"),
        ("总工会", "主席"),
        ("联", "主席"),
        ("协会", "主席"),
        ("红十字会", "会长"),
    ):
        if short.endswith(suffix):
            return head, ("副" + head if not head.startswith("常务") else "副校长")
    if short.startswith("团"):
        return "书记", "副书记"
    if short.startswith(("民革", "民盟", "民建", "民进", "农工党", "致公党", "九三学社")):
        return "主委", "副主委"
    return "主任", "副主任"


# Top leaders sitting in the 办公室/办公厅 of the four leading bodies; {p} is the level word.
def _tops(level: str) -> dict[str, tuple[tuple[str, str, int], ...]]:
    grades = {
        "province": (G.MINISTER, G.VICE_MINISTER, G.MINISTER, G.VICE_MINISTER),
        "subprovincial": (G.VICE_MINISTER, G.BUREAU, G.BUREAU, G.VICE_BUREAU),
        "city": (G.BUREAU, G.VICE_BUREAU, G.BUREAU, G.VICE_BUREAU),
        "county": (G.DIVISION, G.VICE_DIVISION, G.DIVISION, G.VICE_DIVISION),
    }[level]
    top, deputy, body_top, body_deputy = grades
    many = {"province": 6, "subprovincial": 5, "city": 5, "county": 4}[level]
    few = 4 if level == "province" else 3 if level != "county" else 2
    return {
        "party": (("{p}委书记", top, 1), ("{p}委副书记", deputy, 2)),
        "gov": (("{p}长", top, 1), ("副{p}长", deputy, many)),
        "congress": (("{p}人大常委会主任", body_top, 1), ("{p}人大常委会副主任", body_deputy, few)),
        "cppcc": (("{p}政协主席", body_top, 1), ("{p}政协副主席", body_deputy, few)),
    }


def organ_templates(level: str) -> list[OrgTemplate]:
    """The organs of one level ("province", "subprovincial", "city", "county"), most essential first."""
    tops = _tops(level)
    is_prov = level == "province"
    dept = "厅" if is_prov else "局"
    t: list[OrgTemplate] = [
        OrgTemplate(
            "委办公室" if not is_prov else "委办公厅",
            "中共{r}委办公" + ("厅" if is_prov else "室"),
            K.PARTY,
            2.0,
            tops["party"],
            group="party",
            tags=frozenset({"anchor_party"}),
        ),
        OrgTemplate(
            "政府办公室" if not is_prov else "政府办公厅",
            "{r}人民政府办公" + ("厅" if is_prov else "室"),
            K.GOVERNMENT,
            2.0,
            tops["gov"],
            tags=frozenset({"anchor_gov"}),
        ),
        OrgTemplate(
            "机关事务服务中心" if not is_prov else "机关事务管理局",
            "{r}机关事务服务中心" if not is_prov else "{r}机关事务管理局",
            K.INSTITUTION if not is_prov else K.GOVERNMENT,
            1.2,
            tags=frozenset({"site_manager"}),
        ),
        OrgTemplate(
            "人大常委会办公室" if not is_prov else "人大常委会办公厅",
            "{r}人大常委会办公" + ("厅" if is_prov else "室"),
            K.CONGRESS,
            1.3,
            tops["congress"],
        ),
        OrgTemplate(
            "政协办公室" if not is_prov else "政协办公厅",
            "政协{r}委员会办公" + ("厅" if is_prov else "室"),
            K.CPPCC,
            1.2,
            tops["cppcc"],
        ),
        OrgTemplate(
            "纪委监委", "中共{r}纪律检查委员会机关", K.SUPERVISION, 1.5, head="书记", group="party"
        ),
        OrgTemplate("委组织部", "中共{r}委组织部", K.PARTY, 1.2, group="party"),
        OrgTemplate("委宣传部", "中共{r}委宣传部", K.PARTY, 1.0, group="party"),
        OrgTemplate("委统战部", "中共{r}委统一战线工作部", K.PARTY, 0.8, group="party"),
        OrgTemplate(
            "委政法委员会", "中共{r}委政法委员会", K.PARTY, 0.8, head="书记", group="party"
        ),
        OrgTemplate(
            "法院" if level == "county" else "中级人民法院" if not is_prov else "高级人民法院",
            "{r}人民法院"
            if level == "county"
            else "{r}中级人民法院"
            if not is_prov
            else "{r}高级人民法院",
            K.COURT,
            2.0,
            own_site=True,
        ),
        OrgTemplate("检察院", "{r}人民检察院", K.PROCURATORATE, 1.6, own_site=True),
        OrgTemplate(
            "发展和改革委员会" if level != "county" else "发展和改革局",
            "{r}发展和改革委员会" if level != "county" else "{r}发展和改革局",
            K.GOVERNMENT,
            1.2,
        ),
        OrgTemplate(
            "教育" + dept if level != "county" else "教育和体育局",
            "{r}教育" + dept if level != "county" else "{r}教育和体育局",
            K.GOVERNMENT,
            1.2,
        ),
        OrgTemplate(
            "公安" + dept if level != "county" else "公安分局",
            "{r}公安" + dept if level != "county" else "{r}公安分局",
            K.GOVERNMENT,
            3.0,
            own_site=True,
        ),
        OrgTemplate("财政" + dept, "{r}财政" + dept, K.GOVERNMENT, 1.2),
        OrgTemplate("人力资源和社会保障" + dept, "{r}人力资源和社会保障" + dept, K.GOVERNMENT, 1.1),
        OrgTemplate(
            "自然资源和规划局" if level != "province" else "自然资源厅",
            "{r}自然资源和规划局" if level != "province" else "{r}自然资源厅",
            K.GOVERNMENT,
            1.1,
        ),
        OrgTemplate("住房和城乡建设" + dept, "{r}住房和城乡建设" + dept, K.GOVERNMENT, 1.0),
        OrgTemplate("农业农村" + dept, "{r}农业农村" + dept, K.GOVERNMENT, 1.0),
        OrgTemplate(
            "卫生健康委员会" if level != "county" else "卫生健康局",
            "{r}卫生健康委员会" if level != "county" else "{r}卫生健康局",
            K.GOVERNMENT,
            1.0,
        ),
        OrgTemplate("市场监督管理局", "{r}市场监督管理局", K.GOVERNMENT, 1.4),
        OrgTemplate("审计" + dept, "{r}审计" + dept, K.GOVERNMENT, 0.8),
        OrgTemplate("统计局", "{r}统计局", K.GOVERNMENT, 0.6),
        OrgTemplate("民政" + dept, "{r}民政" + dept, K.GOVERNMENT, 0.8),
        OrgTemplate("司法" + dept, "{r}司法" + dept, K.GOVERNMENT, 0.8),
        OrgTemplate("交通运输" + dept, "{r}交通运输" + dept, K.GOVERNMENT, 1.0),
        OrgTemplate(
            "水利" + dept if level != "county" else "水务局",
            "{r}水利" + dept if level != "county" else "{r}水务局",
            K.GOVERNMENT,
            0.8,
        ),
        OrgTemplate(
            "生态环境" + dept if level != "county" else "生态环境分局",
            "{r}生态环境" + dept if level != "county" else "{r}生态环境分局",
            K.GOVERNMENT,
            0.9,
        ),
        OrgTemplate("商务" + dept, "{r}商务" + dept, K.GOVERNMENT, 0.7),
        OrgTemplate("文化和旅游" + dept, "{r}文化和旅游" + dept, K.GOVERNMENT, 0.8),
        OrgTemplate("应急管理" + dept, "{r}应急管理" + dept, K.GOVERNMENT, 0.8),
        OrgTemplate("退役军人事务" + dept, "{r}退役军人事务" + dept, K.GOVERNMENT, 0.6),
        OrgTemplate("医疗保障局", "{r}医疗保障局", K.GOVERNMENT, 0.6),
        OrgTemplate("总工会", "{r}总工会", K.MASS, 0.6, head="主席"),
        OrgTemplate("团" + "{p}委", "共青团{r}委员会", K.MASS, 0.3, head="书记"),
        OrgTemplate("妇联", "{r}妇女联合会", K.MASS, 0.3, head="主席"),
        OrgTemplate(
            "委机构编制委员会办公室", "中共{r}委机构编制委员会办公室", K.PARTY, 0.5, group="party"
        ),
        OrgTemplate("委党校", "中共{r}委党校", K.PARTY, 1.0, own_site=True, group="party"),
        OrgTemplate("科学技术" + dept, "{r}科学技术" + dept, K.GOVERNMENT, 0.7),
        OrgTemplate("工业和信息化" + dept, "{r}工业和信息化" + dept, K.GOVERNMENT, 0.8),
        OrgTemplate("城市管理局", "{r}城市管理局", K.GOVERNMENT, 1.2),
        OrgTemplate("行政审批服务局", "{r}行政审批服务局", K.GOVERNMENT, 1.0),
        OrgTemplate("信访局", "{r}信访局", K.GOVERNMENT, 0.5),
        OrgTemplate(
            "委网络安全和信息化委员会办公室",
            "中共{r}委网络安全和信息化委员会办公室",
            K.PARTY,
            0.4,
            group="party",
        ),
        OrgTemplate("委老干部局", "中共{r}委老干部局", K.PARTY, 0.4, group="party"),
        OrgTemplate(
            "直机关工委", "中共{r}直属机关工作委员会", K.PARTY, 0.4, head="书记", group="party"
        ),
        OrgTemplate(
            "国有资产监督管理委员会", "{r}人民政府国有资产监督管理委员会", K.GOVERNMENT, 0.6
        ),
        OrgTemplate("大数据局", "{r}大数据局", K.GOVERNMENT, 0.5),
        OrgTemplate("体育局", "{r}体育局", K.GOVERNMENT, 0.5),
        OrgTemplate("人民防空办公室", "{r}人民防空办公室", K.GOVERNMENT, 0.4),
        OrgTemplate("投资促进局", "{r}投资促进局", K.GOVERNMENT, 0.4),
        OrgTemplate("科协", "{r}科学技术协会", K.MASS, 0.3, head="主席"),
        OrgTemplate("文联", "{r}文学艺术界联合会", K.MASS, 0.3, head="主席"),
        OrgTemplate("残联", "{r}残疾人联合会", K.MASS, 0.4, head="理事长"),
        OrgTemplate("工商联", "{r}工商业联合会", K.MASS, 0.3, head="主席"),
        OrgTemplate("红十字会", "{r}红十字会", K.MASS, 0.2, head="会长"),
        OrgTemplate("侨联", "{r}归国华侨联合会", K.MASS, 0.2, head="主席"),
        OrgTemplate("民革{p}委", "中国国民党革命委员会{r}委员会", K.DEMOCRATIC, 0.15, head="主委"),
        OrgTemplate("民盟{p}委", "中国民主同盟{r}委员会", K.DEMOCRATIC, 0.15, head="主委"),
        OrgTemplate("民建{p}委", "中国民主建国会{r}委员会", K.DEMOCRATIC, 0.15, head="主委"),
        OrgTemplate("九三学社{p}委", "九三学社{r}委员会", K.DEMOCRATIC, 0.15, head="主委"),
    ]
    if level == "county":
        # Counties have no 中级法院/党校 of their own standing; drop rarely separate organs.
        t = [x for x in t if x.key not in {"投资促进局", "人民防空办公室", "侨联", "红十字会"}]
    if level == "province":
        t += [
            OrgTemplate("广播电视局", "{r}广播电视局", K.GOVERNMENT, 0.5),
            OrgTemplate("地方金融管理局", "{r}地方金融管理局", K.GOVERNMENT, 0.5),
            OrgTemplate("外事办公室", "中共{r}委外事工作委员会办公室", K.PARTY, 0.5, group="party"),
            OrgTemplate("粮食和物资储备局", "{r}粮食和物资储备局", K.GOVERNMENT, 0.5),
            OrgTemplate("监狱管理局", "{r}监狱管理局", K.GOVERNMENT, 0.6, own_site=True),
            OrgTemplate("药品监督管理局", "{r}药品监督管理局", K.GOVERNMENT, 0.6),
            OrgTemplate("能源局", "{r}能源局", K.GOVERNMENT, 0.5),
            OrgTemplate("海洋局", "{r}海洋局", K.GOVERNMENT, 0.5),
        ]
    return t


# City institutions: (parent organ key, name suffix, relative size, own site).
CITY_INSTITUTIONS: tuple[tuple[str, str, float, bool], ...] = (
    ("教育局", "电化教育馆", 0.4, False),  # abolished in the demo (reform of 2025)
    ("教育局", "教育招生考试中心", 0.5, False),
    ("人力资源和社会保障局", "社会保险事业中心", 0.9, True),
    ("自然资源和规划局", "不动产登记中心", 0.9, True),
    ("卫生健康委员会", "疾病预防控制中心", 1.0, True),
    ("文化和旅游局", "图书馆", 0.6, True),
    ("文化和旅游局", "博物馆", 0.5, True),
    ("人力资源和社会保障局", "公共就业和人才服务中心", 0.6, False),
    ("住房和城乡建设局", "城市建设服务中心", 0.6, False),
    ("交通运输局", "公路事业发展中心", 0.8, True),
    ("农业农村局", "农业技术推广中心", 0.6, True),
    ("市场监督管理局", "检验检测中心", 0.8, True),
    ("水利局", "水文中心", 0.4, True),
    ("商务局", "投资促进服务中心", 0.4, False),
    ("统计局", "社会经济调查中心", 0.3, False),
    ("医疗保障局", "医疗保障服务中心", 0.5, False),
    ("财政局", "国库集中支付中心", 0.4, False),
    ("生态环境局", "生态环境监控中心", 0.5, True),
    ("应急管理局", "应急救援指挥保障中心", 0.4, False),
    ("民政局", "社会福利中心", 0.5, True),
    ("司法局", "公证处", 0.3, False),
    ("审计局", "审计服务中心", 0.3, False),
    ("大数据局", "大数据中心", 0.5, False),
    ("退役军人事务局", "退役军人服务中心", 0.3, False),
    ("委组织部", "党员教育中心", 0.3, False),
    ("委宣传部", "新闻传媒中心", 0.8, True),
    ("科学技术局", "科技创新发展中心", 0.3, False),
    ("工业和信息化局", "中小企业服务中心", 0.3, False),
    ("发展和改革委员会", "节能监察中心", 0.3, False),
    ("文化和旅游局", "文化馆", 0.4, True),
    ("住房和城乡建设局", "住房公积金管理中心", 0.6, True),
    ("自然资源和规划局", "国土空间规划研究中心", 0.4, False),
    ("城市管理局", "环境卫生服务中心", 0.7, True),
    ("卫生健康委员会", "卫生健康服务中心", 0.3, False),
    ("行政审批服务局", "政务服务中心", 0.8, True),
    ("农业农村局", "畜牧兽医事业发展中心", 0.4, False),
    ("教育局", "教育科学研究院", 0.4, False),
    ("财政局", "财政投资评审中心", 0.3, False),
)

COUNTY_INSTITUTIONS: tuple[tuple[str, str, float, bool], ...] = (
    ("教育和体育局", "教育服务中心", 0.5, False),
    ("农业农村局", "农业技术推广中心", 0.5, True),
    ("卫生健康局", "疾病预防控制中心", 0.7, True),
    ("人力资源和社会保障局", "社会保险事业中心", 0.5, False),
    ("财政局", "财政事务服务中心", 0.3, False),
    ("自然资源和规划局", "不动产登记中心", 0.5, False),
    ("文化和旅游局", "图书馆", 0.3, True),
    ("市场监督管理局", "检验检测中心", 0.4, True),
    ("行政审批服务局", "政务服务中心", 0.6, True),
    ("住房和城乡建设局", "住房保障服务中心", 0.3, False),
    ("水务局", "水利事业发展中心", 0.3, False),
    ("民政局", "社会救助服务中心", 0.3, False),
)

# Province institutions are built from a parent department and one of these suffixes.
PROVINCE_INSTITUTION_SUFFIXES: tuple[str, ...] = (
    "信息中心",
    "事务中心",
    "服务中心",
    "发展研究中心",
    "宣传教育中心",
    "培训中心",
    "监测中心",
    "技术中心",
    "评审中心",
    "档案馆",
    "综合保障中心",
    "研究院",
    "执法监察总队",
    "数据中心",
    "考试中心",
    "规划研究院",
    "质量检测中心",
    "信用中心",
    "调查中心",
    "后勤服务中心",
    "项目管理中心",
    "交流合作中心",
    "科学研究所",
    "指挥保障中心",
)

ROADS: tuple[str, ...] = (
    "光明路", "文化路", "建设路", "解放路", "人民路", "青檀路", "长江路", "黄河路", "泰山路",
    "龙头路", "华山路", "民生路", "振兴路", "学院路", "府前路", "和平路", "胜利路", "复兴路",
    "北京路", "新城路", "永安路", "兴仁路", "中兴大道", "世纪大道", "政通路", "行政路",
)  # fmt: skip

# The organs a county keeps when the demo has room for only some of them, most essential first.
COUNTY_PRIORITY: tuple[str, ...] = (
    "委办公室", "政府办公室", "机关事务服务中心", "人大常委会办公室", "政协办公室", "纪委监委",
    "委组织部", "法院", "检察院", "公安分局", "财政局", "教育和体育局", "发展和改革局",
    "人力资源和社会保障局", "农业农村局", "卫生健康局", "自然资源和规划局", "住房和城乡建设局",
    "市场监督管理局", "委宣传部", "行政审批服务局", "民政局", "审计局", "委统战部", "委政法委员会",
    "水务局", "文化和旅游局", "交通运输局", "统计局", "司法局", "应急管理局",
)  # fmt: skip

BUILDING_NAMES_MAIN: tuple[str, ...] = ("办公楼", "综合楼", "主楼", "1号楼")
BUILDING_NAMES_MORE: tuple[str, ...] = ("2号楼", "3号楼", "附属楼", "东楼", "西楼", "北楼", "4号楼")
CENTER_BUILDINGS: tuple[str, ...] = ("A座", "B座", "C座", "D座", "E座", "F座")

TECHNICAL_NAMES: tuple[str, ...] = (
    "业务办理大厅", "实验室", "检验检测室", "指挥中心", "数据机房", "调度室", "阅览大厅", "陈列室",
)  # fmt: skip
OTHER_NAMES: tuple[str, ...] = ("党员活动室", "职工之家", "健身活动室", "母婴室", "荣誉室")

SECTIONS: tuple[str, ...] = (
    "综合", "办公室", "政策法规", "财务", "人事", "规划发展", "督查", "信息", "行政审批",
    "组织宣传", "法制", "计划财务", "考核评价", "机关党委", "科技", "安全监管", "业务",
)  # fmt: skip

POST_TITLES: tuple[str, ...] = (
    "兼任党组书记", "兼任主任", "兼任指挥部总指挥", "兼任领导小组办公室主任", "兼任副主任",
    "兼任专班负责人",
)  # fmt: skip

# Surnames in rough order of frequency (weights follow the order).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤颜庞褚殷鲍齐宫"
)
GIVEN_CHARS = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国建华志强"
    "文斌海波宁晨阳浩然子涵雨欣俊峰晓东晓燕立新春梅秋菊冬梅雪梅学军德胜宏伟永刚振华瑞庆"
    "思远嘉怡欣怡博文一鸣佳琪梓萱紫涵铭宇凯瑞昊天泽宇子轩浩宇雨婷婷婷丹丹亮亮鑫磊晶莹"
)
_SURNAME_WEIGHTS = [1.0 / (1 + i * 0.08) for i in range(len(SURNAMES))]


def person_name(rng: random.Random) -> str:
    surname = rng.choices(SURNAMES, weights=_SURNAME_WEIGHTS)[0]
    given = rng.choice(GIVEN_CHARS)
    if rng.random() < 0.7:
        given += rng.choice(GIVEN_CHARS)
    return surname + given


def level_word(region_name: str) -> str:
    """The one-character level word used in short names: 省, 市, 区, 县 (旗 → 旗)."""
    for word in ("省", "市", "区", "县", "旗"):
        if region_name.endswith(word):
            return word
    return "市"


def township_org_name(name: str) -> tuple[str, str, tuple[tuple[str, str, int], ...], str]:
    """Full name, short name, tops and deputy title of a township's government."""
    if name.endswith("街道"):
        return (
            f"{name}办事处",
            f"{name}办",
            (("党工委书记", G.SECTION, 1), ("办事处主任", G.SECTION, 1)),
            "办事处副主任",
        )
    if name.endswith(("镇", "乡")):
        head = "镇长" if name.endswith("镇") else "乡长"
        return (
            f"{name}人民政府",
            f"{name}政府",
            (("党委书记", G.SECTION, 1), (head, G.SECTION, 1), ("人大主席", G.SECTION, 1)),
            "副" + head,
        )
    return (
        f"{name}管理委员会",
        f"{name}管委会",
        (("党工委书记", G.SECTION, 1), ("管委会主任", G.SECTION, 1)),
        "管委会副主任",
    )
