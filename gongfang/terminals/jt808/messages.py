"""JT/T 808 message bodies used by the gateway: registration, authentication, location,
batch location, general responses. Strings are GBK as the standard says."""

from __future__ import annotations

import datetime
import struct
from dataclasses import dataclass, field

from .codec import bcd_decode
from .framing import FrameError

# Terminal → platform
TERMINAL_RESPONSE = 0x0001
HEARTBEAT = 0x0002
LOGOUT = 0x0003
REGISTER = 0x0100
AUTHENTICATE = 0x0102
LOCATION = 0x0200
BATCH_LOCATION = 0x0704
# Platform → terminal
PLATFORM_RESPONSE = 0x8001
REGISTER_RESPONSE = 0x8100

# 0x8001 / 0x0001 results
RESULT_OK = 0
RESULT_FAILED = 1
RESULT_BAD_MESSAGE = 2
RESULT_NOT_SUPPORTED = 3
RESULT_ALARM_CONFIRMED = 4

# 0x8100 results
REGISTER_OK = 0
REGISTER_VEHICLE_TAKEN = 1
REGISTER_NO_VEHICLE = 2
REGISTER_TERMINAL_TAKEN = 3
REGISTER_NO_TERMINAL = 4

# Status bits of 0x0200
STATUS_ACC = 1 << 0
STATUS_LOCATED = 1 << 1
STATUS_SOUTH = 1 << 2
STATUS_WEST = 1 << 3

# Alarm bits of 0x0200 the platform names (the rest are kept as the raw word)
ALARM_SOS = 1 << 0
ALARM_OVERSPEED = 1 << 1
ALARM_FATIGUE = 1 << 2
ALARM_GNSS_FAULT = 1 << 4
ALARM_POWER_LOW = 1 << 7
ALARM_POWER_CUT = 1 << 8

# Additional items of 0x0200
ITEM_MILEAGE = 0x01  # DWORD, 1/10 km
ITEM_FUEL = 0x02  # WORD, 1/10 L
ITEM_SPEED = 0x03  # WORD, 1/10 km/h (tachograph)
ITEM_SIGNAL = 0x30  # BYTE, wireless signal strength
ITEM_SATELLITES = 0x31  # BYTE, GNSS satellites

CHINA_TZ = datetime.timezone(datetime.timedelta(hours=8))


def gbk(data: bytes) -> str:
    return data.rstrip(b"\x00").decode("gbk", errors="replace").strip()


def to_gbk(text: str, size: int | None = None) -> bytes:
    data = text.encode("gbk", errors="replace")
    if size is None:
        return data
    while len(data) > size:  # cut whole characters, never half of a two-byte one
        text = text[:-1]
        data = text.encode("gbk", errors="replace")
    return data.ljust(size, b"\x00")


def bcd_time(data: bytes) -> datetime.datetime:
    """YYMMDDhhmmss in BCD, Beijing time (GMT+8)."""
    digits = bcd_decode(data)
    try:
        values = [int(digits[i : i + 2]) for i in range(0, 12, 2)]
        return datetime.datetime(2000 + values[0], *values[1:], tzinfo=CHINA_TZ)
    except ValueError as exc:
        raise FrameError(f"时间无效：{digits}") from exc


def to_bcd_time(moment: datetime.datetime) -> bytes:
    return bytes.fromhex(moment.astimezone(CHINA_TZ).strftime("%y%m%d%H%M%S"))


def _need(body: bytes, size: int, what: str) -> None:
    if len(body) < size:
        raise FrameError(f"{what}消息体过短（{len(body)} 字节，至少 {size}）")


@dataclass
class Registration:
    province: int
    city: int
    manufacturer: str
    model: str
    device_id: str
    plate_color: int
    plate: str  # or the VIN when plate_color is 0

    SIZES = {2013: (5, 20, 7), 2019: (11, 30, 30)}

    @classmethod
    def decode(cls, body: bytes, version: int = 2013) -> Registration:
        maker, model, device = cls.SIZES[version]
        fixed = 4 + maker + model + device + 1
        if version == 2013 and len(body) < fixed and len(body) >= 4 + 5 + 8 + 7 + 1:
            model = 8  # the 2011 form: model BYTE[8]
            fixed = 4 + maker + model + device + 1
        _need(body, fixed, "注册")
        province, city = struct.unpack_from(">HH", body, 0)
        at = 4
        parts = []
        for size in (maker, model, device):
            parts.append(gbk(body[at : at + size]))
            at += size
        return cls(province, city, *parts, body[at], gbk(body[at + 1 :]))

    def encode(self, version: int = 2013) -> bytes:
        maker, model, device = self.SIZES[version]
        return (
            struct.pack(">HH", self.province, self.city)
            + to_gbk(self.manufacturer, maker)
            + to_gbk(self.model, model)
            + to_gbk(self.device_id, device)
            + bytes([self.plate_color])
            + to_gbk(self.plate)
        )


@dataclass
class RegistrationReply:
    serial: int
    result: int
    auth_code: str = ""

    def encode(self) -> bytes:
        body = struct.pack(">HB", self.serial, self.result)
        return body + (to_gbk(self.auth_code) if self.result == REGISTER_OK else b"")

    @classmethod
    def decode(cls, body: bytes) -> RegistrationReply:
        _need(body, 3, "注册应答")
        serial, result = struct.unpack_from(">HB", body, 0)
        return cls(serial, result, gbk(body[3:]))


