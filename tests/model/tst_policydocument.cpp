// SPDX-License-Identifier: Apache-2.0
// An open policy file (issue 8): open, modified state, save / save as, autosave of unsaved
// edits and recovery after a crash, in QStandardPaths' test locations.
#include "policy/policydocument.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace auditscope;

namespace {

bool writeText(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

QByteArray readBytes(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestPolicyDocument : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();
    void opensAndTracksModification();
    void refusesWhatItCannotOpen();
    void refusesDirectoriesAndEndlessDevices();
    void savesAndSavesAs();
    void untitledNeedsSaveAs();
    void autosavesOnlyUnsavedEdits();
    void recoversAfterACrash();
    void autosaveOnATimer();
    void recoveryIgnoresForeignFiles();

private:
    QTemporaryDir m_dir;
};

void TestPolicyDocument::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setApplicationName(QStringLiteral("auditscope-tst-policydocument"));
    QVERIFY(m_dir.isValid());
    QVERIFY(PolicyDocument::autosaveDirectory().contains(QStringLiteral(".qttest")));
}

void TestPolicyDocument::init()
{
    QDir(PolicyDocument::autosaveDirectory()).removeRecursively();
}

void TestPolicyDocument::cleanupTestCase()
{
    QDir(PolicyDocument::autosaveDirectory()).removeRecursively();
}

void TestPolicyDocument::opensAndTracksModification()
{
    const QString path = m_dir.filePath(QStringLiteral("a.yaml"));
    QVERIFY(writeText(path, "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n"));
    PolicyDocument doc;
    QSignalSpy modified(&doc, &PolicyDocument::modifiedChanged);
    QSignalSpy pathChanged(&doc, &PolicyDocument::pathChanged);
    QVERIFY(doc.isUntitled());
    QCOMPARE(doc.displayName(), QStringLiteral("Untitled policy"));
    QString error;
    QVERIFY2(doc.open(path, &error), qPrintable(error));
    QCOMPARE(doc.path(), QFileInfo(path).absoluteFilePath());
    QCOMPARE(doc.displayName(), QStringLiteral("a.yaml"));
    QCOMPARE(pathChanged.count(), 1);
    QVERIFY(!doc.isModified());
    const QString original = doc.text();
    doc.setText(original + QStringLiteral("- level: Metadata\n"));
    QVERIFY(doc.isModified());
    QCOMPARE(modified.count(), 1);
    QCOMPARE(modified.at(0).at(0).toBool(), true);
    // Editing back to the saved text is not a modification.
    doc.setText(original);
    QVERIFY(!doc.isModified());
    QCOMPARE(modified.count(), 2);
    QCOMPARE(modified.at(1).at(0).toBool(), false);
}

void TestPolicyDocument::refusesWhatItCannotOpen()
{
    PolicyDocument doc;
    doc.setText(QStringLiteral("kept"));
    QString error;
    QVERIFY(!doc.open(m_dir.filePath(QStringLiteral("missing.yaml")), &error));
    QVERIFY(error.contains(QStringLiteral("missing.yaml")));
    const QString big = m_dir.filePath(QStringLiteral("big.yaml"));
    QVERIFY(writeText(big, QByteArray(int(PolicyDocument::MaxBytes) + 1, 'x')));
    QVERIFY(!doc.open(big, &error));
    QCOMPARE(doc.text(), QStringLiteral("kept")); // nothing changed
    QVERIFY(doc.isUntitled());
}

void TestPolicyDocument::refusesDirectoriesAndEndlessDevices()
{
    PolicyDocument doc;
    doc.setText(QStringLiteral("kept"));
    QString error;
    QVERIFY(!doc.open(m_dir.path(), &error));
    QVERIFY2(error.contains(QStringLiteral("is a directory")), qPrintable(error));
    QElapsedTimer timer;
    timer.start();
    QVERIFY(!doc.open(QStringLiteral("/dev/zero"), &error)); // never ends: reading must stop
    QVERIFY(timer.elapsed() < 1000);
    QVERIFY2(error.contains(QStringLiteral("not a regular file")), qPrintable(error));
    QCOMPARE(doc.text(), QStringLiteral("kept"));
}

void TestPolicyDocument::savesAndSavesAs()
{
    const QString path = m_dir.filePath(QStringLiteral("b.yaml"));
    QVERIFY(writeText(path, "rules: []\n"));
    PolicyDocument doc;
    QVERIFY(doc.open(path));
    QSignalSpy saved(&doc, &PolicyDocument::saved);
    doc.setText(QStringLiteral("rules:\n- level: Metadata # é\n"));
    QVERIFY(doc.save());
    QVERIFY(!doc.isModified());
    QCOMPARE(readBytes(path), QStringLiteral("rules:\n- level: Metadata # é\n").toUtf8());
    QCOMPARE(saved.count(), 1);
    const QString other = m_dir.filePath(QStringLiteral("sub/c.yaml"));
    QVERIFY(!doc.saveAs(other)); // the folder does not exist: fails, nothing changes
    QCOMPARE(doc.path(), QFileInfo(path).absoluteFilePath());
    QVERIFY(QDir(m_dir.path()).mkdir(QStringLiteral("sub")));
    doc.setText(QStringLiteral("rules: []\n"));
    QVERIFY(doc.saveAs(other));
    QCOMPARE(doc.path(), QFileInfo(other).absoluteFilePath());
    QCOMPARE(readBytes(other), QByteArray("rules: []\n"));
    QCOMPARE(readBytes(path), QStringLiteral("rules:\n- level: Metadata # é\n").toUtf8());
    QVERIFY(!doc.isModified());
}

void TestPolicyDocument::untitledNeedsSaveAs()
{
    PolicyDocument doc;
    doc.newDocument(QStringLiteral("rules: []\n"));
    QVERIFY(doc.isModified()); // text that was never saved
    QString error;
    QVERIFY(!doc.save(&error));
    QVERIFY(error.contains(QStringLiteral("Save As")));
    doc.newDocument();
    QVERIFY(!doc.isModified());
}

void TestPolicyDocument::autosavesOnlyUnsavedEdits()
{
    const QString path = m_dir.filePath(QStringLiteral("d.yaml"));
    QVERIFY(writeText(path, "rules: []\n"));
    PolicyDocument doc;
    QVERIFY(doc.open(path));
    QSignalSpy autosaved(&doc, &PolicyDocument::autosaved);
    QVERIFY(doc.autosave()); // nothing to save
    QVERIFY(!doc.hasAutosave());
    QCOMPARE(autosaved.count(), 0);
    doc.setText(QStringLiteral("rules:\n- level: None\n"));
    QVERIFY(doc.autosave());
    QVERIFY(doc.hasAutosave());
    QCOMPARE(autosaved.count(), 1);
    QVERIFY(doc.autosavePath().startsWith(PolicyDocument::autosaveDirectory()));
    QCOMPARE(readBytes(path), QByteArray("rules: []\n")); // the file itself is untouched
    // The document's own autosave is not offered for recovery while it is open.
    QVERIFY(PolicyDocument::recoverableAutosaves().isEmpty());
    // A successful save discards the autosave.
    QVERIFY(doc.save());
    QVERIFY(!doc.hasAutosave());
    // Autosaving after reverting to the saved text removes a stale autosave.
    doc.setText(QStringLiteral("x"));
    QVERIFY(doc.autosave());
    QVERIFY(doc.hasAutosave());
    doc.setText(QStringLiteral("rules:\n- level: None\n"));
    QVERIFY(doc.autosave());
    QVERIFY(!doc.hasAutosave());
    // discardAutosave() (closing without saving) removes it too.
    doc.setText(QStringLiteral("y"));
    QVERIFY(doc.autosave());
    doc.discardAutosave();
    QVERIFY(!doc.hasAutosave());
}

void TestPolicyDocument::recoversAfterACrash()
{
    const QString path = m_dir.filePath(QStringLiteral("e.yaml"));
    QVERIFY(writeText(path, "rules: []\n"));
    const QString edited = QStringLiteral("rules:\n- level: RequestResponse\n");
    QString autosavePath;
    {
        // The editing session ends without saving or discarding (the process "crashes").
        auto doc = std::make_unique<PolicyDocument>();
        QVERIFY(doc->open(path));
        doc->setText(edited);
        QVERIFY(doc->autosave());
        autosavePath = doc->autosavePath();
        auto untitled = std::make_unique<PolicyDocument>();
        untitled->setText(QStringLiteral("rules: [untitled]\n"));
        QTest::qWait(5); // distinct autosave times
        QVERIFY(untitled->autosave());
    }
    const QList<PolicyAutosave> found = PolicyDocument::recoverableAutosaves();
    QCOMPARE(found.size(), 2);
    // Newest first: the untitled one.
    QVERIFY(found[0].originalPath.isEmpty());
    QCOMPARE(found[1].originalPath, QFileInfo(path).absoluteFilePath());
    QCOMPARE(found[1].autosavePath, autosavePath);
    QVERIFY(found[0].savedAt >= found[1].savedAt);
    QVERIFY(qAbs(found[1].savedAt.secsTo(QDateTime::currentDateTimeUtc())) < 60);
    QCOMPARE(found[1].pid, QCoreApplication::applicationPid());
    QVERIFY(!found[1].ownerRunning); // written by this process, whose document is gone
    QCOMPARE(PolicyDocument::autosaveText(found[1]), edited);

    // Restore: the edits come back, modified, attached to the original file.
    PolicyDocument doc;
    QVERIFY(doc.restore(found[1]));
    QCOMPARE(doc.text(), edited);
    QCOMPARE(doc.path(), QFileInfo(path).absoluteFilePath());
    QVERIFY(doc.isModified());
    QCOMPARE(doc.autosavePath(), autosavePath);
    QCOMPARE(PolicyDocument::recoverableAutosaves().size(), 1); // now this document's
    // Saving writes the file and discards the recovered autosave.
    QVERIFY(doc.save());
    QCOMPARE(readBytes(path), edited.toUtf8());
    QVERIFY(!QFile::exists(autosavePath));
    // Declining the other one deletes it.
    QVERIFY(PolicyDocument::discardAutosave(found[0]));
    QVERIFY(PolicyDocument::recoverableAutosaves().isEmpty());
}

void TestPolicyDocument::autosaveOnATimer()
{
    PolicyDocument doc;
    QSignalSpy autosaved(&doc, &PolicyDocument::autosaved);
    doc.setAutosaveInterval(50);
    QCOMPARE(doc.autosaveInterval(), 50);
    QTest::qWait(120);
    QCOMPARE(autosaved.count(), 0); // nothing unsaved
    doc.setText(QStringLiteral("rules: []\n"));
    QTRY_VERIFY(autosaved.count() >= 1);
    QVERIFY(doc.hasAutosave());
    doc.setAutosaveInterval(0);
    doc.discardAutosave();
}

void TestPolicyDocument::recoveryIgnoresForeignFiles()
{
    QVERIFY(QDir().mkpath(PolicyDocument::autosaveDirectory()));
    QVERIFY(writeText(PolicyDocument::autosaveDirectory() + QStringLiteral("/policy-x.json"),
        "{\"not\": \"ours\"}"));
    QVERIFY(writeText(
        PolicyDocument::autosaveDirectory() + QStringLiteral("/policy-y.json"), "garbage"));
    QVERIFY(writeText(PolicyDocument::autosaveDirectory() + QStringLiteral("/notes.txt"), "x"));
    QVERIFY(PolicyDocument::recoverableAutosaves().isEmpty());
    PolicyDocument doc;
    PolicyAutosave bogus;
    bogus.autosavePath = PolicyDocument::autosaveDirectory() + QStringLiteral("/policy-y.json");
    QString error;
    QVERIFY(!doc.restore(bogus, &error));
    QVERIFY(!error.isEmpty());
}

QTEST_GUILESS_MAIN(TestPolicyDocument)
#include "tst_policydocument.moc"
