# SPDX-License-Identifier: Apache-2.0
# Analysis aggregation tests: auditscope_model_test(<name>) per tst_<name>.cpp (see
# tests/model/CMakeLists.txt). tst_analysis writes its fixture log with the generator.
auditscope_model_test(analysis)
add_dependencies(tst_analysis auditgen)
auditscope_model_test(analysismodels)
