// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/policyquerycontext.h"
#include "query/findingquerycontext.h"
#include "query/query.h"
#include "store/eventstore.h"

#include <QString>
#include <QStringList>
#include <QWidget>

#include <memory>
#include <utility>

class QCompleter;
class QLabel;
class QLineEdit;
class QStandardItemModel;
class QTimer;
class QToolButton;

namespace auditscope {

class CompleterBuilder;
class QueryCompleter;
class SettingsWriter;

/// The display-filter bar: a line edit for the query language, validated by the real parser on
/// a short debounce (tinted valid / invalid / empty from the palette, the error underlined with
/// the message in a tooltip), completion of fields and values with their event counts, a history
/// of applied filters (Up/Down and a drop-down) and named saved filters, both kept in QSettings,
/// and a "shown / total events" count. Enter applies a valid filter: filterRequested().
class FilterBar final : public QWidget
{
    Q_OBJECT
    Q_PROPERTY(ValidationState validationState READ validationState NOTIFY validationStateChanged)

public:
    enum class ValidationState { Empty, Invalid, Valid };
    Q_ENUM(ValidationState)

    explicit FilterBar(QWidget* parent = nullptr);
    ~FilterBar() override;

    QString filterText() const;
    /// The state of the text as last validated (150 ms after the last keystroke, or on Enter).
    ValidationState validationState() const { return m_state; }
    /// 1-based column (characters) of the parse error, or 0.
    int errorColumn() const { return m_errorColumn; }
    /// "col 5: expected a value after ':'", or empty.
    QString errorMessage() const { return m_errorMessage; }
    /// Recent applied filters, most recent first.
    QStringList history() const { return m_history; }
    /// Saved filters as (name, expression), sorted by name.
    QList<std::pair<QString, QString>> savedFilters() const;
    /// Whether field values can be completed (the store's counts are ready).
    bool canCompleteValues() const { return m_completer != nullptr; }
    /// The completion entries for the cursor (text to insert, event count or -1), as the popup
    /// shows them. Fills the popup's model.
    QList<std::pair<QString, qint64>> updateCompletions();
    QLineEdit* lineEdit() const { return m_edit; }

public Q_SLOTS:
    /// The events the filter completes values from; counts are computed in a job first.
    void setStore(const auditscope::EventStorePtr& store);
    void setCounts(qint64 shown, qint64 total);
    /// The active policy's outcome, so that rule:, policylevel: and emitted: complete with
    /// counts (null: no active policy). Kept across setStore() (applied when it covers it).
    void setPolicyContext(const auditscope::PolicyQueryContextPtr& context);
    /// The detection rules' findings per event, so that finding: and severity validate (and
    /// complete) against them (null: none computed yet). Kept across setStore().
    void setFindingContext(const auditscope::FindingQueryContextPtr& context);
    /// Sets the text without applying it.
    void setFilterText(const QString& text);
    /// Sets the text and applies it when it is valid (or empty).
    void applyFilter(const QString& text);
    /// Sets the text and puts the cursor in the field to edit it; does not apply.
    void prepareFilter(const QString& text);
    /// applyFilter() or prepareFilter(): for DetailPane::filterRequested.
    void useFilter(const QString& text, bool apply);
    /// Clears the text and applies the empty filter (every event).
    void clear();
    void saveFilter(const QString& name, const QString& expression);
    void removeSavedFilter(const QString& name);
    void showCompletions();

Q_SIGNALS:
    /// The user applied `text` (valid or empty; empty = every event).
    void filterRequested(const QString& text);
    void validationStateChanged(auditscope::FilterBar::ValidationState state);
    /// Value completion is available for the store given to setStore().
    void completionReady();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void validate();
    /// Parses `text` (`utf8` = text.toUtf8()) and checks it as the query runner will: a policy
    /// term needs a policy that covers the store.
    ParseResult parseChecked(const QString& text, const QByteArray& utf8) const;
    /// Validates again when the text reads a policy's result, whose context just changed.
    void revalidatePolicyTerms();
    void applyCurrent();
    void updateTint();
    void markError(int start, int length);
    void addToHistory(const QString& text);
    void stepHistory(int step);
    void insertCompletion(const QModelIndex& index);
    void rebuildHistoryMenu();
    void rebuildSavedMenu();
    void askToSaveFilter();

    QLineEdit* m_edit;
    QToolButton* m_historyButton;
    QToolButton* m_savedButton;
    QLabel* m_count;
    QTimer* m_debounce;
    QCompleter* m_popup;
    QStandardItemModel* m_completions;
    ValidationState m_state = ValidationState::Empty;
    bool m_dirty = false; // the text changed since the last validation
    int m_errorColumn = 0;
    QString m_errorMessage;
    QStringList m_history;
    int m_historyPos = -1; // -1: editing a new filter
    QString m_draft; // the text before stepping into the history
    bool m_justCompleted = false; // Enter picked a completion: do not also apply
    std::size_t m_replaceOffset = 0, m_replaceLength = 0; // UTF-16, of the last completions
    std::shared_ptr<QueryCompleter> m_completer;
    PolicyQueryContextPtr m_policy;
    FindingQueryContextPtr m_findings;
    EventStorePtr m_store; // what the filter runs on (null: no log open)
    CompleterBuilder* m_builder; // counts a new store's values off the GUI thread
    SettingsWriter* m_settings; // history and saved filters, written off the GUI thread
};

} // namespace auditscope
