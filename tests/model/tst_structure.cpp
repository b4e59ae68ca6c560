// SPDX-License-Identifier: Apache-2.0
// The shape of the source tree (issue 14), checked so that it stays as it was made: model/
// folders include only their own layer or lower ones (no cycles), views/ and app/gui/ start no
// thread and no model runner or controller starts one outside the job helper, and no source
// file or function grows past what a newcomer can read.
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QStringList>
#include <QTest>

#include <map>

namespace {

const QString SourceDir = QStringLiteral(AUDITSCOPE_SOURCE_DIR);

// model/'s folders from the bottom up: a file may include from its own folder or one before it.
const QStringList ModelLayers = {
    QStringLiteral("common"),
    QStringLiteral("jobs"),
    QStringLiteral("source"),
    QStringLiteral("store"),
    QStringLiteral("load"),
    QStringLiteral("report"),
    QStringLiteral("policy"),
    QStringLiteral("chain"),
    QStringLiteral("query"),
    QStringLiteral("detect"),
    QStringLiteral("analysis"),
    QStringLiteral("itemmodels"),
    QStringLiteral("investigation"),
};

constexpr int MaxFileLines = 900;
constexpr int MaxFunctionLines = 150;

// Our C++ files below `folder` (relative to the source tree), as relative paths.
QStringList sourceFiles(const QString& folder)
{
    QStringList files;
    QDirIterator it(SourceDir + QLatin1Char('/') + folder,
        {QStringLiteral("*.cpp"), QStringLiteral("*.h")}, QDir::Files,
        QDirIterator::Subdirectories);
    while (it.hasNext())
        files << it.next().mid(SourceDir.size() + 1);
    files.sort();
    return files;
}

QStringList linesOf(const QString& relativePath)
{
    QFile file(SourceDir + QLatin1Char('/') + relativePath);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
}

QString location(const QString& path, qsizetype index)
{
    return path + QLatin1Char(':') + QString::number(index + 1);
}

// Where a line starts a thread of its own.
const QRegularExpression ThreadStart(QStringLiteral(
    R"(std::j?thread\b|std::async|QThread::create|new QThread|public QThread\b|QtConcurrent|QThreadPool)"));

} // namespace

