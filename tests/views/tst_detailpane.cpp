// SPDX-License-Identifier: Apache-2.0
#include "detailpane.h"
#include "itemmodels/jsontreemodel.h"
#include "jsonhighlighter.h"
#include "load/loader.h"
#include "query/queryengine.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QStyleFactory>
#include <QTextBlock>
#include <QTextDocument>
#include <QTreeView>
#include <QtTest>

#include <algorithm>

using namespace auditscope;

namespace {

std::optional<RowSet> rowsOf(const EventStore& store, const QString& text)
{
    const QByteArray utf8 = text.toUtf8();
    const ParseResult parsed = parseQuery(std::string_view(utf8.constData(), utf8.size()));
    if (!parsed.ok())
        return std::nullopt;
    return runQuery(store, *parsed.query).rows;
}

bool contains(const RowSet& rows, EventId id)
{
    return std::binary_search(rows.begin(), rows.end(), id);
}

QModelIndex nodeAt(const QAbstractItemModel& model, const QString& path)
{
    const QModelIndexList found = model.match(
        model.index(0, 0), JsonTreeModel::PathRole, path, 1, Qt::MatchExactly | Qt::MatchRecursive);
    return found.isEmpty() ? QModelIndex() : found.first();
}

void collect(const QAbstractItemModel& model, const QModelIndex& parent, QModelIndexList& out)
{
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, 0, parent);
        out.append(index);
        collect(model, index, out);
    }
}

QAction* actionNamed(const QWidget* widget, const QString& text)
{
    const QList<QAction*> actions = widget->actions();
    for (QAction* action : actions)
        if (action->text() == text)
            return action;
    return nullptr;
}

} // namespace

