// SPDX-License-Identifier: Apache-2.0
// The test class lives in a header because moc mis-reads raw string literals that contain
// an odd number of quotes, which query test data is full of.
#pragma once

#include <QObject>

class TestQueryHostile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void nestingUpToTheLimitParsesAndRuns_data();
    void nestingUpToTheLimitParsesAndRuns();
    void nestingPastTheLimitIsALocatedError_data();
    void nestingPastTheLimitIsALocatedError();
    void invalidUtf8IsALocatedError_data();
    void invalidUtf8IsALocatedError();
    void loneSurrogateInFilterTextIsALocatedError();
    void starInABareWordIsAWildcard();
    void policyTermsAreLocatedForACallerWithoutAPolicy();
    void hugeRelativeTimesDoNotOverflow();
};
