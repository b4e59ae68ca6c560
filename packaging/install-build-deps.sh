#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what AuditScope needs to build, test and run on Debian 12 (run as root).
# Everything comes from Debian's own packages; nothing is downloaded from elsewhere.
set -euo pipefail

packages=(
    cmake ninja-build g++ pkg-config         # toolchain
    clang libclang-rt-14-dev llvm           # ASan/UBSan build and libFuzzer; llvm-symbolizer
    qt6-base-dev qt6-base-dev-tools         # Qt 6.4: Core, Gui, Widgets, Test (+ offscreen QPA)
    libsimdjson-dev libyaml-cpp-dev zlib1g-dev libisal-dev
    clang-format                            # the style check in the test suite
    gzip                                    # tests build .gz fixtures with it
    fonts-dejavu-core                       # a font for offscreen GUI tests and screenshots
    xvfb xauth                              # to run the GUI on a machine without a display
    help2man                                # man pages from --help
    dpkg-dev file lintian strace            # the .deb: CPack's shlibdeps, lint, install test
    desktop-file-utils appstream            # desktop file and AppStream metainfo validators
    libxml2-utils shared-mime-info libglib2.0-bin   # MIME type: xmllint, database, gio
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-build-deps: all ${#packages[@]} packages already installed"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-build-deps: missing packages: ${missing[*]}" >&2
    echo "install-build-deps: run as root (or with sudo) to install them" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