@dataclass
class Authentication:
    auth_code: str
    imei: str = ""
    software: str = ""

    @classmethod
    def decode(cls, body: bytes, version: int = 2013) -> Authentication:
        if version == 2013:
            return cls(gbk(body))
        _need(body, 1, "鉴权")
        length = body[0]
        _need(body, 1 + length + 15 + 20, "鉴权")
        code = gbk(body[1 : 1 + length])
        rest = body[1 + length :]
        return cls(code, gbk(rest[:15]), gbk(rest[15:35]))

    def encode(self, version: int = 2013) -> bytes:
        code = to_gbk(self.auth_code)
        if version == 2013:
            return code
        return bytes([len(code)]) + code + to_gbk(self.imei, 15) + to_gbk(self.software, 20)


@dataclass
class GeneralReply:
    """0x8001 (platform) or 0x0001 (terminal) general response."""

    serial: int
    msg_id: int
    result: int = RESULT_OK

    def encode(self) -> bytes:
        return struct.pack(">HHB", self.serial, self.msg_id, self.result)

    @classmethod
    def decode(cls, body: bytes) -> GeneralReply:
        _need(body, 5, "通用应答")
        return cls(*struct.unpack_from(">HHB", body, 0))


@dataclass
class Location:
    alarm: int
    status: int
    lat: float
    lng: float
    altitude: int
    speed: float  # km/h
    direction: int
    time: datetime.datetime
    mileage_km: float | None = None
    fuel_l: float | None = None
    recorder_speed: float | None = None
    signal: int | None = None
    satellites: int | None = None
    extra: dict[int, bytes] = field(default_factory=dict)

    @property
    def acc(self) -> bool:
        return bool(self.status & STATUS_ACC)

    @property
    def located(self) -> bool:
        return bool(self.status & STATUS_LOCATED)

    @classmethod
    def decode(cls, body: bytes) -> Location:
        _need(body, 28, "位置")
        alarm, status, lat, lng, altitude, speed, direction = struct.unpack_from(
            ">IIIIhHH", body, 0
        )
        lat_f = lat / 1e6 * (-1 if status & STATUS_SOUTH else 1)
        lng_f = lng / 1e6 * (-1 if status & STATUS_WEST else 1)
        if not (lat / 1e6 <= 90 and lng / 1e6 <= 180):
            raise FrameError(f"经纬度超出范围：{lat_f}, {lng_f}")
        location = cls(
            alarm, status, lat_f, lng_f, altitude, speed / 10, direction, bcd_time(body[22:28])
        )
        at = 28
        while at + 2 <= len(body):
            item, length = body[at], body[at + 1]
            value = body[at + 2 : at + 2 + length]
            if len(value) < length:
                break  # a truncated last item is ignored, the position stands
            location._item(item, value)
            at += 2 + length
        return location

    def _item(self, item: int, value: bytes) -> None:
        n = len(value)
        if item == ITEM_MILEAGE and n == 4:
            self.mileage_km = struct.unpack(">I", value)[0] / 10
        elif item == ITEM_FUEL and n == 2:
            self.fuel_l = struct.unpack(">H", value)[0] / 10
        elif item == ITEM_SPEED and n == 2:
            self.recorder_speed = struct.unpack(">H", value)[0] / 10
        elif item == ITEM_SIGNAL and n == 1:
            self.signal = value[0]
        elif item == ITEM_SATELLITES and n == 1:
            self.satellites = value[0]
        else:
            self.extra[item] = value

    def encode(self) -> bytes:
        status = self.status & ~(STATUS_SOUTH | STATUS_WEST)
        status |= STATUS_SOUTH if self.lat < 0 else 0
        status |= STATUS_WEST if self.lng < 0 else 0
        body = struct.pack(
            ">IIIIhHH",
            self.alarm,
            status,
            round(abs(self.lat) * 1e6),
            round(abs(self.lng) * 1e6),
            self.altitude,
            round(self.speed * 10),
            self.direction,
        ) + to_bcd_time(self.time)
        items = []
        if self.mileage_km is not None:
            items.append((ITEM_MILEAGE, struct.pack(">I", round(self.mileage_km * 10))))
        if self.fuel_l is not None:
            items.append((ITEM_FUEL, struct.pack(">H", round(self.fuel_l * 10))))
        if self.recorder_speed is not None:
            items.append((ITEM_SPEED, struct.pack(">H", round(self.recorder_speed * 10))))
        if self.signal is not None:
            items.append((ITEM_SIGNAL, bytes([self.signal])))
        if self.satellites is not None:
            items.append((ITEM_SATELLITES, bytes([self.satellites])))
        items += sorted(self.extra.items())
        return body + b"".join(bytes([item, len(value)]) + value for item, value in items)


@dataclass
class BatchLocation:
    kind: int  # 0 normal, 1 blind-area re-send (补报)
    locations: list[Location]

    @classmethod
    def decode(cls, body: bytes) -> BatchLocation:
        _need(body, 3, "批量位置")
        count, kind = struct.unpack_from(">HB", body, 0)
        at, locations = 3, []
        for _ in range(count):
            _need(body, at + 2, "批量位置")
            (length,) = struct.unpack_from(">H", body, at)
            item = body[at + 2 : at + 2 + length]
            if len(item) < length:
                raise FrameError("批量位置数据项不完整")
            locations.append(Location.decode(item))
            at += 2 + length
        return cls(kind, locations)

    def encode(self) -> bytes:
        items = [loc.encode() for loc in self.locations]
        return struct.pack(">HB", len(items), self.kind) + b"".join(
            struct.pack(">H", len(item)) + item for item in items
        )
