// SPDX-License-Identifier: Apache-2.0
// Settings written off the GUI thread (issue 17): a write is seen at once through the writer,
// reaches QSettings in the order given, a removal wins over an earlier value, and what is still
// queued when the writer goes is written by its destructor.
#include "jobs/settingswriter.h"

#include <QCoreApplication>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace auditscope;

class TestSettingsWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // never the user's own settings
        QCoreApplication::setOrganizationName(QStringLiteral("auditscope-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_settingswriter"));
    }
    void init() { QSettings().clear(); }
    void cleanupTestCase() { QSettings().clear(); }

    void aWriteIsSeenAtOnceAndReachesTheSettings()
    {
        SettingsWriter writer;
        QSignalSpy written(&writer, &SettingsWriter::written);
        writer.setValue(QStringLiteral("a/list"), QStringList{QStringLiteral("x")});
        QVERIFY(writer.isWriting());
        QCOMPARE(writer.value(QStringLiteral("a/list")).toStringList(),
            QStringList{QStringLiteral("x")});
        QVERIFY(written.wait(10000));
        QVERIFY(!writer.isWriting());
        QCOMPARE(QSettings().value(QStringLiteral("a/list")).toStringList(),
            QStringList{QStringLiteral("x")});
        QCOMPARE(writer.value(QStringLiteral("a/list")).toStringList(),
            QStringList{QStringLiteral("x")});
        QCOMPARE(writer.value(QStringLiteral("a/other"), 7).toInt(), 7);
    }

    void writesKeepTheirOrder()
    {
        SettingsWriter writer;
        QSignalSpy written(&writer, &SettingsWriter::written);
        // The first goes to the worker at once; the others queue behind it and go as a batch.
        for (int i = 0; i < 50; ++i)
            writer.setValue(QStringLiteral("count"), i);
        writer.setValue(QStringLiteral("gone"), 1);
        writer.remove(QStringLiteral("gone"));
        QCOMPARE(writer.value(QStringLiteral("count")).toInt(), 49);
        QVERIFY(!writer.value(QStringLiteral("gone")).isValid());
        QVERIFY(written.wait(10000));
        QCOMPARE(written.count(), 1); // once, when the last batch is on disk
        QCOMPARE(QSettings().value(QStringLiteral("count")).toInt(), 49);
        QVERIFY(!QSettings().contains(QStringLiteral("gone")));
    }

    void theDestructorWritesWhatIsQueued()
    {
        {
            SettingsWriter writer;
            writer.setValue(QStringLiteral("first"), 1); // on its way
            writer.setValue(QStringLiteral("second"), 2); // queued behind it
            writer.remove(QStringLiteral("first"));
        } // no event loop ran: nothing was delivered back
        QVERIFY(!QSettings().contains(QStringLiteral("first")));
        QCOMPARE(QSettings().value(QStringLiteral("second")).toInt(), 2);
    }
};

QTEST_GUILESS_MAIN(TestSettingsWriter)
#include "tst_settingswriter.moc"
