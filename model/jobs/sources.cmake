# SPDX-License-Identifier: Apache-2.0
# The one job helper every background task runs through, added to auditscope_model.
target_sources(auditscope_model PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/jobrunner.cpp
    ${CMAKE_CURRENT_LIST_DIR}/settingswriter.cpp
)
