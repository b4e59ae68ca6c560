// SPDX-License-Identifier: Apache-2.0
#include "findingsmodel.h"

#include "analysis/filtertext.h"
#include "common/timestamp.h"
#include "query/querytext.h"

#include <QFileInfo>
#include <QSet>
#include <QStringList>

#include <algorithm>
#include <map>

namespace auditscope {

namespace {

// internalId: 0 for group rows; group index + 1 for finding rows (their parent).
constexpr quintptr GroupRow = 0;
constexpr int MaxPrincipalsShown = 3;

QString toQString(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString timeText(std::int64_t ns)
{
    return QString::fromStdString(formatRfc3339Micros(ns));
}

// "create pods prod/web-1", "get /healthz": what a request did, when a finding says no more.
QString requestText(const EventStore& store, EventId id)
{
    const std::uint32_t row = id.value;
    const StringPools& p = store.pools;
    QString text = toQString(p.verbs.view(store.verb[row].value));
    if (const ResourceId resource = store.resource[row]) {
        text += QLatin1Char(' ') + toQString(p.resources.view(resource.value));
        if (const SubresourceId sub = store.subresource[row])
            text += QLatin1Char('/') + toQString(p.subresources.view(sub.value));
        QString object;
        if (const NamespaceId ns = store.namespaceId[row])
            object = toQString(p.namespaces.view(ns.value));
        if (const NameId name = store.name[row])
            object += (object.isEmpty() ? QString() : QStringLiteral("/"))
                + toQString(p.names.view(name.value));
        if (!object.isEmpty())
            text += QLatin1Char(' ') + object;
    }
    return text;
}

QString placeOf(const EventStore& store, EventId id, bool fullPath)
{
    const QString path = QString::fromStdString(store.sourceOf(id).path);
    return QStringLiteral("%1:%2")
        .arg(fullPath ? path : QFileInfo(path).fileName())
        .arg(store.line[id.value]);
}

} // namespace

QString findingSeverityColorName(FindingSeverity severity)
{
    switch (severity) {
    case FindingSeverity::Info:
        return QStringLiteral("#7f8c8d");
    case FindingSeverity::Low:
        return QStringLiteral("#3478c6");
    case FindingSeverity::Medium:
        return QStringLiteral("#d4a017");
    case FindingSeverity::High:
        return QStringLiteral("#e67e22");
    case FindingSeverity::Critical:
        break;
    }
    return QStringLiteral("#c0392b");
}

QString findingSeverityTitle(FindingSeverity severity)
{
    QString name = toQString(findingSeverityName(severity));
    if (!name.isEmpty())
        name[0] = name[0].toUpper();
    return name;
}

FindingsModel::FindingsModel(QObject* parent)
    : QAbstractItemModel(parent)
{ }

void FindingsModel::setResult(DetectionResultPtr result)
{
    beginResetModel();
    m_result = result && !result->cancelled && result->rules && result->store ? std::move(result)
                                                                              : nullptr;
    m_groups.clear();
    m_serious = 0;
    if (m_result) {
        const std::vector<Finding>& findings = m_result->findings;
        std::map<std::uint32_t, std::size_t> groupOfRule;
        for (std::uint32_t i = 0; i < findings.size(); ++i) {
            const Finding& f = findings[i];
            if (f.rule >= m_result->rules->rules.size())
                continue; // not from this rule set: nothing to show it under
            auto [it, added] = groupOfRule.try_emplace(f.rule, m_groups.size());
            if (added)
                m_groups.push_back(Group{f.rule, {}, {}, f.firstNs, f.lastNs});
            Group& g = m_groups[it->second];
            g.findings.push_back(i);
            g.firstNs = std::min(g.firstNs, f.firstNs);
            g.lastNs = std::max(g.lastNs, f.lastNs);
        }
        // Most severe first, then rule order; each rule's findings in time order.
        std::stable_sort(m_groups.begin(), m_groups.end(), [this](const Group& a, const Group& b) {
            const FindingSeverity sa = ruleOf(a).severity, sb = ruleOf(b).severity;
            return sa != sb ? sa > sb : a.rule < b.rule;
        });
        for (Group& g : m_groups) {
            std::stable_sort(g.findings.begin(), g.findings.end(),
                [&findings](std::uint32_t a, std::uint32_t b) {
                    return findings[a].firstNs < findings[b].firstNs;
                });
            // The principals with the most findings, then by name.
            std::map<std::string, int> counts;
            for (const std::uint32_t f : g.findings)
                if (!findings[f].principal.empty())
                    ++counts[findings[f].principal];
            std::vector<std::pair<std::string, int>> ranked(counts.begin(), counts.end());
            std::stable_sort(ranked.begin(), ranked.end(),
                [](const auto& a, const auto& b) { return a.second > b.second; });
            QStringList shown;
            for (std::size_t p = 0; p < ranked.size() && p < MaxPrincipalsShown; ++p)
                shown << QString::fromStdString(ranked[p].first);
            if (ranked.size() > MaxPrincipalsShown)
                shown << QStringLiteral("…");
            g.principals = shown.join(QStringLiteral(", "));
            if (ruleOf(g).severity >= FindingSeverity::High)
                m_serious += g.findings.size();
        }
    }
    endResetModel();
}

std::size_t FindingsModel::findingCount() const
{
    std::size_t n = 0;
    for (const Group& g : m_groups)
        n += g.findings.size();
    return n;
}

std::size_t FindingsModel::seriousCount() const
{
    return m_serious;
}

QModelIndex FindingsModel::indexOfRule(const QString& ruleId) const
{
    for (std::size_t g = 0; g < m_groups.size(); ++g)
        if (toQString(ruleOf(m_groups[g]).id) == ruleId)
            return createIndex(static_cast<int>(g), SeverityColumn, GroupRow);
    return {};
}

QModelIndex FindingsModel::indexOfEvent(EventId id) const
{
    if (!m_result)
        return {};
    for (std::size_t g = 0; g < m_groups.size(); ++g) {
        const std::vector<std::uint32_t>& members = m_groups[g].findings;
        for (std::size_t row = 0; row < members.size(); ++row) {
            const std::vector<EventId>& events = m_result->findings[members[row]].events;
            if (std::binary_search(events.begin(), events.end(), id))
                return createIndex(static_cast<int>(row), SeverityColumn, quintptr(g + 1));
        }
    }
    return {};
}

const DetectionRule& FindingsModel::ruleOf(const Group& group) const
{
    return m_result->rules->rules[group.rule];
}

QModelIndex FindingsModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, GroupRow);
    return createIndex(row, column, quintptr(parent.row()) + 1);
}

