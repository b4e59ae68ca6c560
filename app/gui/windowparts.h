// SPDX-License-Identifier: Apache-2.0
#pragma once

class QDockWidget;
class QLabel;
class QMainWindow;

namespace auditscope {

class EventTableView;
class FilterBar;
class Investigation;

/// What the window's dock groups share: the window they dock into, the investigation they show,
/// and the central widgets and status line they work with. Owned by MainWindow.
struct WindowParts
{
    QMainWindow* window;
    Investigation* investigation;
    EventTableView* table;
    FilterBar* filterBar;
    QDockWidget* detailDock;
    QLabel* status;
};

} // namespace auditscope
