// SPDX-License-Identifier: Apache-2.0
// The test class lives in a header because moc mis-reads raw string literals that contain
// an odd number of quotes, which query test data are full of.
#pragma once

#include <QObject>

class TestRuleCoverage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void derivesNeedsFromTheRulesTerms_data();
    void derivesNeedsFromTheRulesTerms();
    void judgesRulesAgainstTheKubernetesDocsPolicy_data();
    void judgesRulesAgainstTheKubernetesDocsPolicy();
    void metadataOnlyPolicyMissesEveryBodyRule();
    void namesTheStageThatIsOmittedAndByWhom();
    void noMatchingRuleAndAPolicyThatDropsEverything();
    void integrityAndDisabledRules();
    void builtinRulesHaveCoverage();
};
