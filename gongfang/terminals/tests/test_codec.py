"""The JT/T 808 codec: framing, headers of both versions, sub-packages, message bodies, and
real frames published with Traccar's decoder (HuabaoProtocolDecoderTest / HuabaoFrameDecoderTest,
github.com/traccar/traccar, Apache-2.0), whose values we decoded by hand from the standard."""

from __future__ import annotations

import contextlib
import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ..jt808 import codec
from ..jt808 import messages as m
from ..jt808.framing import FrameError, FrameSplitter, escape, open_frame, unescape, wrap, xor

BJ = m.CHINA_TZ


def one(hexframe: str, *, verify: bool = True) -> codec.Packet:
    frames = FrameSplitter().feed(bytes.fromhex(hexframe))
    assert len(frames) == 1
    return codec.decode_frame(frames[0], verify=verify)


# -- framing ------------------------------------------------------------------------------


def test_escape_both_special_bytes():
    # HuabaoFrameDecoderTest: 7e 30 7d02 08 7d01 55 7e carries 30 7e 08 7d 55.
    assert unescape(bytes.fromhex("307d02087d0155")) == bytes.fromhex("307e087d55")
    assert escape(bytes.fromhex("307e087d55")) == bytes.fromhex("307d02087d0155")


@pytest.mark.parametrize("bad", ["7d", "307d", "7d03", "7d00", "307d7e"])
def test_unescape_refuses_bad_sequences(bad):
    with pytest.raises(FrameError):
        unescape(bytes.fromhex(bad))


def test_escape_runs_of_specials():
    data = b"\x7d\x7e\x7d\x7d\x7e\x7e\x01\x02"
    escaped = escape(data)
    assert b"\x7e" not in escaped
    assert unescape(escaped) == data
    assert escape(b"\x7d\x01") == b"\x7d\x01\x01"  # the escape byte before a literal 0x01


@given(st.binary(max_size=300))
def test_escape_round_trip(data):
    escaped = escape(data)
    assert b"\x7e" not in escaped
    assert unescape(escaped) == data


def test_check_verification_switchable():
    inner = escape(b"\x00\x02\x00\x00\x01\x23\x45\x67\x89\x01\x00\x05" + b"\x00")  # wrong check
    with pytest.raises(FrameError, match="校验码"):
        open_frame(inner, verify=True)
    content, ok = open_frame(inner, verify=False)
    assert not ok and len(content) == 12
    packet = codec.decode_frame(inner, verify=False)
    assert packet.header.msg_id == m.HEARTBEAT and packet.check_ok is False


def test_splitter_garbage_split_reads_and_back_to_back():
    f1 = wrap(b"\x00\x02\x00\x00\x01\x23\x45\x67\x89\x01\x00\x01")
    f2 = wrap(b"\x00\x02\x00\x00\x01\x23\x45\x67\x89\x01\x00\x02")
    stream = b"junk" + f1 + f2 + b"\x00\x7e"
    splitter = FrameSplitter()
    got = []
    for i in range(len(stream)):  # one byte at a time: a frame cut by TCP anywhere
        got += splitter.feed(stream[i : i + 1])
    assert [codec.decode_frame(g).header.serial for g in got] == [1, 2]
    assert splitter.garbage == 5  # "junk" and the stray 0x00; the last flag opens a frame


def test_splitter_drops_oversized_frame_and_resyncs():
    good = wrap(b"\x00\x02\x00\x00\x01\x23\x45\x67\x89\x01\x00\x09")
    splitter = FrameSplitter(max_frame=64)
    frames = splitter.feed(b"\x7e" + b"\x11" * 500 + b"\x7e" + good)
    assert splitter.oversized == 1
    assert [codec.decode_frame(f).header.serial for f in frames] == [9]


@pytest.mark.parametrize(
    "hexframe",
    [
        "7e00027e",  # too short for a header
        "7e0002000001234567890100057e",  # check byte used as data: header cut short
        "7e0200000a0123456789010001000000007e",  # body shorter than declared
        "7e0002000001234567a9010001ff7e",  # phone not BCD
    ],
)
def test_truncated_and_garbage_frames_raise_frame_error(hexframe):
    frames = FrameSplitter().feed(bytes.fromhex(hexframe))
    for frame in frames:
        with pytest.raises(FrameError):
            codec.decode_frame(frame, verify=False)


