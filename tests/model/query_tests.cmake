# SPDX-License-Identifier: Apache-2.0
# Query engine tests: auditscope_model_test(<name>) per tst_<name>.cpp (see tests/model/CMakeLists.txt).
auditscope_model_test(query)
auditscope_model_test(querypolicy)
auditscope_model_test(queryfindings)
auditscope_model_test(queryhostile)
auditscope_model_test(querybodies)