class TestDetailPane : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QLocale::setDefault(QLocale::c());
        m_store = loadAuditLogs({AUDITSCOPE_TEST_DATA_DIR "/corpus/microk8s-k8s.log.gz"}).store;
        QCOMPARE(m_store->size(), std::size_t(2971));
        // Falco's fixtures have request and response bodies: deep paths, arrays, numbers,
        // booleans and nulls to filter on.
        const QDir falco(QStringLiteral(AUDITSCOPE_TEST_DATA_DIR "/corpus/falco"));
        std::vector<std::string> paths;
        const QStringList files = falco.entryList({QStringLiteral("*.json")}, QDir::Files);
        for (const QString& file : files)
            paths.push_back(QFile::encodeName(falco.filePath(file)).toStdString());
        m_falco = loadAuditLogs(paths).store;
        QVERIFY(m_falco->size() > 40);
        const std::optional<RowSet> privileged = rowsOf(*m_falco,
            QStringLiteral("requestObject.spec.containers.securityContext.privileged:true"));
        QVERIFY(privileged && !privileged->empty());
        m_rich = privileged->front();
    }

    void showsTheEventTreeTextAndSource()
    {
        DetailPane pane;
        pane.show();
        const EventId id{7};
        pane.setEvent(m_store, id);
        QCOMPARE(pane.event(), id);
        QCOMPARE(pane.headerText(),
            QStringLiteral("microk8s-k8s.log.gz:%1").arg(m_store->line[id.value]));
        const JsonTreeModel& model = *pane.model();
        QVERIFY(model.rowCount() > 5);
        const QModelIndex verb = nodeAt(model, QStringLiteral("verb"));
        QVERIFY(verb.isValid());
        const std::string_view raw = m_store->rawJson(id);
        QVERIFY(QString::fromUtf8(raw.data(), qsizetype(raw.size()))
                    .contains(QStringLiteral("\"verb\":\"%1\"")
                                  .arg(verb.sibling(verb.row(), 1).data().toString())));
        const QModelIndex user = nodeAt(model, QStringLiteral("user"));
        QVERIFY(user.isValid() && pane.treeView()->isExpanded(user)); // top level opened
        QCOMPARE(pane.textView()->toPlainText(), model.prettyText());

        pane.setEvent(nullptr, EventId{});
        QCOMPARE(pane.model()->rowCount(), 0);
        QVERIFY(pane.headerText().isEmpty());
    }

    void showsAHundredThousandDeepEventAsText()
    {
        // A body nested far past MaxJsonDepth: the tree refuses it, the text shows it as logged.
        const std::string deep = std::string(100000, '[') + std::string(100000, ']');
        const std::string line = "{\"kind\":\"Event\",\"auditID\":\"deep\",\"verb\":\"get\","
                                 "\"requestReceivedTimestamp\":\"2025-03-14T09:00:00Z\","
                                 "\"requestObject\":"
            + deep + "}";
        const EventStorePtr store = loadAuditBuffers({{"deep.log", line + "\n"}}).store;
        QCOMPARE(store->size(), std::size_t(1));
        DetailPane pane;
        pane.show();
        pane.setEvent(store, EventId{0});
        QCOMPARE(pane.model()->rowCount(), 0);
        QVERIFY(pane.model()->error().contains(QStringLiteral("nested deeper than")));
        QVERIFY(pane.textView()->toPlainText().contains(QString::fromStdString(deep)));
    }

    void headerListsThePlacesOfAnEventsCopies()
    {
        // The same event in two overlapping logs (and once more in the first): loaded once, and
        // the pane says where else it was read.
        const std::string line = R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":)"
                                 R"("Metadata","auditID":"a1","stage":"ResponseComplete",)"
                                 R"("verb":"get","requestReceivedTimestamp":)"
                                 R"("2025-03-14T09:00:00.000001Z","stageTimestamp":)"
                                 R"("2025-03-14T09:00:00.000002Z"})";
        const EventStorePtr store = loadAuditBuffers(
            {{"/logs/node1/audit.log", line + "\n" + line},
                {"/backup/audit.log",
                    "\n" + line}}).store;
        QCOMPARE(store->size(), std::size_t(1));
        DetailPane pane;
        pane.setEvent(store, EventId{0});
        QCOMPARE(
            pane.headerText(), QStringLiteral("audit.log:1 · Also in: audit.log:2, audit.log:2"));
        const QList<QLabel*> labels = pane.findChildren<QLabel*>();
        const auto header = std::find_if(labels.begin(), labels.end(),
            [&](const QLabel* label) { return label->text() == pane.headerText(); });
        QVERIFY(header != labels.end());
        QVERIFY2((*header)->toolTip().contains(
                     QStringLiteral("/logs/node1/audit.log:2, /backup/audit.log:2")),
            qPrintable((*header)->toolTip()));
    }

    void selectingANodeMarksItsRangeInTheText()
    {
        DetailPane pane;
        pane.resize(600, 500);
        pane.show();
        pane.setEvent(m_falco, m_rich);
        const QModelIndex node = nodeAt(*pane.model(), QStringLiteral("objectRef.resource"));
        QVERIFY(node.isValid());
        pane.treeView()->setCurrentIndex(node);
        const int start = node.data(JsonTreeModel::RangeStartRole).toInt();
        const int end = node.data(JsonTreeModel::RangeEndRole).toInt();
        QCOMPARE(pane.markedRange(), std::pair(start, end));
        const QTextCursor cursor = pane.textView()->textCursor();
        QCOMPARE(cursor.selectionStart(), start);
        QCOMPARE(cursor.selectionEnd(), end);
        QCOMPARE(cursor.selectedText(),
            QLatin1Char('"') + node.data(JsonTreeModel::ValueRole).toString() + QLatin1Char('"'));
        QCOMPARE(pane.textView()->extraSelections().size(), 1);
        const QString shots = qEnvironmentVariable("AUDITSCOPE_SCREENSHOT_DIR");
        if (!shots.isEmpty())
            pane.grab().save(shots + QStringLiteral("/detailpane.png"));

        // A node far down the text is scrolled into view.
        QModelIndexList all;
        collect(*pane.model(), {}, all);
        const QModelIndex last = all.last();
        pane.treeView()->setCurrentIndex(last);
        const QRect shown = pane.textView()->viewport()->rect();
        QVERIFY(shown.intersects(pane.textView()->cursorRect()));

        // The same field is selected again in the next event.
        pane.treeView()->setCurrentIndex(node);
        pane.setEvent(m_falco, EventId{m_rich.value + 1});
        QCOMPARE(pane.treeView()->currentIndex().data(JsonTreeModel::PathRole).toString(),
            QStringLiteral("objectRef.resource"));
    }

    void filterActionsEmitExpressionsThatSelectTheEvent()
    {
        DetailPane pane;
        pane.show();
        pane.setEvent(m_falco, m_rich);
        QSignalSpy requested(&pane, &DetailPane::filterRequested);
        const QModelIndex verb = nodeAt(*pane.model(), QStringLiteral("verb"));
        pane.treeView()->setCurrentIndex(verb);
        const QString value = verb.data(JsonTreeModel::ValueRole).toString();

        actionNamed(pane.treeView(), QStringLiteral("Apply as Filter"))->trigger();
        actionNamed(pane.treeView(), QStringLiteral("Prepare as Filter"))->trigger();
        actionNamed(pane.treeView(), QStringLiteral("Exclude"))->trigger();
        QCOMPARE(requested.count(), 3);
        QCOMPARE(requested.at(0).at(0).toString(), QStringLiteral("verb:") + value);
        QCOMPARE(requested.at(0).at(1).toBool(), true);
        QCOMPARE(requested.at(1).at(0).toString(), QStringLiteral("verb:") + value);
        QCOMPARE(requested.at(1).at(1).toBool(), false);
        QCOMPARE(requested.at(2).at(0).toString(), QStringLiteral("-verb:") + value);
        QCOMPARE(requested.at(2).at(1).toBool(), true);
    }

    void everyNodeFiltersToItsEvent_data()
    {
        QTest::addColumn<bool>("falco");
        QTest::addColumn<quint32>("event");
        QTest::newRow("microk8s first") << false << quint32(0);
        QTest::newRow("microk8s middle") << false << quint32(1500);
        for (quint32 i = 0; i < m_falco->size(); ++i)
            QTest::addRow("falco %u", i) << true << i;
    }

    void everyNodeFiltersToItsEvent()
    {
        // Apply keeps the event and Exclude drops it, for every node of the tree, and every
        // expression parses.
        QFETCH(bool, falco);
        QFETCH(quint32, event);
        const EventId id{event};
        const EventStorePtr& store = falco ? m_falco : m_store;
        DetailPane pane;
        pane.setEvent(store, id);
        QModelIndexList nodes;
        collect(*pane.model(), {}, nodes);
        QVERIFY(nodes.size() > 10);
        QStringList failures;
        for (const QModelIndex& node : std::as_const(nodes)) {
            const QString apply = DetailPane::filterExpression(node, false);
            const QString exclude = DetailPane::filterExpression(node, true);
            QVERIFY(!apply.isEmpty());
            const std::optional<RowSet> applied = rowsOf(*store, apply);
            const std::optional<RowSet> excluded = rowsOf(*store, exclude);
            if (!applied || !excluded)
                failures << QStringLiteral("does not parse: ") + apply;
            else if (!contains(*applied, id))
                failures << QStringLiteral("apply misses the event: ") + apply;
            else if (contains(*excluded, id))
                failures << QStringLiteral("exclude keeps the event: ") + exclude;
        }
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1Char('\n'))));
    }

    void quotesValuesThatNeedIt()
    {
        // Paths with dots in a key and values with spaces or quotes round-trip through the parser.
        DetailPane pane;
        pane.setEvent(m_falco, m_rich);
        QModelIndexList nodes;
        collect(*pane.model(), {}, nodes);
        int quoted = 0;
        for (const QModelIndex& node : std::as_const(nodes)) {
            const QString value = node.data(JsonTreeModel::ValueRole).toString();
            if (node.data(JsonTreeModel::IsScalarRole).toBool()
                && (value.contains(QLatin1Char(' ')) || value.isEmpty())) {
                ++quoted;
                QVERIFY(DetailPane::filterExpression(node, false).endsWith(QLatin1Char('"')));
            }
        }
        const QModelIndex container = nodeAt(*pane.model(), QStringLiteral("objectRef"));
        QCOMPARE(DetailPane::filterExpression(container, false), QStringLiteral("objectRef:*"));
        Q_UNUSED(quoted);
    }

    void copiesValuePathAndEvent()
    {
        DetailPane pane;
        pane.setEvent(m_falco, m_rich);
        const QModelIndex node = nodeAt(*pane.model(), QStringLiteral("objectRef.resource"));
        pane.treeView()->setCurrentIndex(node);
        pane.copyValue();
        QCOMPARE(
            QGuiApplication::clipboard()->text(), node.data(JsonTreeModel::ValueRole).toString());
        pane.copyPath();
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("objectRef.resource"));
        pane.copyEvent();
        const std::string_view raw = m_falco->rawJson(m_rich);
        QCOMPARE(QGuiApplication::clipboard()->text(),
            QString::fromUtf8(raw.data(), qsizetype(raw.size())));
        QVERIFY(!QGuiApplication::clipboard()->text().contains(QLatin1Char('\n')));
    }

    void highlightsWithPaletteColours()
    {
        QTextDocument document;
        document.setPlainText(QStringLiteral("{\"key\": \"text\", \"n\": -1.5e3, \"t\": true}"));
        JsonHighlighter highlighter(&document);
        QPalette dark;
        dark.setColor(QPalette::Text, QColor(235, 235, 235));
        dark.setColor(QPalette::Base, QColor(30, 30, 30));
        highlighter.setPalette(dark);
        const QList<QTextLayout::FormatRange> formats = document.firstBlock().layout()->formats();
        auto colourAt = [&](int position) {
            for (const QTextLayout::FormatRange& range : formats)
                if (position >= range.start && position < range.start + range.length)
                    return range.format.foreground().color();
            return QColor();
        };
        const QColor key = colourAt(1), string = colourAt(9), number = colourAt(23),
                     literal = colourAt(36);
        QVERIFY(key.isValid() && string.isValid() && number.isValid() && literal.isValid());
        QCOMPARE(QSet<QRgb>({key.rgb(), string.rgb(), number.rgb(), literal.rgb()}).size(), 4);
        for (const QColor& c : {key, string, number, literal})
            QVERIFY2(c.lightness() > 128, qPrintable(c.name())); // readable on a dark base
        QVERIFY(!colourAt(6).isValid()); // the ':' after a key is plain
    }

private:
    EventStorePtr m_store;
    EventStorePtr m_falco;
    EventId m_rich;
};

QTEST_MAIN(TestDetailPane)
#include "tst_detailpane.moc"
