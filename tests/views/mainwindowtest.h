// SPDX-License-Identifier: Apache-2.0
// Shared by the main-window tests.
#pragma once

#include "investigation/loadcontroller.h"
#include "mainwindow.h"

#include <QApplication>
#include <QLocale>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QString>
#include <QStyleFactory>

namespace auditscope::test {

inline const QString MicroK8sLog =
    QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/corpus/microk8s-k8s.log.gz");
inline const QString IncidentSample =
    QStringLiteral(AUDITSCOPE_SAMPLE_DIR "/incident-story.log.gz");

// What every main-window test starts from: Fusion style, C locale, settings in a test location
// and empty (no geometry, columns or filters from an earlier run).
inline void initMainWindowTest()
{
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QLocale::setDefault(QLocale::c());
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
}

// Opens `path` and waits until its load has finished; false on a timeout.
inline bool openAndWait(MainWindow& window, const QString& path)
{
    QSignalSpy finished(window.loadController(), &LoadController::loadFinished);
    window.openPaths({path});
    return finished.count() == 1 || finished.wait(20000);
}

// Applies `filter` as if typed and waits for the table to show its result.
inline bool filterAndWait(MainWindow& window, const QString& filter)
{
    QSignalSpy filtered(&window, &MainWindow::filterFinished);
    window.applyFilter(filter);
    return filtered.count() == 1 || filtered.wait(10000);
}

} // namespace auditscope::test
