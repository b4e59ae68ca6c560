// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

namespace auditscope {

/// An autosave of unsaved policy edits left by a session that did not save or discard them
/// (a crash, a killed process): what the editor offers to recover.
struct PolicyAutosave
{
    QString autosavePath; ///< the autosave file (in PolicyDocument::autosaveDirectory())
    QString originalPath; ///< the file being edited; empty for an untitled document
    QDateTime savedAt; ///< when the autosave was written (UTC)
    qint64 pid = 0; ///< the process that wrote it
    /// The writing process still runs (another AuditScope window has it open): do not offer it.
    bool ownerRunning = false;
};

/// An open policy file for the editor: its text, its path (empty while untitled), whether it
/// has unsaved edits, saving through QSaveFile (atomic: a failed save leaves the file as it
/// was), and autosave of unsaved edits to QStandardPaths::AppDataLocation/autosave for crash
/// recovery. An autosave is deleted after a successful save and by discardAutosave(); a
/// session that ends without either leaves it for recoverableAutosaves(). Policies are small
/// (the reader refuses more than 8 MiB), so I/O happens on the caller's thread. Lives on the
/// GUI thread.
class PolicyDocument final : public QObject
{
    Q_OBJECT

public:
    /// Files larger than this are refused (the policy reader's limit).
    static constexpr qint64 MaxBytes = qint64(8) << 20;

    explicit PolicyDocument(QObject* parent = nullptr);
    ~PolicyDocument() override;

    /// Replaces the document with the file at `path` (UTF-8). On failure nothing changes and
    /// `error` says why.
    bool open(const QString& path, QString* error = nullptr);
    /// Replaces the document with an untitled one holding `text` (unmodified when empty).
    void newDocument(const QString& text = {});
    /// Writes the text to path(); fails while untitled.
    bool save(QString* error = nullptr);
    /// Writes the text to `path` and makes it the document's path.
    bool saveAs(const QString& path, QString* error = nullptr);
    /// Replaces the document with an autosave's text and its original path (if any); it is
    /// modified when that text differs from the file as it is now. The autosave becomes this
    /// document's (a successful save deletes it).
    bool restore(const PolicyAutosave& autosave, QString* error = nullptr);

    const QString& text() const { return m_text; }
    /// Sets the text; modified when it differs from what was last opened or saved.
    void setText(const QString& text);
    /// The text as last opened or saved (what the file holds; empty while untitled).
    const QString& savedText() const { return m_savedText; }
    const QString& path() const { return m_path; }
    bool isUntitled() const { return m_path.isEmpty(); }
    bool isModified() const { return m_text != m_savedText; }
    /// The file name, or "Untitled policy".
    QString displayName() const;

    /// Writes the text to this document's autosave file if it has unsaved edits (nothing to do
    /// otherwise: returns true). Call it on demand; setAutosaveInterval() calls it periodically.
    bool autosave(QString* error = nullptr);
    /// Autosaves every `ms` milliseconds while modified (0, the default, turns it off).
    void setAutosaveInterval(int ms);
    int autosaveInterval() const { return m_autosaveTimer.interval(); }
    /// This document's autosave file (written or not yet).
    const QString& autosavePath() const { return m_autosavePath; }
    bool hasAutosave() const;
    /// Deletes this document's autosave file (e.g. when the user closes without saving).
    void discardAutosave();

    /// QStandardPaths::AppDataLocation + "/autosave" (not created).
    static QString autosaveDirectory();
    /// Autosaves left in autosaveDirectory(), newest first: every one that no live
    /// PolicyDocument of this process is using, including ones whose writer still runs
    /// (ownerRunning: another AuditScope process; do not offer those).
    static QList<PolicyAutosave> recoverableAutosaves();
    /// The text of an autosave; empty with `error` set when it cannot be read.
    static QString autosaveText(const PolicyAutosave& autosave, QString* error = nullptr);
    /// Deletes an autosave file (declined recovery).
    static bool discardAutosave(const PolicyAutosave& autosave);

Q_SIGNALS:
    void textChanged();
    void modifiedChanged(bool modified);
    void pathChanged(const QString& path);
    void saved(const QString& path);
    void autosaved(const QString& autosavePath);

private:
    void replace(const QString& text, const QString& savedText, const QString& path);
    bool writeFile(const QString& path, QString* error);
    void newAutosavePath();
    void setAutosavePath(const QString& path);

    QString m_text;
    QString m_savedText;
    QString m_path;
    QString m_autosavePath;
    QTimer m_autosaveTimer;
};

} // namespace auditscope
