// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "jobs/jobrunner.h"
#include "query/querycompleter.h"
#include "store/eventstore.h"

#include <QObject>

#include <memory>

namespace auditscope {

/// Builds a QueryCompleter for a snapshot as a job (counting every field's values takes tens of
/// ms at 10 M events) and hands it to the runner's thread, which then uses it alone. For a
/// whole (indexed) snapshot the job then computes the chain integrity, for chain: counts. A
/// newer snapshot supersedes the build in progress. Lives on the GUI thread.
class CompleterBuilder final : public QObject
{
    Q_OBJECT

public:
    explicit CompleterBuilder(QObject* parent = nullptr);
    ~CompleterBuilder() override;

    /// Starts building for `store` (null: an empty store, so that fields still complete).
    void build(const EventStorePtr& store);

Q_SIGNALS:
    void completerReady(const std::shared_ptr<auditscope::QueryCompleter>& completer);

private:
    JobRunner m_jobs; // last member: its jobs are joined before anything else goes
};

} // namespace auditscope
