// SPDX-License-Identifier: Apache-2.0
// The main window on the bundled sample with a filter applied, compared with a reference image
// with a tolerance (font hinting and timing text may differ by a few pixels; a broken layout,
// an empty table or lost colours may not).
//
// To accept a deliberate change of the window's look, rerun with
// AUDITSCOPE_UPDATE_SCREENSHOTS=1, look at the new image, and commit it.
#include "analysistreeview.h"
#include "detailpane.h"
#include "eventtableview.h"
#include "itemmodels/eventtablemodel.h"
#include "mainwindowtest.h"
#include "timelineview.h"
#include "timelinewidget.h"

#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QHeaderView>
#include <QPainter>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSettings>
#include <QStandardPaths>
#include <QStyleFactory>
#include <QTreeView>
#include <QtTest>

using namespace auditscope;
using namespace auditscope::test;

namespace {

struct Difference
{
    qint64 differing = 0; ///< pixels whose channels differ by more than the threshold
    qint64 total = 0;
    QImage map; ///< differing pixels in red over a faded copy of the reference
};

Difference compare(const QImage& reference, const QImage& actual, int threshold)
{
    Difference result;
    const QImage a = reference.convertToFormat(QImage::Format_RGB32);
    const QImage b = actual.convertToFormat(QImage::Format_RGB32);
    result.total = qint64(a.width()) * a.height();
    result.map = a;
    auto close = [threshold](QRgb p, QRgb q) {
        return std::max({std::abs(qRed(p) - qRed(q)), std::abs(qGreen(p) - qGreen(q)),
                   std::abs(qBlue(p) - qBlue(q))})
            <= threshold;
    };
    for (int y = 0; y < a.height(); ++y) {
        const auto* ra = reinterpret_cast<const QRgb*>(a.constScanLine(y));
        auto* out = reinterpret_cast<QRgb*>(result.map.scanLine(y));
        for (int x = 0; x < a.width(); ++x) {
            // A pixel matches if the other image has a close one at most one pixel away: a
            // dock one pixel wider moves text, not meaning.
            bool matched = false;
            for (int dy = -1; dy <= 1 && !matched; ++dy)
                for (int dx = -1; dx <= 1 && !matched; ++dx) {
                    const int bx = x + dx, by = y + dy;
                    if (bx >= 0 && by >= 0 && bx < b.width() && by < b.height())
                        matched = close(ra[x], b.pixel(bx, by));
                }
            if (!matched) {
                ++result.differing;
                out[x] = qRgb(255, 0, 0);
            } else {
                const int grey = 200 + qGray(ra[x]) / 5;
                out[x] = qRgb(grey, grey, grey);
            }
        }
    }
    return result;
}

// Compares `actual` with screenshots/NAME.png (or writes it, with AUDITSCOPE_UPDATE_SCREENSHOTS).
void compareWithReference(const QImage& actual, const QString& name)
{
    const QString referencePath =
        QStringLiteral(AUDITSCOPE_SCREENSHOT_REFERENCE_DIR "/") + name + QStringLiteral(".png");
    if (qEnvironmentVariableIsSet("AUDITSCOPE_UPDATE_SCREENSHOTS")) {
        QVERIFY(actual.save(referencePath, "PNG", 0));
        QSKIP("reference image written; look at it before committing");
    }
    const QImage reference(referencePath);
    QVERIFY2(!reference.isNull(), qPrintable(referencePath + QStringLiteral(" is missing")));
    QCOMPARE(actual.size(), reference.size());
    const Difference difference = compare(reference, actual, 48);
    const double share = double(difference.differing) / double(difference.total);
    // 1 % of a half-size window is about 2,200 pixels: room for a changed timing figure in the
    // status bar and hinting, not for a missing table, pane or colour.
    if (share > 0.01) {
        const QString dir = QDir::tempPath();
        actual.save(dir + QLatin1Char('/') + name + QStringLiteral("-actual.png"));
        difference.map.save(dir + QLatin1Char('/') + name + QStringLiteral("-diff.png"));
        QFAIL(
            qPrintable(QStringLiteral("%1 of %2 pixels differ (%3 %); see %4/%5-{actual,diff}.png")
                           .arg(difference.differing)
                           .arg(difference.total)
                           .arg(100 * share, 0, 'f', 2)
                           .arg(dir, name)));
    }
    qInfo("%s: %lld of %lld pixels differ (%.3f %%)", qPrintable(name), difference.differing,
        difference.total, 100 * share);
}

// Half size: a quarter of the bytes in git, and less sensitive to hinting, still sensitive to
// layout, colour and content.
QImage halfSize(const QImage& image)
{
    return image.scaled(image.size() / 2, Qt::IgnoreAspectRatio, Qt::SmoothTransformation)
        .convertToFormat(QImage::Format_RGB888);
}

} // namespace

