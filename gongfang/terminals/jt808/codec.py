"""JT/T 808 message header (2013 and 2019 forms), packets and sub-package reassembly.

2013 header: id WORD, properties WORD, phone BCD[6], serial WORD, [total WORD, index WORD].
2019 header: id WORD, properties WORD (bit 14 set), protocol version BYTE, phone BCD[10],
serial WORD, [total WORD, index WORD]. Properties: bits 0-9 body length, 10-12 encryption,
13 sub-packaged, 14 version flag.
"""

from __future__ import annotations

import struct
import time
from dataclasses import dataclass, field

from .framing import FrameError, open_frame, wrap

BODY_LENGTH_MASK = 0x03FF
ENCRYPTION_MASK = 0x1C00
SUBPACKAGE_BIT = 0x2000
VERSION_BIT = 0x4000
MAX_BODY = BODY_LENGTH_MASK


def bcd_decode(data: bytes) -> str:
    digits = data.hex()
    if not digits.isdigit():
        raise FrameError(f"BCD 码含非数字：{digits}")
    return digits


def bcd_encode(digits: str, size: int) -> bytes:
    if not digits.isdigit() or len(digits) > size * 2:
        raise ValueError(f"无法编码为 {size} 字节 BCD：{digits!r}")
    return bytes.fromhex(digits.rjust(size * 2, "0"))


@dataclass
class Header:
    msg_id: int
    phone: str  # all BCD digits as sent (12 or 20), leading zeros included
    serial: int
    version: int = 2013  # 2013 or 2019 (from the version flag)
    protocol_version: int = 0  # the 2019 header's version byte (1 for the first 2019 version)
    encryption: int = 0
    total: int = 0  # sub-packages: total count and 1-based index; 0 when not sub-packaged
    index: int = 0

    @property
    def terminal(self) -> str:
        """The phone as stored: leading zeros dropped (a 2013 and a 2019 header agree)."""
        return self.phone.lstrip("0") or "0"

    @property
    def subpackaged(self) -> bool:
        return self.total > 0


@dataclass
class Packet:
    header: Header
    body: bytes
    check_ok: bool = True


def decode(content: bytes) -> Packet:
    """A packet from a frame's unescaped header + body (check already removed)."""
    if len(content) < 12:
        raise FrameError(f"消息头不完整（{len(content)} 字节）")
    msg_id, props = struct.unpack_from(">HH", content, 0)
    if props & VERSION_BIT:
        if len(content) < 17:
            raise FrameError("2019 版消息头不完整")
        protocol_version = content[4]
        phone = bcd_decode(content[5:15])
        (serial,) = struct.unpack_from(">H", content, 15)
        offset, version = 17, 2019
    else:
        protocol_version = 0
        phone = bcd_decode(content[4:10])
        (serial,) = struct.unpack_from(">H", content, 10)
        offset, version = 12, 2013
    total = index = 0
    if props & SUBPACKAGE_BIT:
        if len(content) < offset + 4:
            raise FrameError("分包项不完整")
        total, index = struct.unpack_from(">HH", content, offset)
        offset += 4
        if total == 0 or not 1 <= index <= total:
            raise FrameError(f"分包序号无效：{index}/{total}")
    length = props & BODY_LENGTH_MASK
    body = content[offset:]
    if len(body) != length:
        raise FrameError(f"消息体长度不符：属性 {length}，实际 {len(body)}")
    header = Header(
        msg_id=msg_id,
        phone=phone,
        serial=serial,
        version=version,
        protocol_version=protocol_version,
        encryption=(props & ENCRYPTION_MASK) >> 10,
        total=total,
        index=index,
    )
    return Packet(header, body)


def decode_frame(escaped: bytes, *, verify: bool = True) -> Packet:
    """A packet from the escaped bytes between two 0x7E flags."""
    content, ok = open_frame(escaped, verify=verify)
    packet = decode(content)
    packet.check_ok = ok
    return packet


