# SPDX-License-Identifier: Apache-2.0
# auditID chains and object histories: auditscope_model_test(<name>) per tst_<name>.cpp (see
# tests/model/CMakeLists.txt). tst_chain runs the log generator (tests/bench) to write logs of
# several API servers.
auditscope_model_test(chain)
add_dependencies(tst_chain auditgen)
auditscope_model_test(objecthistory)
auditscope_model_test(chainmodels)
auditscope_model_test(deepjson)
