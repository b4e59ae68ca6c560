// SPDX-License-Identifier: Apache-2.0
#include "tst_rulereader.h"

#include "detect/rulereader.h"

#include <QTest>

using namespace auditscope;

void TestRuleReader::builtInPackReadsWithoutDiagnostics()
{
    const RuleSet& rules = builtinRules();
    std::string problems;
    for (const RuleDiagnostic& d : rules.diagnostics)
        problems += d.toString() + "\n";
    QVERIFY2(rules.diagnostics.empty(), problems.c_str());
    QVERIFY(rules.rules.size() >= 35);
}

QTEST_GUILESS_MAIN(TestRuleReader)
