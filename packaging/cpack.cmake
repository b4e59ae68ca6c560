# SPDX-License-Identifier: Apache-2.0
# The .deb: `cpack -G DEB` in a build folder (check-package.sh builds it, lints it and installs it).
# Dependencies come from dpkg-shlibdeps. What it cannot see: Qt's platform plugins, which in
# Debian 12 are in libqt6gui6 itself (xcb, offscreen; qt6-qpa-plugins, which it recommends, has
# only vnc), and the SVG plugins, which we do not need (the window icon is PNG).

# Debian wants a changelog in every binary package: one entry per release, from the metainfo's
# newest <release> (its date; the version must be the project's).
file(READ ${CMAKE_CURRENT_SOURCE_DIR}/${AUDITSCOPE_APP_ID}.metainfo.xml _metainfo)
if(NOT _metainfo MATCHES "<release version=\"([^\"]+)\" date=\"([0-9]+)-([0-9]+)-([0-9]+)\"")
    message(FATAL_ERROR "packaging: no <release version=... date=...> in the metainfo")
endif()
if(NOT CMAKE_MATCH_1 STREQUAL PROJECT_VERSION)
    message(FATAL_ERROR "packaging: the metainfo's newest release is ${CMAKE_MATCH_1}, the "
                        "project is ${PROJECT_VERSION}: add a <release> to the metainfo")
endif()
set(_year ${CMAKE_MATCH_2})
math(EXPR _month "${CMAKE_MATCH_3}")
math(EXPR _day "${CMAKE_MATCH_4}")
# Day of the week (Zeller's congruence; 0 = Saturday) for the changelog's RFC 5322 date.
set(_m ${_month})
set(_y ${_year})
if(_m LESS 3)
    math(EXPR _m "${_m} + 12")
    math(EXPR _y "${_y} - 1")
endif()
math(EXPR _weekday "(${_day} + (13 * (${_m} + 1)) / 5 + ${_y} + ${_y} / 4 - ${_y} / 100 + ${_y} / 400) % 7")
set(_weekdays Sat Sun Mon Tue Wed Thu Fri)
list(GET _weekdays ${_weekday} _weekday)
set(_months Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec)
math(EXPR _month0 "${_month} - 1")
list(GET _months ${_month0} _monthName)
set(AUDITSCOPE_DEB_RELEASE 1)
set(AUDITSCOPE_DEB_MAINTAINER "AuditScope developers <dev@auditscope.invalid>")
set(_changelog ${CMAKE_CURRENT_BINARY_DIR}/changelog.Debian)
string(CONCAT _text
    "auditscope (${PROJECT_VERSION}-${AUDITSCOPE_DEB_RELEASE}) unstable; urgency=medium\n\n"
    "  * Release ${PROJECT_VERSION}; release notes are in\n"
    "    /usr/share/metainfo/${AUDITSCOPE_APP_ID}.metainfo.xml.\n\n"
    " -- ${AUDITSCOPE_DEB_MAINTAINER}  ${_weekday}, ${_day} ${_monthName} ${_year} 00:00:00 +0000\n")
if(EXISTS ${_changelog})
    file(READ ${_changelog} _old)
endif()
if(NOT _old STREQUAL _text) # rewritten only when it changes, so the .gz is not rebuilt each time
    file(WRITE ${_changelog} "${_text}")
endif()
add_custom_command(OUTPUT ${_changelog}.gz
    COMMAND ${AUDITSCOPE_GZIP} -9nkf ${_changelog}
    DEPENDS ${_changelog} ${CMAKE_CURRENT_SOURCE_DIR}/${AUDITSCOPE_APP_ID}.metainfo.xml VERBATIM)
add_custom_target(auditscope_deb_changelog ALL DEPENDS ${_changelog}.gz)
install(FILES ${_changelog}.gz DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/auditscope)
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/auditscope.lintian-overrides
        DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME auditscope)

# Full RELRO, as Debian links its packages (lintian: hardening-no-bindnow); only a link flag, so
# no other target is rebuilt for it.
foreach(executable auditscope auditscope-cli)
    target_link_options(${executable} PRIVATE LINKER:-z,relro,-z,now)
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME auditscope)
set(CPACK_PACKAGE_VENDOR "The AuditScope developers")
set(CPACK_PACKAGE_CONTACT "${AUDITSCOPE_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "investigation tool for Kubernetes API-server audit logs")
set(CPACK_PACKAGE_DESCRIPTION
"AuditScope opens gigabytes of Kubernetes API-server audit logs (JSON lines,
audit.k8s.io v1 and v1beta1, rotated and gzip-compressed, from several API
servers at once) and helps an incident responder find out who did what: a
filter language with completion, each event's full JSON, and audit Policy
evaluation with kube-apiserver's own rules.

The package has the desktop application (auditscope) and its headless twin
for scripts (auditscope-cli), a bundled sample investigation, and a MIME
type for audit logs.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${AUDITSCOPE_DEB_RELEASE})
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE https://github.com/auditscope/auditscope)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# For native Wayland sessions; without it Qt runs through XWayland.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS qt6-wayland)
# 0644/0755 for control files, as lintian wants.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
