# SPDX-License-Identifier: Apache-2.0
# Fast checks of the desktop integration files, as CTest tests labelled "packaging"
# (`ctest -L packaging`). The .deb itself is built, linted and installed by check-package.sh,
# a step of tests/run-all.sh: it installs a package system-wide, which is no unit test.
# A missing tool fails its test: packaging/install-build-deps.sh installs them all.
find_program(AUDITSCOPE_DESKTOP_FILE_VALIDATE desktop-file-validate)
find_program(AUDITSCOPE_APPSTREAMCLI appstreamcli)
set(_dir ${CMAKE_CURRENT_SOURCE_DIR})

add_test(NAME packaging.desktop-file
         COMMAND ${AUDITSCOPE_DESKTOP_FILE_VALIDATE} ${_dir}/${AUDITSCOPE_APP_ID}.desktop)
add_test(NAME packaging.metainfo
         COMMAND ${AUDITSCOPE_APPSTREAMCLI} validate --no-net --no-color
                 ${_dir}/${AUDITSCOPE_APP_ID}.metainfo.xml)
add_test(NAME packaging.mime
         COMMAND bash ${_dir}/check-mime.sh ${_dir}/${AUDITSCOPE_APP_ID}.mime.xml
                 ${PROJECT_SOURCE_DIR}/tests/data)
# The committed PNGs were rendered from the SVGs as they are now (render-icons.sh).
add_test(NAME packaging.icons-rendered
         COMMAND bash -c "sha256sum --check --strict hicolor/SOURCES.sha256 || \
{ echo 'an icon SVG changed: run packaging/render-icons.sh'; exit 1; }"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/resources/icons)
set_tests_properties(packaging.desktop-file packaging.metainfo packaging.mime
                     packaging.icons-rendered PROPERTIES LABELS packaging)
