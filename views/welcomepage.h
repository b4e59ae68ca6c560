// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QWidget>

namespace auditscope {

/// What the window shows when nothing is open: the bundled sample investigation, opening
/// files or a folder, and how to drop files.
class WelcomePage final : public QWidget
{
    Q_OBJECT

public:
    explicit WelcomePage(QWidget* parent = nullptr);

Q_SIGNALS:
    void sampleRequested(); ///< the incident-story sample made by our generator
    void realSampleRequested(); ///< the real MicroK8s log
    void openFilesRequested();
    void openFolderRequested();
};

} // namespace auditscope
