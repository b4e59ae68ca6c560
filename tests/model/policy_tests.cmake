# SPDX-License-Identifier: Apache-2.0
# Policy engine tests: auditscope_model_test(<name>) per tst_<name>.cpp (see tests/model/CMakeLists.txt).
auditscope_model_test(policyreader)
auditscope_model_test(policyvalidation)
auditscope_model_test(policyevaluator)
auditscope_model_test(policylint)
auditscope_model_test(policyimpact)
auditscope_model_test(policyexplain)
auditscope_model_test(policyoutline)
auditscope_model_test(policyevaluationrunner)
auditscope_model_test(policydocument)
auditscope_model_test(policytemplates)
