// SPDX-License-Identifier: Apache-2.0
// The test class lives in a header because moc mis-reads raw string literals that contain
// an odd number of quotes, which JSON test data is full of.
#pragma once

#include <QObject>

class TestChain : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void laneKeysJoinRotatedBackups_data();
    void laneKeysJoinRotatedBackups();
    void flagsHandWrittenChains_data();
    void flagsHandWrittenChains();
    void explainsWhyAFlagIsSet_data();
    void explainsWhyAFlagIsSet();
    void generatedServersMatchAReferenceImplementation();
    void generatedStoriesAreFlagged();
    void rotatedSplitKeepsChainsWhole();
    void omittedRequestReceivedIsExplainedAsNormal();
    void microk8sCorpusCounts();
    void microk8sWatchChainDetail();
    void audit2rbacCorpusHasNoRequestReceived();
    void queryTermsMatchTheReference();
    void queryTermsEqualBruteForceInRandomQueries();
    void queryTermsWorkOnAnUnindexedSnapshot();
    void queryTermErrors_data();
    void queryTermErrors();
    void completesChainValuesWithCounts();
    void completerDoesNotWaitForTheIntegrity();
    void integrityIsCachedPerSnapshot();
    void stopRequestGivesNoResult();

private:
    struct Generated;
    Generated* m_generated = nullptr;
};
