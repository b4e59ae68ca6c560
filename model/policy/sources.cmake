# SPDX-License-Identifier: Apache-2.0
# Policy engine sources, added to auditscope_model (see model/CMakeLists.txt).
target_sources(auditscope_model PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/policyreader.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policyinputchecks.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policydecoder.cpp
    ${CMAKE_CURRENT_LIST_DIR}/yamlscalar.cpp
    ${CMAKE_CURRENT_LIST_DIR}/yamlsourcepositions.cpp
    ${CMAKE_CURRENT_LIST_DIR}/yamlaliases.cpp
    ${CMAKE_CURRENT_LIST_DIR}/yamlprogressguard.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policyvalidation.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policyevaluator.cpp
    ${CMAKE_CURRENT_LIST_DIR}/requestattributes.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policystoreevaluation.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policylint.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policyimpact.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policycomparison.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policyexplain.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policyoutline.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policyeditorevaluation.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policyevaluationrunner.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policydocument.cpp
    ${CMAKE_CURRENT_LIST_DIR}/policytemplates.cpp
)
# Policy templates (resources/policies), compiled in as :/auditscope/policies/...
set(_auditscope_policy_templates
    templates.json
    kubernetes-docs-example.yaml
    gke-style.yaml
    snippets/silence-apiserver.yaml
    snippets/silence-controller-manager.yaml
    snippets/silence-scheduler.yaml
    snippets/silence-kubelets.yaml
    snippets/leases-none.yaml
    snippets/events-none.yaml
    snippets/health-endpoints-none.yaml
    snippets/sensitive-metadata.yaml
    snippets/rbac-requestresponse.yaml
    snippets/workloads-requestresponse.yaml
    snippets/admission-requestresponse.yaml
    snippets/system-masters-requestresponse.yaml
    snippets/omit-request-received.yaml
)
list(TRANSFORM _auditscope_policy_templates PREPEND "${PROJECT_SOURCE_DIR}/resources/policies/")
qt_add_resources(auditscope_model "auditscope_policy_templates"
    PREFIX "/auditscope/policies"
    BASE "${PROJECT_SOURCE_DIR}/resources/policies"
    FILES ${_auditscope_policy_templates})
