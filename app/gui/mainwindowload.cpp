// SPDX-License-Identifier: Apache-2.0
// Opening, adding, reloading and closing logs: file dialogs, recent files, drops, the load's
// progress in the status bar and its report.
#include "mainwindow.h"

#include "analysisdocks.h"
#include "detailpane.h"
#include "filterbar.h"
#include "findingsdocks.h"
#include "investigation/investigation.h"
#include "investigation/loadcontroller.h"
#include "jobs/settingswriter.h"
#include "loadsummaryview.h"
#include "welcomepage.h"

#include <QAction>
#include <QCoreApplication>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QStackedWidget>

#include <algorithm>

namespace auditscope {

void MainWindow::openPaths(const QStringList& paths)
{
    rememberRecent(paths);
    m_investigation->open(paths);
    m_reloadAction->setEnabled(true);
    m_closeAction->setEnabled(true);
}

void MainWindow::addPaths(const QStringList& paths)
{
    m_investigation->add(paths);
    rememberRecent(m_investigation->paths());
    m_reloadAction->setEnabled(true);
    m_closeAction->setEnabled(true);
}

void MainWindow::reload()
{
    m_investigation->reload();
}

void MainWindow::closeInvestigation()
{
    m_investigation->close();
    m_detail->clear();
    m_summary->clear();
    m_status->clear();
    m_progress->setVisible(false);
    m_cancel->setVisible(false);
    m_pages->setCurrentWidget(m_welcome);
    m_detailDock->hide();
    m_reportDock->hide();
    m_analysisDocks->hideDocks();
    m_reloadAction->setEnabled(false);
    m_closeAction->setEnabled(false);
}

bool MainWindow::showsWelcome() const
{
    return m_pages->currentWidget() == m_welcome;
}

void MainWindow::startLoad(const QStringList& paths)
{
    if (showsWelcome()) { // the docks were hidden on the welcome page
        m_detailDock->show();
        m_analysisDocks->showDocks();
        m_findingsDocks->showBehindNeighbour();
        resizeDocks({m_detailDock, usersDock()}, {width() / 3, width() / 5}, Qt::Horizontal);
        resizeDocks({timelineDock()}, {height() / 5}, Qt::Vertical);
    }
    m_pages->setCurrentIndex(1);
    m_summary->showLoading(paths);
    m_progress->setValue(0);
    m_progress->setVisible(true);
    m_cancel->setVisible(true);
    m_status->setText(tr("Opening…"));
}

void MainWindow::showProgress(const LoadProgress& p)
{
    const QLocale locale;
    if (p.bytesTotal > 0)
        m_progress->setValue(int(1000.0 * double(p.bytesDone) / double(p.bytesTotal)));
    QString text = tr("%1 of %2 · %3 events")
                       .arg(locale.formattedDataSize(qint64(p.bytesDone)),
                           locale.formattedDataSize(qint64(p.bytesTotal)),
                           locale.toString(qulonglong(p.events)));
    if (p.badLines > 0)
        text += tr(" · %n bad line(s)", nullptr, int(p.badLines));
    if (p.etaSeconds >= 0 && p.bytesDone < p.bytesTotal)
        text += tr(" · about %1 s left").arg(locale.toString(p.etaSeconds, 'f', 1));
    m_status->setText(text);
}

void MainWindow::finishLoad(const LoadResult& result, const Summary& summary)
{
    m_progress->setVisible(false);
    m_cancel->setVisible(false);
    m_summary->showResult(result, summary);
    // The report matters when something went wrong, loaded flagged (warnings: odd events,
    // skipped Kubernetes objects, a file that shrank) or was merged (copies of events loaded
    // once); otherwise the table gets the room.
    m_reportDock->setVisible(result.report.badLines > 0 || result.report.warnings > 0
        || result.report.duplicates > 0 || result.store->size() == 0
        || std::any_of(result.report.sources.begin(), result.report.sources.end(),
            [](const SourceReport& s) { return !s.error.empty(); }));
    const QLocale locale;
    m_status->setText(
        tr("%1 events from %n source(s) in %2 s", nullptr, int(result.report.sources.size()))
            .arg(locale.toString(qulonglong(result.store->size())),
                locale.toString(result.report.seconds, 'f', 2)));
}

void MainWindow::chooseFiles()
{
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Open audit logs"), QString(),
        tr("Audit logs (*.log *.log.gz *.json *.jsonl *.gz);;All files (*)"));
    if (!files.isEmpty())
        openPaths(files);
}

void MainWindow::chooseFolder()
{
    const QString folder =
        QFileDialog::getExistingDirectory(this, tr("Open a folder of audit logs"));
    if (!folder.isEmpty())
        openPaths({folder});
}

QString MainWindow::samplePath(const QString& fileName)
{
    // Installed: <prefix>/bin/auditscope and <prefix>/share/auditscope/samples.
    const QString installed = QCoreApplication::applicationDirPath()
        + QStringLiteral("/../share/auditscope/samples/") + fileName;
    if (QFileInfo::exists(installed))
        return QFileInfo(installed).canonicalFilePath();
    return QStringLiteral(AUDITSCOPE_SAMPLE_DIR "/") + fileName; // the build tree
}

void MainWindow::rememberRecent(const QStringList& paths)
{
    const QString key = QStringLiteral("recent/paths");
    QStringList recent = m_settings->value(key).toStringList();
    for (const QString& path : paths) {
        const QString absolute = QFileInfo(path).absoluteFilePath();
        recent.removeAll(absolute);
        recent.prepend(absolute);
    }
    while (recent.size() > 12)
        recent.removeLast();
    m_settings->setValue(key, recent); // off this thread: QSettings syncs to disk
}

void MainWindow::fillRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = m_settings->value(QStringLiteral("recent/paths")).toStringList();
    for (const QString& path : recent)
        m_recentMenu->addAction(path, this, [this, path] { openPaths({path}); });
    if (recent.isEmpty())
        m_recentMenu->addAction(tr("(none yet)"))->setEnabled(false);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    QStringList paths;
    for (const QUrl& url : event->mimeData()->urls()) {
        if (url.isLocalFile())
            paths << url.toLocalFile();
    }
    if (paths.isEmpty())
        return;
    // Dropping with Ctrl or Shift adds to the open investigation; a plain drop replaces it.
    if (event->modifiers() & (Qt::ControlModifier | Qt::ShiftModifier))
        addPaths(paths);
    else
        openPaths(paths);
}

} // namespace auditscope
