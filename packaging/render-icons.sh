#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Renders the application icon's PNGs from its SVG sources into resources/icons/hicolor/ and
# records the sources' checksums (tests/packaging checks them, so an edited SVG without new
# PNGs fails the tests). The PNGs are committed: the build and the .qrc then need no SVG
# renderer. Needs rsvg-convert (librsvg2-bin) and optipng.
set -euo pipefail
cd "$(dirname "$0")/../resources/icons"

id=io.github.auditscope.AuditScope
for size in 16 22 24 32 48 64 128 256; do
    source=$id.svg
    # Below 32 px the full drawing turns to mush: a simplified one drawn on a 24 px grid.
    [ "$size" -le 24 ] && source=small-sizes.svg
    mkdir -p "hicolor/${size}x${size}/apps"
    out="hicolor/${size}x${size}/apps/$id.png"
    rsvg-convert --width "$size" --height "$size" "$source" --output "$out"
    optipng -quiet -o7 -strip all "$out"
done
sha256sum "$id.svg" small-sizes.svg > hicolor/SOURCES.sha256
du -cb hicolor/*/apps/*.png | tail -n 1
