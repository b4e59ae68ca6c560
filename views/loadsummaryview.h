// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "load/loader.h"
#include "report/summary.h"

#include <QWidget>

class QLabel;
class QTreeWidget;

namespace auditscope {

/// Shows what a load produced: headline counts, the counts by stage/verb/level/code, each
/// source with its events and problems, and every bad line with file:line and reason.
class LoadSummaryView final : public QWidget
{
    Q_OBJECT

public:
    explicit LoadSummaryView(QWidget* parent = nullptr);

    void showLoading(const QStringList& paths);
    /// Back to the empty prompt (nothing open).
    void clear();
    void showPartial(const EventStore& store);
    void showResult(const LoadResult& result, const Summary& summary);

    /// The headline as shown (for tests and accessibility).
    QString headline() const;
    int problemCount() const;

private:
    QLabel* m_headline;
    QLabel* m_counts;
    QTreeWidget* m_sources;
    QTreeWidget* m_problems;
};

} // namespace auditscope
