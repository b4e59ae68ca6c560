// SPDX-License-Identifier: Apache-2.0
#include "detectionrulesmodel.h"

#include "findingsmodel.h"
#include "query/querytext.h"

#include <QFileInfo>
#include <QStringList>

namespace auditscope {

namespace {

QString toQString(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString sourceText(const RuleOrigin& origin, bool fullPath)
{
    if (origin.file.empty())
        return QStringLiteral("built-in");
    const QString path = QString::fromStdString(origin.file);
    const QString file = fullPath ? path : QFileInfo(path).fileName();
    return origin.line > 0 ? QStringLiteral("%1:%2").arg(file).arg(origin.line) : file;
}

} // namespace

DetectionRulesModel::DetectionRulesModel(QObject* parent)
    : QAbstractTableModel(parent)
{ }

void DetectionRulesModel::setRules(std::shared_ptr<const RuleSet> rules)
{
    beginResetModel();
    m_rules = std::move(rules);
    m_findings.clear();
    m_coverage.reset();
    m_coverageOf.clear();
    endResetModel();
}

void DetectionRulesModel::setResult(const DetectionResultPtr& result)
{
    if (!m_rules)
        return;
    std::vector<std::uint64_t> counts;
    if (result && result->rules == m_rules && !result->cancelled) {
        counts.assign(m_rules->rules.size(), 0);
        for (const Finding& f : result->findings)
            if (f.rule < counts.size())
                ++counts[f.rule];
    }
    m_findings = std::move(counts);
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, FindingsColumn), index(rowCount() - 1, FindingsColumn));
}

void DetectionRulesModel::setCoverage(RuleSetCoveragePtr coverage)
{
    if (!m_rules)
        return;
    m_coverage = coverage && coverage->rules == m_rules ? std::move(coverage) : nullptr;
    m_coverageOf.assign(m_rules->rules.size(), nullptr);
    if (m_coverage)
        for (const RuleCoverage& c : m_coverage->coverage)
            if (c.rule < m_coverageOf.size())
                m_coverageOf[c.rule] = &c;
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, CoverageColumn), index(rowCount() - 1, CoverageColumn));
}

int DetectionRulesModel::uncoveredCount() const
{
    int n = 0;
    for (const RuleCoverage* c : m_coverageOf)
        n += c && !c->covered;
    return n;
}

int DetectionRulesModel::rowOf(const QString& id) const
{
    if (!m_rules)
        return -1;
    const QByteArray utf8 = id.toUtf8();
    const DetectionRule* rule = m_rules->find(std::string_view(utf8.constData(), utf8.size()));
    return rule ? static_cast<int>(rule - m_rules->rules.data()) : -1;
}

int DetectionRulesModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_rules ? 0 : static_cast<int>(m_rules->rules.size());
}

int DetectionRulesModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DetectionRulesModel::data(const QModelIndex& index, int role) const
{
    if (!m_rules
        || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto row = static_cast<std::size_t>(index.row());
    const DetectionRule& rule = m_rules->rules[row];
    const RuleCoverage* coverage = row < m_coverageOf.size() ? m_coverageOf[row] : nullptr;
    switch (role) {
    case Qt::DisplayRole:
        return displayData(row, index.column());
    case Qt::ToolTipRole:
        return toolTipData(row, index.column());
    case Qt::TextAlignmentRole:
        return index.column() == FindingsColumn ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                                : QVariant();
    case SeverityRole:
        return int(rule.severity);
    case SeverityColorRole:
        return index.column() == SeverityColumn ? findingSeverityColorName(rule.severity)
                                                : QVariant();
    case RuleIdRole:
        return toQString(rule.id);
    case EnabledRole:
        return rule.enabled;
    case CoveredRole:
        return coverage ? QVariant(coverage->covered) : QVariant();
    case FindingCountRole:
        return row < m_findings.size() ? QVariant(qulonglong(m_findings[row])) : QVariant();
    case FilterRole:
        return QString(QStringLiteral("finding:") + toQString(quoteQueryValue(rule.id)));
    default:
        return {};
    }
}

QVariant DetectionRulesModel::displayData(std::size_t row, int column) const
{
    const DetectionRule& rule = m_rules->rules[row];
    switch (column) {
    case IdColumn:
        return toQString(rule.id);
    case SeverityColumn:
        return findingSeverityTitle(rule.severity);
    case TitleColumn:
        return toQString(rule.title);
    case EnabledColumn:
        return rule.enabled ? QStringLiteral("yes") : QStringLiteral("disabled");
    case SourceColumn:
        return sourceText(rule.origin, false);
    case FindingsColumn:
        if (row >= m_findings.size())
            return {};
        return qulonglong(m_findings[row]);
    case CoverageColumn: {
        const RuleCoverage* c = row < m_coverageOf.size() ? m_coverageOf[row] : nullptr;
        if (!c)
            return m_coverage && rule.enabled ? QStringLiteral("—") : QString();
        return c->covered ? QStringLiteral("covered") : toQString(c->suggestion);
    }
    default:
        return {};
    }
}

QVariant DetectionRulesModel::toolTipData(std::size_t row, int column) const
{
    const DetectionRule& rule = m_rules->rules[row];
    switch (column) {
    case IdColumn:
    case TitleColumn: {
        QString tip = toQString(rule.why);
        QStringList refs;
        for (const std::string& r : rule.references)
            refs << toQString(r);
        if (!refs.isEmpty())
            tip += QStringLiteral("\nSee also: ") + refs.join(QStringLiteral("; "));
        QStringList mitre;
        for (const std::string& m : rule.mitre)
            mitre << toQString(m);
        if (!mitre.isEmpty())
            tip += QStringLiteral("\nMITRE ATT&CK: ") + mitre.join(QStringLiteral(", "));
        return tip;
    }
    case SourceColumn:
        return sourceText(rule.origin, true);
    case CoverageColumn: {
        const RuleCoverage* c = row < m_coverageOf.size() ? m_coverageOf[row] : nullptr;
        if (!c)
            return {};
        QString tip = QStringLiteral("Needs: ") + toQString(c->needs);
        if (!c->covered)
            tip += QLatin1Char('\n') + toQString(c->suggestion);
        return tip;
    }
    default:
        return {};
    }
}

QVariant DetectionRulesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case IdColumn:
        return QStringLiteral("Rule");
    case SeverityColumn:
        return QStringLiteral("Severity");
    case TitleColumn:
        return QStringLiteral("Title");
    case EnabledColumn:
        return QStringLiteral("Enabled");
    case SourceColumn:
        return QStringLiteral("Source");
    case FindingsColumn:
        return QStringLiteral("Findings");
    case CoverageColumn:
        return QStringLiteral("Coverage by the policy");
    default:
        return {};
    }
}

} // namespace auditscope
