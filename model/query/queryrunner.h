// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "jobs/jobrunner.h"
#include "policy/policyquerycontext.h"
#include "query/queryengine.h"
#include "store/eventstore.h"
#include "store/rowset.h"

#include <QObject>
#include <QString>

#include <optional>
#include <stop_token>

namespace auditscope {

/// Runs a filter for the GUI: parses on the calling thread (microseconds), runs runQuery() as a
/// job and reports back on the thread the runner lives on. A new run supersedes the one before
/// (stopped, its result dropped). Lives on the GUI thread.
class QueryRunner final : public QObject
{
    Q_OBJECT

public:
    explicit QueryRunner(QObject* parent = nullptr);
    ~QueryRunner() override;

    bool isRunning() const { return m_jobs.isRunning(); }

public Q_SLOTS:
    /// Parses `text`; on an error emits queryInvalid() at once (nothing runs and the running
    /// query goes on). Blank text finishes at once with `rows` = nullopt (every event).
    void run(const auditscope::EventStorePtr& store, const QString& text);
    /// Stops the running query; its result is dropped.
    void cancel();
    /// The active policy's outcome per event, read by rule:, policylevel: and emitted: (null:
    /// no active policy; those terms are then reported invalid). Used from the next run() on.
    void setPolicyContext(const auditscope::PolicyQueryContextPtr& context);
    /// The detection rules' findings per event, read by finding: and severity (null: none
    /// computed yet; those terms are then reported invalid). Used from the next run() on.
    void setFindingContext(const auditscope::FindingQueryContextPtr& context);

Q_SIGNALS:
    void queryStarted(const QString& text);
    /// `column` is 1-based, in characters; `offset` is the same place in UTF-16 code units of
    /// the text (for QLineEdit); `message` is the engine's (developer English).
    void queryInvalid(int column, const QString& message, int offset);
    /// `rows` is nullopt when the filter is blank (show every event in time order), else the
    /// matching events, ascending. A null store gives an empty row set.
    void queryFinished(const auditscope::EventStorePtr& store,
        const std::optional<auditscope::RowSet>& rows, const QString& text, qint64 elapsedMs);
    /// The query ended with an error instead of a result (e.g. out of memory).
    void queryFailed(const QString& message);

private:
    PolicyQueryContextPtr m_policy;
    FindingQueryContextPtr m_findings;
    JobRunner m_jobs; // last member: its jobs are joined before anything else goes
};

/// Parses filter text typed or pasted in the GUI; `utf8` is text.toUtf8(). A QString cannot
/// hold invalid UTF-8, but it can hold a lone surrogate, which toUtf8() would silently replace:
/// that is an error at its column, as invalid UTF-8 is for parseQuery().
ParseResult parseFilterText(const QString& text, const QByteArray& utf8);

/// Runs a parsed query as the GUI does: first computes what its terms read (the store's chain
/// flags, once per snapshot). Call on a worker thread.
QueryResult runPreparedQuery(const EventStorePtr& store, const Query& query, std::stop_token stop,
    const QueryOptions& options = {});

/// A filter run from its text on a worker thread (see runFilter()).
struct FilterOutcome
{
    std::optional<RowSet> rows; ///< nullopt = every event (a blank filter)
    QString error; ///< "col N: message" when the text does not parse; rows are then empty
    bool cancelled = false;
};
/// Parses, checks and runs `text`. Call on a worker thread.
FilterOutcome runFilter(const EventStorePtr& store, const QString& text, std::stop_token stop,
    const QueryOptions& options = {});

} // namespace auditscope
