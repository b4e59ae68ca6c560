// SPDX-License-Identifier: Apache-2.0
#include "welcomepage.h"

#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace auditscope {

WelcomePage::WelcomePage(QWidget* parent)
    : QWidget(parent)
{
    auto* title = new QLabel(tr("AuditScope"));
    QFont big = title->font();
    big.setPointSizeF(big.pointSizeF() * 2.2);
    big.setBold(true);
    title->setFont(big);
    auto* intro = new QLabel(tr("Investigate Kubernetes API-server audit logs: open them (plain or "
                                "gzip, several files or whole folders, merged by time), filter "
                                "them, and find out who did what."));
    intro->setWordWrap(true);
    auto* sample = new QPushButton(tr("Open the sample investigation"));
    sample->setObjectName(QStringLiteral("openSample"));
    sample->setDefault(true);
    sample->setToolTip(tr("A generated cluster with four incidents to find: who deleted the "
                          "ConfigMap app-config in prod?"));
    auto* real = new QPushButton(tr("Open a real MicroK8s audit log"));
    real->setObjectName(QStringLiteral("openRealSample"));
    auto* files = new QPushButton(tr("Open Files…"));
    auto* folder = new QPushButton(tr("Open Folder…"));
    auto* hint = new QLabel(tr("Or drop audit logs on this window. Try the filter "
                               "<code>verb:delete resource:configmaps</code> on the sample."));
    hint->setWordWrap(true);
    hint->setTextFormat(Qt::RichText);

    auto* column = new QVBoxLayout;
    column->addWidget(title);
    column->addWidget(intro);
    column->addSpacing(12);
    for (QPushButton* button : {sample, real, files, folder})
        column->addWidget(button);
    column->addSpacing(12);
    column->addWidget(hint);
    auto* panel = new QWidget;
    panel->setLayout(column);
    constexpr int PanelWidth = 520;
    panel->setFixedWidth(PanelWidth);
    // Wrapped labels in a centred panel do not get their height from the layout: give it them.
    const int textWidth =
        PanelWidth - column->contentsMargins().left() - column->contentsMargins().right();
    for (QLabel* label : {intro, hint})
        label->setMinimumHeight(label->heightForWidth(textWidth));
    auto* row = new QHBoxLayout;
    row->addStretch(1);
    row->addWidget(panel);
    row->addStretch(1);
    auto* outer = new QVBoxLayout(this);
    outer->addStretch(1);
    outer->addLayout(row);
    outer->addStretch(2);

    connect(sample, &QPushButton::clicked, this, &WelcomePage::sampleRequested);
    connect(real, &QPushButton::clicked, this, &WelcomePage::realSampleRequested);
    connect(files, &QPushButton::clicked, this, &WelcomePage::openFilesRequested);
    connect(folder, &QPushButton::clicked, this, &WelcomePage::openFolderRequested);
}

} // namespace auditscope
