// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QMainWindow>

class QLabel;
class QProgressBar;
class QPushButton;

namespace auditscope {

class LoadController;
class LoadSummaryView;
struct LoadProgress;
struct LoadResult;

/// The AuditScope window (for now: open logs and show the load summary; the event table,
/// filter bar and analysis views are issues #5 and #6).
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    LoadSummaryView* summaryView() const { return m_summary; }
    LoadController* loadController() const { return m_loader; }

public Q_SLOTS:
    void openPaths(const QStringList& paths);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createActions();
    void showProgress(const LoadProgress& progress);
    void finishLoad(const LoadResult& result);

    LoadSummaryView* m_summary;
    QProgressBar* m_progress;
    QLabel* m_status;
    QPushButton* m_cancel;
    LoadController* m_loader;
};

} // namespace auditscope