QModelIndex FindingsModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || child.internalId() == GroupRow)
        return {};
    return createIndex(static_cast<int>(child.internalId() - 1), 0, GroupRow);
}

int FindingsModel::rowCount(const QModelIndex& parent) const
{
    if (parent.column() > 0)
        return 0;
    if (!parent.isValid())
        return static_cast<int>(m_groups.size());
    if (parent.internalId() != GroupRow)
        return 0;
    return static_cast<int>(m_groups[static_cast<std::size_t>(parent.row())].findings.size());
}

int FindingsModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

QVariant FindingsModel::data(const QModelIndex& index, int role) const
{
    if (!m_result || !checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalId() == GroupRow)
        return groupData(m_groups[static_cast<std::size_t>(index.row())], index.column(), role);
    const Group& g = m_groups[index.internalId() - 1];
    return findingData(g.findings[static_cast<std::size_t>(index.row())], index.column(), role);
}

QVariant FindingsModel::severityData(FindingSeverity severity, int column, int role) const
{
    switch (role) {
    case SeverityRole:
        return int(severity);
    case SeverityColorRole:
        return column == SeverityColumn ? findingSeverityColorName(severity) : QVariant();
    case SeverityIconRole:
        return column == SeverityColumn
            ? QVariant(QStringLiteral("severity-") + toQString(findingSeverityName(severity)))
            : QVariant();
    default:
        return {};
    }
}

QVariant FindingsModel::groupData(const Group& g, int column, int role) const
{
    const DetectionRule& rule = ruleOf(g);
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case SeverityColumn:
            return findingSeverityTitle(rule.severity);
        case SummaryColumn:
            return QStringLiteral("%1 (%2)").arg(toQString(rule.title), toQString(rule.id));
        case CountColumn:
            return qulonglong(g.findings.size());
        case PrincipalColumn:
            return g.principals;
        case FirstColumn:
            return timeText(g.firstNs);
        case LastColumn:
            return timeText(g.lastNs);
        default:
            return {};
        }
    case Qt::ToolTipRole:
        return column == SummaryColumn || column == SeverityColumn ? toQString(rule.why)
                                                                   : QVariant();
    case Qt::TextAlignmentRole:
        return column == CountColumn ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case RuleIdRole:
        return toQString(rule.id);
    case RuleIndexRole:
        return int(g.rule);
    case IsGroupRole:
        return true;
    case FindingIndexRole:
        return -1;
    case FilterRole:
        return QString(QStringLiteral("finding:") + toQString(quoteQueryValue(rule.id)));
    case FirstTimeNsRole:
        return qint64(g.firstNs);
    case LastTimeNsRole:
        return qint64(g.lastNs);
    default:
        return severityData(rule.severity, column, role);
    }
}

