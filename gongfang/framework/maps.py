"""Maps: the spec of ``framework/map.html`` + ``static/gongfang/js/maps.js``, the tile source from
settings, and the WGS84 ↔ GCJ-02 conversion.

The spec (JSON-able; every coordinate WGS84, the browser converts for a GCJ-02 tile source)::

    {
      "points": [{"lat", "lng", "label", "color", "url"?, "card_url"?, "rank"?, "radius"?}],
      "cluster": bool,          # markercluster; a cluster takes the colour of its highest rank
      "tracks": [{"coords": [[lat, lng], …], "color", "label", "times"?: [epoch s, …]}],
                                # a track with times gets a playback slider (a moving marker)
      "labels": [{"lat", "lng", "text"}],   # region names on the plain background
      "boundaries": static URL of a GeoJSON or None,
      "legend": [{"color", "label"}],
      "bounds": [[south, west], [north, east]] or None (fit to the points and tracks),
      "tiles": None | {"url", "attribution", "crs": "wgs84"|"gcj02", "subdomains"?, "max_zoom"?},
    }

A point's click opens ``card_url`` (an HTML fragment, same origin) in a popup, else goes to ``url``.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings

# Krasovsky 1940 ellipsoid, as GCJ-02 uses it.
_A = 6378245.0
_EE = 0.00669342162296594323


def tiles() -> dict[str, Any] | None:
    """The configured tile source (settings.MAP_TILES) or None: offline, no tile requests."""
    source = getattr(settings, "MAP_TILES", None)
    if not source or not source.get("url"):
        return None
    return {
        "url": source["url"],
        "attribution": source.get("attribution", ""),
        "crs": source.get("crs", "wgs84"),
        "subdomains": source.get("subdomains", ""),
        "max_zoom": source.get("max_zoom", 18),
    }


def outside_china(lat: float, lng: float) -> bool:
    """GCJ-02 leaves coordinates outside China's rough box unchanged."""
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _delta(lat: float, lng: float) -> tuple[float, float]:
    x, y = lng - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    dlng += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlng += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlng += (
        (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    )
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return dlat, dlng


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    """WGS84 (GPS, 天地图's CGCS2000 within a metre) → GCJ-02 (高德, 腾讯 tiles)."""
    if outside_china(lat, lng):
        return lat, lng
    dlat, dlng = _delta(lat, lng)
    return lat + dlat, lng + dlng


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    """GCJ-02 → WGS84 by fixed-point iteration (well under a centimetre after a few rounds)."""
    if outside_china(lat, lng):
        return lat, lng
    wlat, wlng = lat, lng
    for _ in range(30):
        glat, glng = wgs84_to_gcj02(wlat, wlng)
        dlat, dlng = glat - lat, glng - lng
        wlat, wlng = wlat - dlat, wlng - dlng
        if abs(dlat) < 1e-10 and abs(dlng) < 1e-10:
            break
    return wlat, wlng