class TestStructure : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void modelFoldersIncludeOnlyTheirOwnLayerOrLowerOnes()
    {
        const QRegularExpression include(QStringLiteral("^\\s*#include \"([a-z]+)/"));
        QStringList violations;
        for (const QString& path : sourceFiles(QStringLiteral("model"))) {
            const QString folder = path.section(QLatin1Char('/'), 1, 1);
            const qsizetype rank = ModelLayers.indexOf(folder);
            if (rank < 0) {
                violations << path + QStringLiteral(": folder ") + folder
                        + QStringLiteral(" is not in ModelLayers (add it where it belongs)");
                continue;
            }
            const QStringList lines = linesOf(path);
            for (qsizetype i = 0; i < lines.size(); ++i) {
                const QRegularExpressionMatch m = include.match(lines[i]);
                if (m.hasMatch() && ModelLayers.indexOf(m.captured(1)) < 0)
                    violations << location(path, i) + QStringLiteral(": includes from ")
                            + m.captured(1) + QStringLiteral("/, which is not in ModelLayers");
                else if (m.hasMatch() && ModelLayers.indexOf(m.captured(1)) > rank)
                    violations << location(path, i) + QStringLiteral(": ") + folder
                            + QStringLiteral("/ includes the higher layer ") + m.captured(1)
                            + QLatin1Char('/');
            }
        }
        QVERIFY2(violations.isEmpty(), qPrintable(violations.join(QLatin1Char('\n'))));
    }

    void theWidgetsStartNoThread()
    {
        QStringList violations;
        for (const QString& folder : {QStringLiteral("views"), QStringLiteral("app/gui")})
            for (const QString& path : sourceFiles(folder)) {
                const QStringList lines = linesOf(path);
                for (qsizetype i = 0; i < lines.size(); ++i)
                    if (ThreadStart.match(lines[i]).hasMatch())
                        violations << location(path, i) + QStringLiteral(": ") + lines[i].trimmed();
            }
        QVERIFY2(violations.isEmpty(), qPrintable(violations.join(QLatin1Char('\n'))));
    }

    void modelRunnersStartThreadsOnlyThroughTheJobHelper()
    {
        QStringList violations;
        int runners = 0;
        for (const QString& path : sourceFiles(QStringLiteral("model"))) {
            const QString name = path.section(QLatin1Char('/'), -1);
            if (path.startsWith(QStringLiteral("model/jobs/"))
                || !(name.contains(QStringLiteral("runner"))
                    || name.contains(QStringLiteral("controller"))
                    || name.contains(QStringLiteral("investigation"))
                    || name.contains(QStringLiteral("completerbuilder"))))
                continue;
            ++runners;
            const QStringList lines = linesOf(path);
            for (qsizetype i = 0; i < lines.size(); ++i)
                if (ThreadStart.match(lines[i]).hasMatch())
                    violations << location(path, i) + QStringLiteral(": ") + lines[i].trimmed();
        }
        QVERIFY(
            runners >= 10); // the check looked at the runners (query, analysis, policy, load, …)
        QVERIFY2(violations.isEmpty(), qPrintable(violations.join(QLatin1Char('\n'))));
    }

    // The window builds widgets and connects them; state lives in the investigation (model/).
    void theMainWindowStaysWiring()
    {
        const QRegularExpression member(
            QStringLiteral("^    [A-Za-z][^(]* m_[A-Za-z]+( = [^;]*|\\{[^;]*\\})?;"));
        const QRegularExpression name(QStringLiteral("\\bm_[A-Za-z]+\\b"));
        QStringList members; // `bool m_a = false, m_b = false;` declares two
        for (const QString& line : linesOf(QStringLiteral("app/gui/mainwindow.h")))
            if (member.match(line).hasMatch()) {
                const QString code = line.section(QStringLiteral("//"), 0, 0);
                for (auto it = name.globalMatch(code); it.hasNext();)
                    members << it.next().captured();
            }
        QVERIFY(members.size() >= 10); // the pattern still finds them
        QVERIFY2(members.size() <= 25, qPrintable(members.join(QLatin1Char('\n'))));
    }

    void noSourceFileIsOverNineHundredLines()
    {
        QStringList violations;
        for (const QString& folder :
            {QStringLiteral("model"), QStringLiteral("views"), QStringLiteral("app")})
            for (const QString& path : sourceFiles(folder)) {
                const qsizetype lines = linesOf(path).size() - 1; // after the last newline
                if (lines > MaxFileLines)
                    violations << path + QStringLiteral(": ") + QString::number(lines)
                            + QStringLiteral(" lines");
            }
        QVERIFY2(violations.isEmpty(), qPrintable(violations.join(QLatin1Char('\n'))));
    }

    // clang-format puts a function's braces on lines of their own ("{" and "}" at the same
    // indentation); a class or struct ends with "};" and is not counted.
    void noFunctionIsOverOneHundredFiftyLines()
    {
        const QRegularExpression open(QStringLiteral(R"(^( *)\{$)"));
        const QRegularExpression close(QStringLiteral(R"(^( *)\}(;?))"));
        QStringList violations;
        for (const QString& folder :
            {QStringLiteral("model"), QStringLiteral("views"), QStringLiteral("app")})
            for (const QString& path : sourceFiles(folder)) {
                const QStringList lines = linesOf(path);
                std::map<qsizetype, qsizetype> openAt; // indentation -> line of its "{"
                for (qsizetype i = 0; i < lines.size(); ++i) {
                    if (const auto m = open.match(lines[i]); m.hasMatch()) {
                        openAt[m.capturedLength(1)] = i;
                        continue;
                    }
                    const auto m = close.match(lines[i]);
                    const auto start =
                        m.hasMatch() ? openAt.find(m.capturedLength(1)) : openAt.end();
                    if (start == openAt.end())
                        continue;
                    const qsizetype body = i - start->second - 1;
                    const bool function =
                        m.captured(2).isEmpty() && lines[i].trimmed() == QStringLiteral("}");
                    if (function && body > MaxFunctionLines)
                        violations << location(path, start->second) + QStringLiteral(": ")
                                + QString::number(body) + QStringLiteral(" lines");
                    openAt.erase(start);
                }
            }
        QVERIFY2(violations.isEmpty(), qPrintable(violations.join(QLatin1Char('\n'))));
    }
};

QTEST_GUILESS_MAIN(TestStructure)
#include "tst_structure.moc"