class TestScreenshot : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // Everything that decides the pixels is pinned: style, palette, fonts (fonts-dejavu-core
        // is installed by packaging/install-build-deps.sh), window size.
        QStyle* fusion = QStyleFactory::create(QStringLiteral("Fusion"));
        QApplication::setStyle(fusion);
        QApplication::setPalette(fusion->standardPalette());
        QApplication::setFont(QFont(QStringLiteral("DejaVu Sans"), 9));
        QLocale::setDefault(QLocale::c());
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void mainWindowOnTheSampleWithAFilter()
    {
        MainWindow window;
        window.resize(1200, 720);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(openAndWait(window, IncidentSample));
        QVERIFY(filterAndWait(window, QStringLiteral("verb:delete or code >= 400")));
        QVERIFY(window.eventModel()->rowCount() > 20);
        window.eventTable()->setCurrentIndex(window.eventModel()->index(3, 0));
        for (QPlainTextEdit* text : window.findChildren<QPlainTextEdit*>())
            text->setFont(QFont(QStringLiteral("DejaVu Sans Mono"), 9));
        // Dock sizes are pinned too (the window sizes them when a load starts, and when that
        // settles depends on timing), and the analysis views get to finish.
        window.resizeDocks({window.usersDock()}, {260}, Qt::Horizontal);
        window.resizeDocks({window.timelineDock()}, {150}, Qt::Vertical);
        QTest::qWait(500);
        window.resizeDocks({window.usersDock()}, {260}, Qt::Horizontal);
        window.resizeDocks({window.timelineDock()}, {150}, Qt::Vertical);
        window.detailPane()->treeView()->header()->resizeSection(0, 190);
        for (QPlainTextEdit* text : window.findChildren<QPlainTextEdit*>())
            text->horizontalScrollBar()->setValue(0);
        QTest::qWait(100);
        const QImage actual = halfSize(window.grab().toImage());

        compareWithReference(actual, QStringLiteral("mainwindow-sample"));
    }

    // The users, resources and timeline views on the whole sample, side by side.
    void analysisViewsOnTheSample()
    {
        MainWindow window;
        window.resize(1200, 720);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(openAndWait(window, IncidentSample));
        window.resizeDocks({window.usersDock()}, {300}, Qt::Horizontal);
        window.resizeDocks({window.timelineDock()}, {150}, Qt::Vertical);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.timelineView()->histogram()->timeline().total == 3000, 10000);
        QTest::qWait(300);
        const QImage users = window.usersView()->grab().toImage();
        window.resourcesDock()->raise();
        QTest::qWait(300); // the resources view computes when it is shown
        window.resourcesView()->treeView()->expandToDepth(0);
        const QImage resources = window.resourcesView()->grab().toImage();
        const QImage timeline = window.timelineView()->grab().toImage();
        QImage sheet(std::max(users.width() + resources.width(), timeline.width()),
            users.height() + timeline.height(), QImage::Format_RGB32);
        sheet.fill(Qt::white);
        QPainter painter(&sheet);
        painter.drawImage(0, 0, users);
        painter.drawImage(users.width(), 0, resources);
        painter.drawImage(0, users.height(), timeline);
        painter.end();
        compareWithReference(halfSize(sheet), QStringLiteral("analysis-views"));
    }
};

QTEST_MAIN(TestScreenshot)
#include "tst_screenshot.moc"