QVariant FindingsModel::findingData(std::uint32_t index, int column, int role) const
{
    const Finding& f = m_result->findings[index];
    const DetectionRule& rule = m_result->rules->rules[f.rule];
    const EventStore& store = *m_result->store;
    const bool hasEvent = !f.events.empty() && f.events.front().value < store.size();
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case SummaryColumn:
            if (!f.detail.empty())
                return toQString(f.detail);
            return hasEvent ? requestText(store, f.events.front()) : QString();
        case CountColumn:
            return qulonglong(f.events.size());
        case PrincipalColumn:
            return toQString(f.principal);
        case FirstColumn:
            return timeText(f.firstNs);
        case LastColumn:
            return timeText(f.lastNs);
        case LocationColumn:
            return hasEvent ? placeOf(store, f.events.front(), false) : QString();
        default:
            return {};
        }
    case Qt::ToolTipRole:
        if (column == LocationColumn && hasEvent)
            return placeOf(store, f.events.front(), true);
        if (column == SummaryColumn && hasEvent)
            return requestText(store, f.events.front());
        return {};
    case Qt::TextAlignmentRole:
        return column == CountColumn ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case RuleIdRole:
        return toQString(rule.id);
    case RuleIndexRole:
        return int(f.rule);
    case IsGroupRole:
        return false;
    case EventIdRole:
        return hasEvent ? QVariant(quint32(f.events.front().value)) : QVariant();
    case FindingIndexRole:
        return int(index);
    case FilterRole:
        return findingFilter(f);
    case FirstTimeNsRole:
        return qint64(f.firstNs);
    case LastTimeNsRole:
        return qint64(f.lastNs);
    default:
        return severityData(rule.severity, column, role);
    }
}

constexpr qsizetype MaxFilterAuditIds = 500;

// The finding's requests by auditID (each request once, in event order); a finding whose events
// carry no auditID (an integrity finding over a stretch of the log) is its time span.
QString FindingsModel::findingFilter(const Finding& f) const
{
    const EventStore& store = *m_result->store;
    const QString timeSpan =
        QStringLiteral("time >= \"%1\" and time <= \"%2\"")
            .arg(toQString(formatQueryTime(f.firstNs)), toQString(formatQueryTime(f.lastNs)));
    // A burst of thousands of requests is its rule within its time span, not a query of
    // thousands of auditIDs.
    if (f.events.size() > MaxFilterAuditIds) {
        const QString rule = toQString(quoteQueryValue(m_result->rules->rules[f.rule].id));
        return QStringLiteral("finding:%1 and %2").arg(rule, timeSpan);
    }
    QStringList ids;
    QSet<std::uint32_t> seen;
    for (const EventId id : f.events) {
        if (id.value >= store.size())
            continue;
        const AuditIdId auditId = store.auditId[id.value];
        if (!auditId || seen.contains(auditId.value))
            continue;
        seen.insert(auditId.value);
        ids << toQString(quoteQueryValue(store.pools.auditIds.text(auditId.value)));
    }
    if (ids.isEmpty())
        return timeSpan;
    if (ids.size() == 1)
        return QString(QStringLiteral("auditid:") + ids.front());
    return QStringLiteral("auditid:(%1)").arg(ids.join(QStringLiteral(" or ")));
}

QVariant FindingsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case SeverityColumn:
        return QStringLiteral("Severity");
    case SummaryColumn:
        return QStringLiteral("Rule / finding");
    case CountColumn:
        return QStringLiteral("Count");
    case PrincipalColumn:
        return QStringLiteral("Principals");
    case FirstColumn:
        return QStringLiteral("First");
    case LastColumn:
        return QStringLiteral("Last");
    case LocationColumn:
        return QStringLiteral("Event");
    default:
        return {};
    }
}

} // namespace auditscope
