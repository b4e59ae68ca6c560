# SPDX-License-Identifier: Apache-2.0
# Query language and filtering engine, added to auditscope_model (see model/CMakeLists.txt).
target_sources(auditscope_model PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/queryparser.cpp
    ${CMAKE_CURRENT_LIST_DIR}/queryengine.cpp
    ${CMAKE_CURRENT_LIST_DIR}/querycompleter.cpp
    ${CMAKE_CURRENT_LIST_DIR}/querytext.cpp
)
target_sources(auditscope_model PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/queryrunner.cpp
)
target_sources(auditscope_model PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/policyterms.cpp
)
target_sources(auditscope_model PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/completerbuilder.cpp
)
