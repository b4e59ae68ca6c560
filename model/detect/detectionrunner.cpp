// SPDX-License-Identifier: Apache-2.0
#include "detect/detectionrunner.h"

#include "detect/detectionengine.h"
#include "detect/rulereader.h"

namespace auditscope {

DetectionRunner::DetectionRunner(QObject* parent)
    : QObject(parent)
    , m_rules(std::make_shared<const RuleSet>(builtinRules()))
{
    qRegisterMetaType<auditscope::DetectionResultPtr>();
    connect(&m_jobs, &JobRunner::jobFailed, this, &DetectionRunner::detectionFailed);
}

DetectionRunner::~DetectionRunner() = default;

void DetectionRunner::setStore(const EventStorePtr& store)
{
    m_store = store;
    if (!m_store) {
        m_jobs.cancel();
        m_last.reset();
        Q_EMIT detectionFinished(m_last);
        return;
    }
    start();
}

void DetectionRunner::setRules(const std::shared_ptr<const RuleSet>& rules)
{
    m_rules = rules;
    if (m_store)
        start();
}

void DetectionRunner::cancel()
{
    m_jobs.cancel();
}

void DetectionRunner::start()
{
    Q_EMIT detectionStarted();
    m_jobs.start(
        [store = m_store, rules = m_rules, self = QPointer<DetectionRunner>(this)](
            JobContext& context) {
            DetectionOptions options;
            options.progress = [&context, self](double share) {
                context.postProgress([self, share] {
                    if (self)
                        Q_EMIT self->detectionProgress(share);
                });
            };
            return std::make_shared<const DetectionResult>(
                detect(store, rules, context.stopToken(), options));
        },
        [this](DetectionResultPtr result) {
            if (result->cancelled)
                return;
            m_last = std::move(result);
            Q_EMIT detectionFinished(m_last);
        });
}

} // namespace auditscope
