"""Code lists of the registry (DESIGN §2–4): stored as codes, shown in Chinese."""

from django.db import models


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡级"


class AdminLevel(models.TextChoices):
    """Level of an organization, and the row of the area standard that applies to it."""

    CENTRAL = "central", "中央"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡级"


class OrganizationKind(models.TextChoices):
    PARTY = "party", "党的机关"
    CONGRESS = "congress", "人大机关"
    GOVERNMENT = "government", "行政机关"
    CPPCC = "cppcc", "政协机关"
    SUPERVISION = "supervision", "监察机关"
    COURT = "court", "审判机关"
    PROCURATORATE = "procuratorate", "检察机关"
    DEMOCRATIC = "democratic", "民主党派机关"
    MASS = "mass", "群团机关"
    INSTITUTION = "institution", "事业单位"


class OrganizationStatus(models.TextChoices):
    ACTIVE = "active", "存续"
    MERGED = "merged", "已合并"
    ABOLISHED = "abolished", "已撤销"


class Grade(models.TextChoices):
    """Civil-service grade, the column of the area standard (DESIGN §4.1)."""

    MINISTER = "minister", "省部级正职"
    VICE_MINISTER = "vice_minister", "省部级副职"
    BUREAU = "bureau", "厅局级正职"
    VICE_BUREAU = "vice_bureau", "厅局级副职"
    DIVISION = "division", "县处级正职"
    VICE_DIVISION = "vice_division", "县处级副职"
    SECTION = "section", "乡科级正职"
    VICE_SECTION = "vice_section", "乡科级副职"
    STAFF = "staff", "科员及以下"


class EmploymentStatus(models.TextChoices):
    ACTIVE = "active", "在职"
    RETIRED = "retired", "退休"
    TRANSFERRED = "transferred", "调离"
    SECONDED = "seconded", "借调"


class StaffingKind(models.TextChoices):
    ADMINISTRATIVE = "administrative", "行政编制"
    INSTITUTION = "institution", "事业编制"
    OTHER = "other", "其他"


class HeightClass(models.TextChoices):
    MULTI = "multi", "多层"
    HIGH = "high", "高层"


class TitleStatus(models.TextChoices):
    CERTIFIED = "certified", "已办证"
    FILED = "filed", "已备案"
    UNCLEAR = "unclear", "权属不清"


class RoomCategory(models.TextChoices):
    OFFICE = "office", "办公室"
    SERVICE = "service", "服务用房"
    EQUIPMENT = "equipment", "设备用房"
    ANCILLARY = "ancillary", "附属用房"
    TECHNICAL = "technical", "技术业务用房"
    OTHER = "other", "其他"


# DESIGN §4.2: the subtypes each category admits.
ROOM_SUBTYPES: dict[str, tuple[str, ...]] = {
    RoomCategory.OFFICE: ("领导人员办公室", "一般工作人员办公室"),
    RoomCategory.SERVICE: (
        "会议室",
        "接待室",
        "档案室",
        "图书资料室",
        "机关信息网络用房",
        "机要保密室",
        "文印室",
        "收发室",
        "医务室",
        "值班室",
        "储藏室",
        "物业及工勤人员用房",
        "开水间",
        "卫生间",
    ),
    RoomCategory.EQUIPMENT: (
        "变配电室",
        "水泵房",
        "水箱间",
        "中水处理间",
        "锅炉房",
        "空调机房",
        "通信机房",
        "电梯机房",
        "智能化设备用房",
    ),
    RoomCategory.ANCILLARY: ("食堂", "停车库", "警卫用房", "人防设施"),
    RoomCategory.TECHNICAL: (),
    RoomCategory.OTHER: (),
}
ROOM_SUBTYPE_CHOICES = [
    (RoomCategory(cat).label, [(s, s) for s in subs]) for cat, subs in ROOM_SUBTYPES.items() if subs
]


class RoomStatus(models.TextChoices):
    IN_USE = "in_use", "在用"
    IDLE = "idle", "闲置"
    LENT = "lent", "出借"
    BORROWED = "borrowed", "借用"
    LEASED_OUT = "leased_out", "出租"
    RENTED = "rented", "租用"
    SEALED = "sealed", "封存"
    PENDING_DISPOSAL = "pending_disposal", "待处置"


class ParkingKind(models.TextChoices):
    SURFACE = "surface", "地面停车场"
    UNDERGROUND = "underground", "地下停车库"
    STRUCTURE = "structure", "立体停车库"
