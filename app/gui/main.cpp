// SPDX-License-Identifier: Apache-2.0
// auditscope: the desktop investigation tool for Kubernetes audit logs.
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>

#include <cstdio>
#include <cstring>

namespace {

constexpr const char* Help = R"(Usage: auditscope [PATH...]

Opens Kubernetes API-server audit logs (files, .gz, folders, globs) for investigation.

Options:
  -h, --help     show this help
  --version      show the version
  --sample       open the bundled sample investigation (a generated cluster with
                 four incidents to find)

Environment:
  AUDITSCOPE_CACHE_DIR  where decompressed gzip data is kept while it is open, as unlinked
                 files (default: $XDG_CACHE_HOME/auditscope or ~/.cache/auditscope; it needs
                 the decompressed size free); empty: keep it in memory
)";

// The icon theme's (installed to hicolor, or a theme's own), else the bundled PNGs.
QIcon applicationIcon()
{
    QIcon bundled;
    for (const int size : {16, 22, 24, 32, 48, 64, 128, 256})
        bundled.addFile(QStringLiteral(":/icons/appicon-%1.png").arg(size), QSize(size, size));
    return QIcon::fromTheme(QStringLiteral("io.github.auditscope.AuditScope"), bundled);
}

} // namespace

int main(int argc, char** argv)
{
    // --help and --version must work without a display, so answer them before QApplication.
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
            std::fputs(Help, stdout);
            return 0;
        }
        if (std::strcmp(argv[i], "--version") == 0) {
            std::printf("auditscope %s\n", AUDITSCOPE_VERSION);
            return 0;
        }
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("AuditScope"));
    QApplication::setApplicationVersion(QStringLiteral(AUDITSCOPE_VERSION));
    QApplication::setOrganizationDomain(QStringLiteral("auditscope.github.io"));
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.auditscope.AuditScope"));
    QApplication::setWindowIcon(applicationIcon());

    QStringList paths;
    const QStringList args = QApplication::arguments().mid(1);
    for (const QString& arg : args) {
        if (arg == QLatin1String("--sample"))
            paths << auditscope::MainWindow::samplePath(QStringLiteral("incident-story.log.gz"));
        else
            paths << arg;
    }
    auditscope::MainWindow window;
    window.show();
    if (!paths.isEmpty())
        window.openPaths(paths);
    return QApplication::exec();
}
