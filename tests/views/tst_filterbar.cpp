// SPDX-License-Identifier: Apache-2.0
#include "filterbar.h"
#include "load/loader.h"
#include "query/queryengine.h"
#include "query/queryrunner.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QCompleter>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStyleFactory>
#include <QToolButton>
#include <QtTest>

#include <optional>

using namespace auditscope;

namespace {

EventStorePtr loadCorpus()
{
    return loadAuditLogs({AUDITSCOPE_TEST_DATA_DIR "/corpus/microk8s-k8s.log.gz"}).store;
}

RowSet rowsOf(const EventStore& store, const QString& text)
{
    const QByteArray utf8 = text.toUtf8();
    const ParseResult parsed = parseQuery(std::string_view(utf8.constData(), utf8.size()));
    return parsed.ok() ? runQuery(store, *parsed.query).rows : RowSet{};
}

QColor baseOf(const FilterBar& bar)
{
    return bar.lineEdit()->palette().color(QPalette::Base);
}

QToolButton* buttonNamed(const FilterBar& bar, const QString& text)
{
    const QList<QToolButton*> buttons = bar.findChildren<QToolButton*>();
    for (QToolButton* button : buttons)
        if (button->text() == text)
            return button;
    return nullptr;
}

QAction* actionNamed(QMenu* menu, const QString& text)
{
    Q_EMIT menu->aboutToShow(); // menus are filled when they open
    const QList<QAction*> actions = menu->actions();
    for (QAction* action : actions)
        if (action->text() == text)
            return action;
    return nullptr;
}

} // namespace

