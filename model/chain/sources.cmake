# SPDX-License-Identifier: Apache-2.0
# auditID chains and object histories, added to auditscope_model (see model/CMakeLists.txt).
target_sources(auditscope_model PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/jsonvalue.cpp
    ${CMAKE_CURRENT_LIST_DIR}/jsondiff.cpp
    ${CMAKE_CURRENT_LIST_DIR}/eventdetail.cpp
    ${CMAKE_CURRENT_LIST_DIR}/chainanalysis.cpp
    ${CMAKE_CURRENT_LIST_DIR}/chainintegrity.cpp
    ${CMAKE_CURRENT_LIST_DIR}/chain.cpp
    ${CMAKE_CURRENT_LIST_DIR}/objecthistory.cpp
    ${CMAKE_CURRENT_LIST_DIR}/objectkey.cpp
    ${CMAKE_CURRENT_LIST_DIR}/chainjson.cpp
)
