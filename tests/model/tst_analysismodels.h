// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>

class TestAnalysisModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void usersModelPassesTheTester();
    void usersModelRowsFollowTheAggregate();
    void resourcesModelPassesTheTester();
    void resourcesModelRowsFollowTheAggregate();
    void emptyModelsPassTheTester();
};
