# SPDX-License-Identifier: Apache-2.0
# Policy engine sources, added to auditscope_model (see model/CMakeLists.txt).
target_sources(auditscope_model PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/policyreader.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policyvalidation.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policyevaluator.cpp
    ${CMAKE_CURRENT_LIST_DIR}/requestattributes.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policystoreevaluation.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policylint.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policyimpact.cpp
)
