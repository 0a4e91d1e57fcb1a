#!/usr/bin/env python3
"""Copy the front-end files gongfang serves from node_modules/ into static/vendor/.

The libraries come from the npm registry, pinned by package-lock.json (``npm ci``); nothing
third-party is committed (DESIGN §7). This script copies exactly the distribution files the
templates load, the source maps those files point to (so ``collectstatic`` with a manifest
storage finds them) and each package's licence. static/vendor/ is rebuilt from scratch on every
run and is git-ignored.

Standard library only: it runs before the project's virtualenv exists.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"

# destination folder under static/vendor -> (npm package, files inside the package)
FILES: dict[str, tuple[str, list[str]]] = {
    "tabler": (
        "@tabler/core",
        ["dist/css/tabler.min.css", "dist/js/tabler.min.js"],
    ),
    "htmx": (
        "htmx.org",
        ["dist/htmx.min.js"],
    ),
    "tom-select": (
        "tom-select",
        ["dist/css/tom-select.bootstrap5.min.css", "dist/js/tom-select.complete.min.js"],
    ),
    "echarts": (
        "echarts",
        ["dist/echarts.min.js"],
    ),
    "leaflet": (
        "leaflet",
        [
            "dist/leaflet.css",
            "dist/leaflet.js",
            "dist/images/marker-icon.png",
            "dist/images/marker-icon-2x.png",
            "dist/images/marker-shadow.png",
            "dist/images/layers.png",
            "dist/images/layers-2x.png",
        ],
    ),
    "leaflet-markercluster": (
        "leaflet.markercluster",
        [
            "dist/leaflet.markercluster.js",
            "dist/MarkerCluster.css",
            "dist/MarkerCluster.Default.css",
        ],
    ),
    "swagger-ui": (
        "swagger-ui-dist",
        [
            "swagger-ui.css",
            "swagger-ui-bundle.js",
            "swagger-ui-standalone-preset.js",
            "favicon-32x32.png",
            "favicon-16x16.png",
            "oauth2-redirect.html",
            "oauth2-redirect.js",
        ],
    ),
}
LICENCE_NAMES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "NOTICE")
SOURCE_MAP = re.compile(rb"[#@] sourceMappingURL=([^\s*'\"]+)")


def copy(src: Path, dest_dir: Path) -> Path:
    dest = dest_dir / src.name
    shutil.copy2(src, dest)
    return dest


def main() -> int:
    if not NODE_MODULES.is_dir():
        print("node_modules/ is missing: run `npm ci` (or `make node`) first.", file=sys.stderr)
        return 1
    missing = [
        f"{package}/{name}"
        for package, names in FILES.values()
        for name in names
        if not (NODE_MODULES / package / name).is_file()
    ]
    if missing:
        print("Not found in node_modules/ (is package-lock.json current?):", file=sys.stderr)
        for name in missing:
            print(f"  {name}", file=sys.stderr)
        return 1

    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    count = 0
    for folder, (package, names) in FILES.items():
        package_dir = NODE_MODULES / package
        dest_dir = VENDOR / folder
        dest_dir.mkdir(parents=True)
        for name in names:
            src = package_dir / name
            # Images a stylesheet names by a relative "images/…" path (Leaflet's) keep that
            # folder, or the manifest storage of production's collectstatic refuses the CSS.
            target = dest_dir / "images" if src.parent.name == "images" else dest_dir
            target.mkdir(exist_ok=True)
            copy(src, target)
            count += 1
            # A file that names its source map gets the map too, when the package ships it.
            if src.suffix in (".js", ".css"):
                for ref in SOURCE_MAP.findall(src.read_bytes()[-400:]):
                    map_file = src.parent / ref.decode()
                    if map_file.is_file() and not (dest_dir / map_file.name).exists():
                        copy(map_file, dest_dir)
                        count += 1
        for licence in LICENCE_NAMES:
            if (package_dir / licence).is_file():
                copy(package_dir / licence, dest_dir)
        version = json.loads((package_dir / "package.json").read_text("utf-8"))["version"]
        (dest_dir / "VERSION").write_text(f"{package} {version}\n", "utf-8")
    print(f"static/vendor: {count} files from {len(FILES)} npm packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
