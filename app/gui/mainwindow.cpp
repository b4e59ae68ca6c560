// SPDX-License-Identifier: Apache-2.0
#include "mainwindow.h"

#include "load/loadcontroller.h"
#include "loadsummaryview.h"

#include <QAction>
#include <QApplication>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QStatusBar>

namespace auditscope {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_summary(new LoadSummaryView)
    , m_progress(new QProgressBar)
    , m_status(new QLabel)
    , m_cancel(new QPushButton(tr("Cancel")))
    , m_loader(new LoadController(this))
{
    setWindowTitle(tr("AuditScope"));
    setCentralWidget(m_summary);
    setAcceptDrops(true);
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(240);
    m_progress->setVisible(false);
    m_cancel->setVisible(false);
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    createActions();

    connect(m_cancel, &QPushButton::clicked, m_loader, &LoadController::cancel);
    connect(m_loader, &LoadController::loadStarted, this, [this](const QStringList& paths) {
        m_summary->showLoading(paths);
        m_progress->setValue(0);
        m_progress->setVisible(true);
        m_cancel->setVisible(true);
        m_status->setText(tr("Opening…"));
    });
    connect(m_loader, &LoadController::progressChanged, this, &MainWindow::showProgress);
    connect(m_loader, &LoadController::partialSnapshot, this,
        [this](const EventStorePtr& store) { m_summary->showPartial(*store); });
    connect(m_loader, &LoadController::loadFinished, this, &MainWindow::finishLoad);
    resize(1100, 700);
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open…"), this, [this] {
        const QStringList files = QFileDialog::getOpenFileNames(this, tr("Open audit logs"),
            QString(), tr("Audit logs (*.log *.log.gz *.json *.jsonl *.gz);;All files (*)"));
        if (!files.isEmpty())
            openPaths(files);
    });
    open->setShortcut(QKeySequence::Open);
    file->addAction(tr("Open &Folder…"), this, [this] {
        const QString folder =
            QFileDialog::getExistingDirectory(this, tr("Open a folder of audit logs"));
        if (!folder.isEmpty())
            openPaths({folder});
    });
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence::Quit);
}

void MainWindow::openPaths(const QStringList& paths)
{
    m_loader->open(paths);
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

void MainWindow::finishLoad(const LoadResult& result)
{
    m_progress->setVisible(false);
    m_cancel->setVisible(false);
    m_summary->showResult(result);
    const QLocale locale;
    m_status->setText(
        tr("%1 events from %n source(s) in %2 s", nullptr, int(result.report.sources.size()))
            .arg(locale.toString(qulonglong(result.store->size())),
                locale.toString(result.report.seconds, 'f', 2)));
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
    if (!paths.isEmpty())
        openPaths(paths);
}

} // namespace auditscope
