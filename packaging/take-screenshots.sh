#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Retakes the AppStream screenshots (packaging/screenshots/) from the running app on a virtual
# display, with fresh settings: the sample investigation, then a filter typed into the bar.
# Needs xvfb (xvfb-run), xdotool, imagemagick and optipng; not part of the build or the tests.
# Usage: take-screenshots.sh BUILD_DIR     (then update the sizes in the metainfo if they changed)
set -euo pipefail
if [ -z "${AUDITSCOPE_IN_XVFB:-}" ]; then
    build=$(realpath "${1:?usage: take-screenshots.sh BUILD_DIR}")
    AUDITSCOPE_IN_XVFB=1 exec xvfb-run -a -s "-screen 0 1400x850x24" "$0" "$build"
fi
binary=$1/app/gui/auditscope
out=$(dirname "$(realpath "$0")")/screenshots
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp XDG_CONFIG_HOME=$tmp/.config XDG_RUNTIME_DIR=$tmp

"$binary" --sample &
app=$!
sleep 6                                        # loads in well under a second; leave it margin
window=$(xdotool search --onlyvisible --name AuditScope | head -n 1)
shot()
{
    import -window "$window" "$tmp/shot.png"
    # Palette PNG without dithering: the UI has few colours; a quarter of the size.
    convert "$tmp/shot.png" -dither None -colors 256 "PNG8:$out/$1.png"
    optipng -quiet -o5 -strip all "$out/$1.png"
    identify -format "$1.png: %wx%h, %b\n" "$out/$1.png"
}
shot events
xdotool mousemove 380 29 click 1 sleep 0.5     # the filter bar
xdotool type --delay 30 "verb:delete resource:configmaps"
xdotool key Return sleep 3
xdotool mousemove 300 71 click 1 sleep 1       # the first match
shot filtered
kill "$app"
wait "$app" || true