@given(st.binary(max_size=200))
@settings(max_examples=200)
def test_garbage_never_raises_anything_but_frame_error(data):
    for frame in FrameSplitter().feed(b"\x7e" + data + b"\x7e"):
        try:
            packet = codec.decode_frame(frame, verify=False)
        except FrameError:
            continue
        for decoder in (m.Location.decode, m.BatchLocation.decode, m.GeneralReply.decode):
            with contextlib.suppress(FrameError):
                decoder(packet.body)


# -- headers ------------------------------------------------------------------------------

headers = st.builds(
    codec.Header,
    msg_id=st.integers(0, 0xFFFF),
    phone=st.sampled_from(["013511221122", "000000000000", "987654321098"]),
    serial=st.integers(0, 0xFFFF),
    version=st.just(2013),
    encryption=st.integers(0, 7),
) | st.builds(
    codec.Header,
    msg_id=st.integers(0, 0xFFFF),
    phone=st.sampled_from(["00000000013511221122", "12345678901234567890"]),
    serial=st.integers(0, 0xFFFF),
    version=st.just(2019),
    protocol_version=st.integers(0, 255),
    encryption=st.integers(0, 7),
)


@given(headers, st.binary(max_size=codec.MAX_BODY))
def test_header_round_trip_both_versions(header, body):
    frame = codec.encode(header, body)
    assert frame[0] == frame[-1] == 0x7E and b"\x7e" not in frame[1:-1]
    packet = codec.decode_frame(frame[1:-1])
    assert packet.header == header and packet.body == body and packet.check_ok


def test_2013_and_2019_phone_agree():
    h13 = codec.Header(msg_id=2, phone="013511221122", serial=1)
    h19 = codec.Header(msg_id=2, phone="00000000013511221122", serial=1, version=2019)
    p13 = codec.decode_frame(codec.encode(h13, b"")[1:-1])
    p19 = codec.decode_frame(codec.encode(h19, b"")[1:-1])
    assert p13.header.terminal == p19.header.terminal == "13511221122"
    assert p19.header.version == 2019 and p13.header.version == 2013
    assert codec.encode(h19, b"")[3] & 0x40  # version flag, bit 14 of the properties


def test_body_too_long_must_be_split():
    with pytest.raises(ValueError):
        codec.encode(codec.Header(msg_id=0x0704, phone="1", serial=1), b"\x00" * 1024)


# -- sub-packages -------------------------------------------------------------------------


@given(st.binary(min_size=1, max_size=1500), st.integers(16, 1023), st.randoms())
def test_subpackages_reassemble_in_any_order(body, size, rnd):
    header = codec.Header(msg_id=m.BATCH_LOCATION, phone="013511221122", serial=65530)
    frames = codec.split(header, body, size=size)
    rnd.shuffle(frames)
    reassembler = codec.Reassembler(max_parts=100, max_bytes=10_000)
    packets = [codec.decode_frame(f[1:-1]) for f in frames]
    results = [reassembler.add(p) for p in packets]
    whole = [r for r in results if r is not None]
    assert len(whole) == 1 and whole[0].body == body and results[-1] is whole[0]
    assert whole[0].header.serial == packets[-1].header.serial  # answered as its last part
    assert not whole[0].header.subpackaged
    assert reassembler.pending == {}


def test_reassembler_limits():
    header = codec.Header(msg_id=m.BATCH_LOCATION, phone="013511221122", serial=1)
    parts = [codec.decode_frame(f[1:-1]) for f in codec.split(header, b"x" * 100, size=10)]
    with pytest.raises(FrameError, match="上限"):
        codec.Reassembler(max_parts=5).add(parts[0])
    with pytest.raises(FrameError, match="字节"):
        r = codec.Reassembler(max_bytes=25)
        for part in parts:
            r.add(part)
    r = codec.Reassembler(max_pending=2, timeout=10)
    for serial in (100, 200, 300):  # three messages started, one part each: the oldest goes
        h = codec.Header(msg_id=m.BATCH_LOCATION, phone="1", serial=serial)
        r.add(codec.decode_frame(codec.split(h, b"y" * 20, size=10)[0][1:-1]), now=serial / 100)
    assert len(r.pending) == 2 and r.dropped == 1
    r.add(parts[0], now=100.0)  # the others time out
    assert len(r.pending) == 1 and r.dropped == 3


