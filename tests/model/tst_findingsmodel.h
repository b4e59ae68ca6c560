// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>

class TestFindingsModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void passesTheTesterAcrossResults();
    void groupsRulesMostSevereFirstWithTheirFindingsInTimeOrder();
    void aGroupSumsUpItsFindings();
    void aFindingShowsItsRequestAndWhereItWasRead();
    void filtersSelectTheRuleAndTheFindingsRequests();
    void findsTheRowsOfARuleAndOfAnEvent();
    void aCancelledOrForeignResultShowsNothing();
    void rulesModelListsEveryRuleWithCountsAndCoverage();
    void rulesModelIgnoresCoverageOfOtherRules();
};
