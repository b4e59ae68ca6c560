# SPDX-License-Identifier: Apache-2.0
# Detection rules, the engine that runs them, coverage against a policy, and the GUI's runner.
# Globbed: this folder grew from several parallel pieces of work; every .cpp here belongs.
file(GLOB _auditscope_detect_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.cpp)
target_sources(auditscope_model PRIVATE ${_auditscope_detect_sources})
