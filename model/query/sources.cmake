# SPDX-License-Identifier: Apache-2.0
# Query language and filtering engine, added to auditscope_model (see model/CMakeLists.txt).
# The language: parser, field resolution, value validation, field tables, printer, globs.
target_sources(auditscope_model PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/queryparser.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fieldresolver.cpp
    ${CMAKE_CURRENT_LIST_DIR}/queryvalidation.cpp
    ${CMAKE_CURRENT_LIST_DIR}/queryfieldnames.cpp
    ${CMAKE_CURRENT_LIST_DIR}/queryprinter.cpp
    ${CMAKE_CURRENT_LIST_DIR}/globmatch.cpp
    ${CMAKE_CURRENT_LIST_DIR}/cidr.cpp
    ${CMAKE_CURRENT_LIST_DIR}/querytext.cpp
)
# The engine: entry points, planner, term preparation, and the ways to a term's rows.
target_sources(auditscope_model PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/queryengine.cpp
    ${CMAKE_CURRENT_LIST_DIR}/queryevaluator.cpp
    ${CMAKE_CURRENT_LIST_DIR}/querybruteforce.cpp
    ${CMAKE_CURRENT_LIST_DIR}/preparedterm.cpp
    ${CMAKE_CURRENT_LIST_DIR}/rowbitmap.cpp
    ${CMAKE_CURRENT_LIST_DIR}/rowsetops.cpp
    ${CMAKE_CURRENT_LIST_DIR}/timerange.cpp
    ${CMAKE_CURRENT_LIST_DIR}/postingscan.cpp
    ${CMAKE_CURRENT_LIST_DIR}/columnscan.cpp
    ${CMAKE_CURRENT_LIST_DIR}/bytesearch.cpp
    ${CMAKE_CURRENT_LIST_DIR}/rawmatcher.cpp
    ${CMAKE_CURRENT_LIST_DIR}/rawscan.cpp
    ${CMAKE_CURRENT_LIST_DIR}/rowmatcher.cpp
)
# Completion.
target_sources(auditscope_model PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/querycompleter.cpp
    ${CMAKE_CURRENT_LIST_DIR}/fieldvaluecounts.cpp
)
target_sources(auditscope_model PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/queryrunner.cpp
)
target_sources(auditscope_model PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/policyterms.cpp
    ${CMAKE_CURRENT_LIST_DIR}/findingterms.cpp
)
target_sources(auditscope_model PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/completerbuilder.cpp
)
