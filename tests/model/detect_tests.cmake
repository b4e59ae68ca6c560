# SPDX-License-Identifier: Apache-2.0
# Detection tests: auditscope_model_test(<name>) per tst_<name>.cpp (see tests/model/CMakeLists.txt).
auditscope_model_test(rulecoverage)
auditscope_model_test(rulereader)
auditscope_model_test(detectionengine)
auditscope_model_test(detectionrules)
# tst_rulereader compares the compiled-in pack with model/detect/builtinrules.yaml.