def encode(header: Header, body: bytes) -> bytes:
    """A complete frame (flags, escaping, check) for ``header`` and ``body``."""
    if len(body) > MAX_BODY:
        raise ValueError(f"消息体过长（{len(body)} 字节），须分包")
    props = len(body) | (header.encryption << 10 & ENCRYPTION_MASK)
    if header.total:
        props |= SUBPACKAGE_BIT
    if header.version == 2019:
        props |= VERSION_BIT
        head = struct.pack(">HHB", header.msg_id, props, header.protocol_version)
        head += bcd_encode(header.phone, 10) + struct.pack(">H", header.serial)
    else:
        head = struct.pack(">HH", header.msg_id, props)
        head += bcd_encode(header.phone, 6) + struct.pack(">H", header.serial)
    if header.total:
        head += struct.pack(">HH", header.total, header.index)
    return wrap(head + body)


def split(header: Header, body: bytes, *, size: int = 512) -> list[bytes]:
    """Frames carrying ``body`` in sub-packages of at most ``size`` bytes, serials consecutive."""
    parts = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
    frames = []
    for i, part in enumerate(parts):
        h = Header(**{**header.__dict__, "serial": (header.serial + i) & 0xFFFF})
        h.total, h.index = len(parts), i + 1
        frames.append(encode(h, part))
    return frames


@dataclass
class _Pending:
    header: Header
    parts: dict[int, bytes] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    size: int = 0


class Reassembler:
    """Joins sub-packages into whole messages, per connection, within limits.

    A message is keyed by (message id, serial of its first part = serial - index + 1). At most
    ``max_pending`` messages are held, each of at most ``max_parts`` parts and ``max_bytes``
    bytes; parts older than ``timeout`` seconds are dropped (``dropped`` counts messages given
    up), so a hostile terminal cannot grow the server's memory.
    """

    def __init__(
        self,
        *,
        max_pending: int = 8,
        max_parts: int = 256,
        max_bytes: int = 256 * 1024,
        timeout: float = 120.0,
    ) -> None:
        self.max_pending = max_pending
        self.max_parts = max_parts
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.pending: dict[tuple[int, int], _Pending] = {}
        self.dropped = 0

    def add(self, packet: Packet, *, now: float | None = None) -> Packet | None:
        """The whole message once its last part arrived, else None."""
        h = packet.header
        if not h.subpackaged:
            return packet
        now = time.monotonic() if now is None else now
        self._expire(now)
        if h.total > self.max_parts:
            self.dropped += 1
            raise FrameError(f"分包总数 {h.total} 超过上限 {self.max_parts}")
        key = (h.msg_id, (h.serial - h.index + 1) & 0xFFFF)
        entry = self.pending.get(key)
        if entry is None:
            if len(self.pending) >= self.max_pending:
                oldest = min(self.pending, key=lambda k: self.pending[k].started)
                del self.pending[oldest]
                self.dropped += 1
            entry = self.pending[key] = _Pending(header=h, started=now)
        if entry.header.total != h.total:
            del self.pending[key]
            self.dropped += 1
            raise FrameError("同一消息的分包总数不一致")
        if h.index not in entry.parts:
            entry.parts[h.index] = packet.body
            entry.size += len(packet.body)
        if entry.size > self.max_bytes:
            del self.pending[key]
            self.dropped += 1
            raise FrameError(f"分包消息超过 {self.max_bytes} 字节")
        if len(entry.parts) < h.total:
            return None
        del self.pending[key]
        body = b"".join(entry.parts[i] for i in range(1, h.total + 1))
        # The whole message answers under the serial of the part that completed it (each part
        # is acknowledged by its own serial).
        whole = Header(**{**h.__dict__, "total": 0, "index": 0})
        return Packet(whole, body, packet.check_ok)

    def _expire(self, now: float) -> None:
        for key in [k for k, e in self.pending.items() if now - e.started > self.timeout]:
            del self.pending[key]
            self.dropped += 1