# -- bodies -------------------------------------------------------------------------------

times = st.datetimes(
    min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2099, 12, 31)
).map(lambda d: d.replace(microsecond=0, tzinfo=BJ))
locations = st.builds(
    m.Location,
    alarm=st.integers(0, 0xFFFFFFFF),
    status=st.integers(0, 0xFFFFFFFF),
    lat=st.integers(-90_000_000, 90_000_000).map(lambda v: v / 1e6),
    lng=st.integers(-180_000_000, 180_000_000).map(lambda v: v / 1e6),
    altitude=st.integers(-32768, 32767),
    speed=st.integers(0, 0xFFFF).map(lambda v: v / 10),
    direction=st.integers(0, 359),
    time=times,
    mileage_km=st.none() | st.integers(0, 0xFFFFFFFF).map(lambda v: v / 10),
    fuel_l=st.none() | st.integers(0, 0xFFFF).map(lambda v: v / 10),
    recorder_speed=st.none() | st.integers(0, 0xFFFF).map(lambda v: v / 10),
    signal=st.none() | st.integers(0, 255),
    satellites=st.none() | st.integers(0, 255),
)


def _same(a: m.Location, b: m.Location) -> None:
    for name in ("alarm", "altitude", "speed", "direction", "time", "mileage_km", "fuel_l"):
        assert getattr(a, name) == getattr(b, name), name
    assert (a.lat, a.lng) == (b.lat, b.lng)
    assert a.status & ~0b1100 == b.status & ~0b1100  # hemisphere bits follow the signs


@given(locations)
def test_location_round_trip(location):
    _same(m.Location.decode(location.encode()), location)


@given(st.lists(locations, max_size=12), st.integers(0, 1))
def test_batch_round_trip(items, kind):
    batch = m.BatchLocation.decode(m.BatchLocation(kind, items).encode())
    assert batch.kind == kind and len(batch.locations) == len(items)
    for got, sent in zip(batch.locations, items, strict=True):
        _same(got, sent)


@given(
    st.integers(0, 0xFFFF),
    st.integers(0, 0xFFFF),
    st.text("ABC123汽车", max_size=2),
    st.text("AB-12", max_size=20),
    st.text("0123456789", max_size=7),
    st.integers(0, 255),
    st.sampled_from(["桂A12345", "鲁D8888D", "LSVAU2180N2183294"]),
    st.sampled_from([2013, 2019]),
)
def test_registration_round_trip(province, city, maker, model, device, color, plate, version):
    reg = m.Registration(province, city, maker, model, device, color, plate)
    assert m.Registration.decode(reg.encode(version), version) == reg


@pytest.mark.parametrize("version", [2013, 2019])
def test_authentication_both_forms(version):
    auth = m.Authentication("A1b2C3", "860000000000001" if version == 2019 else "", "")
    if version == 2019:
        auth.software = "V1.2"
    assert m.Authentication.decode(auth.encode(version), version) == auth


def test_replies():
    reply = m.RegistrationReply(7, m.REGISTER_OK, "auth-xyz")
    assert m.RegistrationReply.decode(reply.encode()) == reply
    refused = m.RegistrationReply(8, m.REGISTER_NO_TERMINAL, "ignored")
    assert refused.encode() == b"\x00\x08\x04"  # no auth code unless registered
    ack = m.GeneralReply(0x1234, m.LOCATION, m.RESULT_NOT_SUPPORTED)
    assert ack.encode() == bytes.fromhex("1234020003")
    assert m.GeneralReply.decode(ack.encode()) == ack


# -- real frames (Traccar's HuabaoProtocolDecoderTest) --------------------------------------


