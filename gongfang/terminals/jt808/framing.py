"""JT/T 808 framing: 0x7E delimiters, 0x7D escaping and the XOR check code.

On the wire a frame is ``7E <escaped(header + body + check)> 7E``; inside, 0x7E is sent as
0x7D 0x02 and 0x7D as 0x7D 0x01. The check is the XOR of header and body. ``FrameSplitter``
cuts a TCP byte stream into frames, bounding how much it buffers.
"""

from __future__ import annotations

from functools import reduce

FLAG = 0x7E
ESCAPE = 0x7D


class FrameError(ValueError):
    """A frame that cannot be read (bad escape, bad check, truncated)."""


def escape(data: bytes) -> bytes:
    return data.replace(b"\x7d", b"\x7d\x01").replace(b"\x7e", b"\x7d\x02")


def unescape(data: bytes) -> bytes:
    """Undo the escaping; a 0x7D followed by anything but 0x01/0x02 is an error."""
    if b"\x7d" not in data:
        return data
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        byte = data[i]
        if byte == ESCAPE:
            if i + 1 >= n or data[i + 1] not in (1, 2):
                raise FrameError(f"第 {i} 字节的转义序列无效")
            out.append(ESCAPE if data[i + 1] == 1 else FLAG)
            i += 2
        else:
            out.append(byte)
            i += 1
    return bytes(out)


def xor(data: bytes) -> int:
    return reduce(int.__xor__, data, 0)


def wrap(content: bytes) -> bytes:
    """A complete frame for ``content`` (header + body): check appended, escaped, delimited."""
    return b"\x7e" + escape(content + bytes([xor(content)])) + b"\x7e"


def open_frame(escaped: bytes, *, verify: bool = True) -> tuple[bytes, bool]:
    """Header + body of one frame's inner bytes (between the flags) and whether its check held.

    With ``verify`` a wrong check raises ``FrameError``; without, it is only reported (some
    terminals in service compute it wrongly).
    """
    data = unescape(escaped)
    if len(data) < 2:
        raise FrameError("帧过短")
    content, check = data[:-1], data[-1]
    ok = xor(content) == check
    if verify and not ok:
        raise FrameError(f"校验码错误：收到 {check:#04x}，应为 {xor(content):#04x}")
    return content, ok


class FrameSplitter:
    """Cuts a byte stream into the escaped contents of frames.

    Bytes outside a frame are counted as garbage and dropped; a frame growing past
    ``max_frame`` escaped bytes is dropped whole (``oversized`` counts them) so one connection
    cannot make the server buffer without bound.
    """

    def __init__(self, *, max_frame: int = 4096) -> None:
        self.max_frame = max_frame
        self.buffer = bytearray()
        self.inside = False
        self.garbage = 0
        self.oversized = 0
        self.skipping = False

    def feed(self, data: bytes) -> list[bytes]:
        frames: list[bytes] = []
        start = 0
        n = len(data)
        while start < n:
            pos = data.find(b"\x7e", start)
            if not self.inside:
                if pos < 0:
                    self.garbage += n - start
                    break
                self.garbage += pos - start
                self.inside, self.skipping = True, False
                self.buffer.clear()
                start = pos + 1
                continue
            chunk = data[start:] if pos < 0 else data[start:pos]
            if not self.skipping:
                self.buffer += chunk
                if len(self.buffer) > self.max_frame:
                    self.oversized += 1
                    self.skipping = True
                    self.buffer.clear()
            if pos < 0:
                break
            if self.buffer and not self.skipping:
                frames.append(bytes(self.buffer))
                self.buffer.clear()
                # This flag closed a frame; the next frame opens with its own flag.
                self.inside = False
            elif self.skipping:
                self.skipping = False
                self.inside = False
            # An empty buffer: two flags in a row (close of one frame and open of the next),
            # the second one opens.
            start = pos + 1
        return frames
