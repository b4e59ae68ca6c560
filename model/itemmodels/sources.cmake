# SPDX-License-Identifier: Apache-2.0
# Qt item models over the store (QtCore only), added to auditscope_model.
target_sources(auditscope_model PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/columnfilter.cpp
    ${CMAKE_CURRENT_LIST_DIR}/eventcolumns.cpp
    ${CMAKE_CURRENT_LIST_DIR}/eventtablemodel.cpp
    ${CMAKE_CURRENT_LIST_DIR}/jsontreemodel.cpp
    ${CMAKE_CURRENT_LIST_DIR}/chainmodel.cpp
    ${CMAKE_CURRENT_LIST_DIR}/objecthistorymodel.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policyruleoutlinemodel.cpp
    ${CMAKE_CURRENT_LIST_DIR}/rowsort.cpp
    ${CMAKE_CURRENT_LIST_DIR}/usersmodel.cpp
    ${CMAKE_CURRENT_LIST_DIR}/resourcesmodel.cpp
    ${CMAKE_CURRENT_LIST_DIR}/findingsmodel.cpp
    ${CMAKE_CURRENT_LIST_DIR}/detectionrulesmodel.cpp
)