def test_real_registration_2013():
    packet = one(
        "7E0100002D013511221122000500000000373031303748422D52303347424400000000000000000000"
        "003233363631303402CBD5424136383630387E"
    )
    assert (packet.header.msg_id, packet.header.terminal, packet.header.serial) == (
        0x0100,
        "13511221122",
        5,
    )
    reg = m.Registration.decode(packet.body)
    assert reg.manufacturer == "70107" and reg.model == "HB-R03GBD"
    assert reg.device_id == "2366104" and reg.plate_color == 2 and reg.plate == "苏BA6860"


def test_real_authentication_2013():
    packet = one("7E0102000E013511221122000661757468656E7469636174696F6E3F7E")
    assert m.Authentication.decode(packet.body).auth_code == "authentication"


def test_real_heartbeat():
    packet = one("7e0002000004304832546500b7ca7e")
    assert packet.header.msg_id == m.HEARTBEAT and packet.header.terminal == "43048325465"
    assert packet.header.serial == 0xB7 and packet.body == b""


def test_real_location_with_mileage_and_fuel():
    packet = one(
        "7E0200002A013833501744001900000000000000C201597FA806CC01580080000000081508180721"
        "210104000002F502020000030200009F7E"
    )
    loc = m.Location.decode(packet.body)
    assert (loc.lat, loc.lng, loc.altitude, loc.direction) == (22.6426, 114.032984, 128, 8)
    assert loc.time == datetime.datetime(2015, 8, 18, 7, 21, 21, tzinfo=BJ)
    assert loc.mileage_km == 75.7 and loc.fuel_l == 0.0 and loc.recorder_speed == 0.0
    assert loc.located and not loc.acc  # status 0xC2: bit 1 located, ACC off


def test_real_location_southern_hemisphere_signal_and_satellites():
    packet = one(
        "7e0200002c00160128561400030000000000040007005de13c065c6cdb00160000000017011710054201"
        "040000a9002a02000030011b310104e47e"
    )
    loc = m.Location.decode(packet.body)
    assert loc.acc and loc.located and loc.lat == -6.152508 and loc.lng == 106.720475
    assert loc.mileage_km == 4326.4 and loc.signal == 27 and loc.satellites == 4
    assert loc.extra == {0x2A: b"\x00\x00"}  # IO status kept raw


def test_real_batch_location():
    packet = one(
        "7E0704014301356777777707F5000801002600000000000000030159741206CBFD50017200000001160527"
        "09062401040000001D03020000002600000000000000030159746606CBFD50016B00000001160527090653"
        "01040000001D0302000000260000000000000003015975E406CBFE58013F000000011605270907270104"
        "0000001D0302000000260000000000000003015976DE06CBFF10012E0000000116052709075601040000"
        "001D0302000000260000000000000003015976BC06CBFED0012D00000001160527090830010400000"
        "01D0302000000260000000000000003015976FE06CBFEC0010800000001160527090900010400000"
        "01D0302000000260000000000000003015976FE06CBFE7800FC00000001160527090933010400000"
        "01D0302000000260000000000000003015977A606CBFF3001080000000116052709100201040000"
        "001D030200001F7E"
    )
    batch = m.BatchLocation.decode(packet.body)
    assert batch.kind == 1 and len(batch.locations) == 8  # 补报 (blind-area re-send)
    first, last = batch.locations[0], batch.locations[-1]
    assert (first.lat, first.lng, first.altitude, first.mileage_km) == (
        22.639634,
        114.031952,
        370,
        2.9,
    )
    assert last.time == datetime.datetime(2016, 5, 27, 9, 10, 2, tzinfo=BJ)


def test_real_frame_with_wrong_length_is_refused():
    # Published with a declared body length of 0x32 (50) but 40 bytes of body and a check
    # code that does not match either: refused, and only a FrameError.
    hexframe = (
        "7E02000032013511221122000700000000000C000301578CC006CA3A5C004700000000140723172015"
        "01040000000030011631010BD07E"
    )
    with pytest.raises(FrameError, match="校验码"):
        one(hexframe)
    with pytest.raises(FrameError, match="长度"):
        one(hexframe, verify=False)


def test_xor_known_value():
    assert xor(bytes.fromhex("0002000004304832546500b7")) == 0xCA