class TestFilterBar : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QLocale::setDefault(QLocale::c());
        QStandardPaths::setTestModeEnabled(true); // settings go to a test location
        QSettings().clear();
        m_store = loadCorpus();
        QCOMPARE(m_store->size(), std::size_t(2971));
    }

    void init() { QSettings().clear(); }

    void tintsByValidityAfterADebounce()
    {
        FilterBar bar;
        bar.show();
        const QColor plain = baseOf(bar);
        QCOMPARE(bar.validationState(), FilterBar::ValidationState::Empty);
        QSignalSpy changed(&bar, &FilterBar::validationStateChanged);

        bar.setFilterText(QStringLiteral("verb:get and ns:kube-system"));
        QCOMPARE(bar.validationState(), FilterBar::ValidationState::Empty); // not yet: debounced
        QTRY_COMPARE(bar.validationState(), FilterBar::ValidationState::Valid);
        QCOMPARE(changed.count(), 1);
        QVERIFY(baseOf(bar).green() > baseOf(bar).red());
        QVERIFY(bar.lineEdit()->toolTip().isEmpty());

        bar.setFilterText(QStringLiteral("verb:get and"));
        QTRY_COMPARE(bar.validationState(), FilterBar::ValidationState::Invalid);
        QVERIFY(baseOf(bar).red() > baseOf(bar).green());

        bar.setFilterText(QString());
        QCOMPARE(bar.validationState(), FilterBar::ValidationState::Empty); // at once
        QCOMPARE(baseOf(bar), plain);
        QCOMPARE(bar.property("validationState").value<FilterBar::ValidationState>(),
            FilterBar::ValidationState::Empty);
    }

    void namesTheErrorColumnInATooltip_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("column");
        QTest::newRow("missing value") << QStringLiteral("verb:") << 6;
        QTest::newRow("unknown field") << QStringLiteral("verb:get usr:bob") << 10;
        QTest::newRow("after non-ASCII") << QStringLiteral("\"é\" code:abc") << 10;
    }

    void namesTheErrorColumnInATooltip()
    {
        QFETCH(QString, text);
        QFETCH(int, column);
        FilterBar bar;
        bar.setFilterText(text);
        QTRY_COMPARE(bar.validationState(), FilterBar::ValidationState::Invalid);
        const QByteArray utf8 = text.toUtf8();
        const ParseResult parsed = parseQuery(std::string_view(utf8.constData(), utf8.size()));
        QVERIFY(!parsed.ok());
        QCOMPARE(int(parsed.error.column), column);
        QCOMPARE(bar.errorColumn(), column);
        QCOMPARE(bar.lineEdit()->toolTip(), bar.errorMessage());
        const QString shots = qEnvironmentVariable("AUDITSCOPE_SCREENSHOT_DIR");
        if (!shots.isEmpty()) {
            bar.resize(700, bar.sizeHint().height());
            bar.show();
            bar.grab().save(shots + QStringLiteral("/filterbar-invalid-%1.png").arg(column));
        }
        QVERIFY2(bar.errorMessage().startsWith(QStringLiteral("col %1: ").arg(column)),
            qPrintable(bar.errorMessage()));
        QVERIFY(bar.errorMessage().contains(QString::fromStdString(parsed.error.message)));
    }

    void policyTermWithoutAPolicyIsInvalid()
    {
        FilterBar bar;
        bar.setStore(m_store);
        QSignalSpy requested(&bar, &FilterBar::filterRequested);
        bar.applyFilter(QStringLiteral("verb:get rule:3")); // once green, then matching nothing
        QCOMPARE(requested.count(), 0);
        QCOMPARE(bar.validationState(), FilterBar::ValidationState::Invalid);
        QCOMPARE(bar.errorColumn(), 10);
        QVERIFY2(bar.errorMessage().contains(QStringLiteral("no active policy")),
            qPrintable(bar.errorMessage()));
        QCOMPARE(bar.lineEdit()->toolTip(), bar.errorMessage());
        // A policy evaluated on these events makes the same text valid, without typing.
        auto result = std::make_shared<PolicyStoreResult>();
        result->events.resize(m_store->size());
        auto context = std::make_shared<PolicyQueryContext>();
        context->store = m_store;
        context->result = result;
        bar.setPolicyContext(context);
        QCOMPARE(bar.validationState(), FilterBar::ValidationState::Valid);
        bar.setPolicyContext(nullptr); // the policy closed
        QCOMPARE(bar.validationState(), FilterBar::ValidationState::Invalid);
    }

    void loneSurrogateIsInvalidAtItsColumn()
    {
        FilterBar bar;
        QString text = QStringLiteral("verb:get ");
        text.append(QChar(0xDC00)); // pasted half of a pair: toUtf8() would make it '?'
        bar.setFilterText(text);
        QTRY_COMPARE(bar.validationState(), FilterBar::ValidationState::Invalid);
        QCOMPARE(bar.errorColumn(), 10);
        QVERIFY2(bar.errorMessage().contains(QStringLiteral("surrogate")),
            qPrintable(bar.errorMessage()));
    }

    void enterAppliesOnlyAValidFilter()
    {
        FilterBar bar;
        bar.show();
        QSignalSpy requested(&bar, &FilterBar::filterRequested);
        QTest::keyClicks(bar.lineEdit(), QStringLiteral("verb:get"));
        QTest::keyClick(bar.lineEdit(), Qt::Key_Return);
        QCOMPARE(requested.count(), 1);
        QCOMPARE(requested.takeFirst().at(0).toString(), QStringLiteral("verb:get"));

        QTest::keyClicks(bar.lineEdit(), QStringLiteral(" and"));
        QTest::keyClick(bar.lineEdit(), Qt::Key_Return); // validated now, not after the debounce
        QCOMPARE(requested.count(), 0);
        QCOMPARE(bar.validationState(), FilterBar::ValidationState::Invalid);

        bar.clear(); // the empty filter shows every event
        QCOMPARE(requested.count(), 1);
        QCOMPARE(requested.takeFirst().at(0).toString(), QString());
    }

    void historyIsKeptAcrossRunsAndWalkedWithUpDown()
    {
        {
            FilterBar bar;
            bar.applyFilter(QStringLiteral("verb:get"));
            bar.applyFilter(QStringLiteral("verb:list"));
            bar.applyFilter(QStringLiteral("verb:get")); // moves to the top, no duplicate
            bar.applyFilter(QStringLiteral("verb:")); // invalid: not applied, not kept
        }
        FilterBar bar;
        bar.show();
        QCOMPARE(
            bar.history(), (QStringList{QStringLiteral("verb:get"), QStringLiteral("verb:list")}));
        bar.setFilterText(QStringLiteral("draft"));
        QTest::keyClick(bar.lineEdit(), Qt::Key_Up);
        QCOMPARE(bar.filterText(), QStringLiteral("verb:get"));
        QTest::keyClick(bar.lineEdit(), Qt::Key_Up);
        QCOMPARE(bar.filterText(), QStringLiteral("verb:list"));
        QTest::keyClick(bar.lineEdit(), Qt::Key_Up); // the oldest stays
        QCOMPARE(bar.filterText(), QStringLiteral("verb:list"));
        QTest::keyClick(bar.lineEdit(), Qt::Key_Down);
        QTest::keyClick(bar.lineEdit(), Qt::Key_Down);
        QCOMPARE(bar.filterText(), QStringLiteral("draft"));

        // The drop-down applies a recent filter.
        QToolButton* recent = buttonNamed(bar, QStringLiteral("Recent"));
        QVERIFY(recent);
        QSignalSpy requested(&bar, &FilterBar::filterRequested);
        QAction* entry = actionNamed(recent->menu(), QStringLiteral("verb:list"));
        QVERIFY(entry);
        entry->trigger();
        QCOMPARE(requested.count(), 1);
        QCOMPARE(requested.at(0).at(0).toString(), QStringLiteral("verb:list"));
        QCOMPARE(bar.history().first(), QStringLiteral("verb:list"));
    }

    void completesFieldsAndValuesWithCounts()
    {
        FilterBar bar;
        bar.show();
        QSignalSpy ready(&bar, &FilterBar::completionReady);
        bar.setStore(m_store);
        QTRY_VERIFY(ready.count() >= 1 && bar.canCompleteValues());

        bar.setFilterText(QStringLiteral("ve"));
        QList<std::pair<QString, qint64>> items = bar.updateCompletions();
        QVERIFY(items.contains(std::pair(QStringLiteral("verb:"), qint64(-1))));

        bar.setFilterText(QStringLiteral("ns:default verb:"));
        items = bar.updateCompletions();
        QVERIFY(items.size() >= 2);
        qint64 previous = std::numeric_limits<qint64>::max();
        for (const auto& [value, count] : items) {
            // Each count is the number of events with that verb, most frequent first.
            QCOMPARE(count, qint64(rowsOf(*m_store, QStringLiteral("verb:") + value).size()));
            QVERIFY(count > 0 && count <= previous);
            previous = count;
        }

        // Picking a value replaces the word at the cursor only.
        bar.setFilterText(QStringLiteral("ns:default verb:g"));
        bar.showCompletions();
        auto* completer = bar.findChild<QCompleter*>();
        QVERIFY(completer);
        QTRY_VERIFY(completer->popup()->isVisible());
        const QModelIndex first = completer->completionModel()->index(0, 0);
        QCOMPARE(first.data().toString(), QStringLiteral("get"));
        QVERIFY(completer->completionModel()->index(0, 1).data().toString().toLongLong() > 0);
        Q_EMIT completer->activated(first);
        QCOMPARE(bar.filterText(), QStringLiteral("ns:default verb:get "));
    }

    void savesNamedFilters()
    {
        {
            FilterBar bar;
            bar.saveFilter(QStringLiteral("Deletes"), QStringLiteral("verb:delete"));
            bar.saveFilter(QStringLiteral("Anonymous"), QStringLiteral("user:system:anonymous"));
        }
        FilterBar bar;
        QCOMPARE(bar.savedFilters(),
            (QList<std::pair<QString, QString>>{
                {QStringLiteral("Anonymous"), QStringLiteral("user:system:anonymous")},
                {QStringLiteral("Deletes"), QStringLiteral("verb:delete")}}));
        QToolButton* saved = buttonNamed(bar, QStringLiteral("Saved"));
        QVERIFY(saved);
        QSignalSpy requested(&bar, &FilterBar::filterRequested);
        QAction* deletes = actionNamed(saved->menu(), QStringLiteral("Deletes"));
        QVERIFY(deletes);
        deletes->trigger();
        QCOMPARE(requested.count(), 1);
        QCOMPARE(requested.at(0).at(0).toString(), QStringLiteral("verb:delete"));
        QCOMPARE(bar.filterText(), QStringLiteral("verb:delete"));

        bar.removeSavedFilter(QStringLiteral("Deletes"));
        QCOMPARE(bar.savedFilters().size(), 1);
    }

    void showsShownOfTotal()
    {
        FilterBar bar;
        bar.setCounts(12, 2971);
        const QList<QLabel*> labels = bar.findChildren<QLabel*>();
        QVERIFY(std::any_of(labels.begin(), labels.end(),
            [](QLabel* l) { return l->text() == QStringLiteral("12 / 2971 events"); }));
    }

    void runnerReportsOnTheGuiThreadAfterRunningElsewhere()
    {
        QueryRunner runner;
        QSignalSpy finished(&runner, &QueryRunner::queryFinished);
        QSignalSpy invalid(&runner, &QueryRunner::queryInvalid);
        runner.run(m_store, QStringLiteral("\"kube-system\""));
        QCOMPARE(finished.count(), 0); // nothing ran on this thread
        QVERIFY(runner.isRunning());
        QTRY_COMPARE(finished.count(), 1);
        QVERIFY(!runner.isRunning());
        const auto rows = finished.at(0).at(1).value<std::optional<RowSet>>();
        QVERIFY(rows.has_value());
        QCOMPARE(*rows, rowsOf(*m_store, QStringLiteral("\"kube-system\"")));
        QVERIFY(!rows->empty());
        QCOMPARE(finished.at(0).at(2).toString(), QStringLiteral("\"kube-system\""));
        QCOMPARE(invalid.count(), 0);
    }

    void runnerDropsSupersededResults()
    {
        QueryRunner runner;
        QSignalSpy finished(&runner, &QueryRunner::queryFinished);
        runner.run(m_store, QStringLiteral("\"system\""));
        runner.run(m_store, QStringLiteral("verb:get"));
        runner.run(m_store, QStringLiteral("verb:list"));
        QTRY_COMPARE(finished.count(), 1);
        QTest::qWait(200); // nothing from the older runs arrives later
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(2).toString(), QStringLiteral("verb:list"));
        QCOMPARE(finished.at(0).at(1).value<std::optional<RowSet>>().value(),
            rowsOf(*m_store, QStringLiteral("verb:list")));

        runner.run(m_store, QStringLiteral("\"system\""));
        runner.cancel();
        QTest::qWait(200);
        QCOMPARE(finished.count(), 1);
    }

    void runnerReportsParseErrorsAtOnceAndBlankAsEverything()
    {
        QueryRunner runner;
        QSignalSpy finished(&runner, &QueryRunner::queryFinished);
        QSignalSpy invalid(&runner, &QueryRunner::queryInvalid);
        runner.run(m_store, QStringLiteral("verb:"));
        QCOMPARE(invalid.count(), 1);
        QCOMPARE(invalid.at(0).at(0).toInt(), 6);
        QCOMPARE(invalid.at(0).at(2).toInt(), 5);
        QVERIFY(!invalid.at(0).at(1).toString().isEmpty());
        runner.run(m_store, QStringLiteral("  "));
        QCOMPARE(finished.count(), 1); // at once: nothing to run
        QVERIFY(!finished.at(0).at(1).value<std::optional<RowSet>>().has_value());
    }

private:
    EventStorePtr m_store;
};

QTEST_MAIN(TestFilterBar)
#include "tst_filterbar.moc"
