// SPDX-License-Identifier: Apache-2.0
// Filters on bodies and bare words take shortcuts (the event flags, a byte prefilter): they must
// give the reference evaluator's rows, whatever the events look like. In a header because moc
// mis-reads raw string literals with an odd number of quotes.
#pragma once

#include <QObject>

class TestQueryBodies : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void containsBytesAgreesWithFind();
    void containsBytesReadsNothingPastTheEnd();
    void oddlyWrittenMembersStillMatch_data();
    void oddlyWrittenMembersStillMatch();
    void bodyTermsReadOnlyEventsThatMayHaveTheMember();
    void shortcutsEqualBruteForceOnGeneratedBodies();
};
