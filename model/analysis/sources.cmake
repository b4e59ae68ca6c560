# SPDX-License-Identifier: Apache-2.0
# Aggregations for the linked analysis views (timeline, users, resources) and their filter
# text, added to auditscope_model (see model/CMakeLists.txt).
target_sources(auditscope_model PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/classification.cpp
    ${CMAKE_CURRENT_LIST_DIR}/timeline.cpp
    ${CMAKE_CURRENT_LIST_DIR}/usersaggregate.cpp
    ${CMAKE_CURRENT_LIST_DIR}/resourceindex.cpp
    ${CMAKE_CURRENT_LIST_DIR}/resourcesaggregate.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fieldaggregate.cpp
    ${CMAKE_CURRENT_LIST_DIR}/filtertext.cpp
)
# The worker that computes them for the GUI (a QObject: moc).
target_sources(auditscope_model PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/analysisrunner.cpp
)
