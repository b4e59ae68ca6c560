// SPDX-License-Identifier: Apache-2.0
// The test class lives in a header because moc mis-reads raw string literals that contain
// an odd number of quotes, which JSON test data is full of.
#pragma once

#include <QObject>

class TestObjectHistory : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void jsonValueKeepsOrderAndNumberText();
    void jsonValueRejectsInvalidText_data();
    void jsonValueRejectsInvalidText();
    void jsonPointers();
    void diffListsAddedRemovedChanged_data();
    void diffListsAddedRemovedChanged();
    void diffSuppressesNoiseOnRequest();
    void jsonPatchFollowsRfc6902_data();
    void jsonPatchFollowsRfc6902();
    void mergePatchFollowsRfc7386_data();
    void mergePatchFollowsRfc7386();
    void detectsPatchKinds_data();
    void detectsPatchKinds();
    void objectKeys_data();
    void objectKeys();
    void configMapHistoryShowsEachChange();
    void customResourceMergePatchIsApplied();
    void keepsNoiseWhenAsked();
    void leavesOutReadsWhenAsked();
    void falcoCreateAndDeleteAcrossFiles();
};
