// SPDX-License-Identifier: Apache-2.0
#include "policydocument.h"

#include "policy/policyreader.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QSet>
#include <QStandardPaths>
#include <QUuid>

#include <algorithm>
#include <cerrno>
#include <mutex>
#include <signal.h>

namespace auditscope {

namespace {

const QString AutosaveFormat = QStringLiteral("auditscope-policy-autosave");

bool processRuns(qint64 pid)
{
    if (pid <= 0)
        return false;
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

void setError(QString* error, const QString& message)
{
    if (error)
        *error = message;
}

/// Reads an autosave file's JSON object; empty when unreadable or not ours.
QJsonObject readAutosaveObject(const QString& path, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        setError(error, QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
        return {};
    }
    if (file.size() > 4 * PolicyDocument::MaxBytes) {
        setError(error, QStringLiteral("%1 is too large for an autosave").arg(path));
        return {};
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!doc.isObject()
        || doc.object().value(QStringLiteral("format")).toString() != AutosaveFormat) {
        setError(error, QStringLiteral("%1 is not a policy autosave").arg(path));
        return {};
    }
    return doc.object();
}

/// Autosave files of the documents alive in this process: not offered for recovery.
QSet<QString>& liveAutosaves()
{
    static QSet<QString> paths;
    return paths;
}

std::mutex& liveAutosavesMutex()
{
    static std::mutex mutex;
    return mutex;
}

} // namespace

PolicyDocument::PolicyDocument(QObject* parent)
    : QObject(parent)
{
    m_autosaveTimer.setSingleShot(false);
    connect(&m_autosaveTimer, &QTimer::timeout, this, [this] { autosave(); });
    newAutosavePath();
}

PolicyDocument::~PolicyDocument()
{
    // The autosave file stays for recovery; it is no longer a live document's.
    const std::lock_guard lock(liveAutosavesMutex());
    liveAutosaves().remove(m_autosavePath);
}

QString PolicyDocument::displayName() const
{
    return isUntitled() ? QStringLiteral("Untitled policy") : QFileInfo(m_path).fileName();
}

void PolicyDocument::newAutosavePath()
{
    setAutosavePath(autosaveDirectory() + QStringLiteral("/policy-")
        + QUuid::createUuid().toString(QUuid::WithoutBraces) + QStringLiteral(".json"));
}

void PolicyDocument::setAutosavePath(const QString& path)
{
    const std::lock_guard lock(liveAutosavesMutex());
    liveAutosaves().remove(m_autosavePath);
    m_autosavePath = path;
    liveAutosaves().insert(m_autosavePath);
}

void PolicyDocument::replace(const QString& text, const QString& savedText, const QString& path)
{
    const bool wasModified = isModified();
    const bool pathChange = path != m_path;
    m_text = text;
    m_savedText = savedText;
    m_path = path;
    Q_EMIT textChanged();
    if (pathChange)
        Q_EMIT pathChanged(m_path);
    if (wasModified != isModified())
        Q_EMIT modifiedChanged(isModified());
}

bool PolicyDocument::open(const QString& path, QString* error)
{
    // The CLI's reader: a directory, a device such as /dev/zero or an oversized file is
    // refused with the same words, and reading stops at the size limit.
    std::string content;
    const std::string problem =
        readPolicyFileText(QFile::encodeName(path).toStdString(), MaxBytes, content);
    if (!problem.empty()) {
        setError(error, QString::fromStdString(problem));
        return false;
    }
    const QByteArray bytes = QByteArray::fromStdString(content);
    discardAutosave(); // the edits being replaced were given up
    newAutosavePath();
    const QString text = QString::fromUtf8(bytes);
    replace(text, text, QFileInfo(path).absoluteFilePath());
    return true;
}

void PolicyDocument::newDocument(const QString& text)
{
    discardAutosave();
    newAutosavePath();
    replace(text, QString(), QString());
}

bool PolicyDocument::writeFile(const QString& path, QString* error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        setError(error, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
        return false;
    }
    const QByteArray bytes = m_text.toUtf8();
    if (file.write(bytes) != bytes.size() || !file.commit()) {
        setError(error, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
        file.cancelWriting();
        return false;
    }
    return true;
}

bool PolicyDocument::save(QString* error)
{
    if (isUntitled()) {
        setError(error, QStringLiteral("the policy has no file yet: use Save As"));
        return false;
    }
    return saveAs(m_path, error);
}

bool PolicyDocument::saveAs(const QString& path, QString* error)
{
    if (!writeFile(path, error))
        return false;
    discardAutosave();
    replace(m_text, m_text, QFileInfo(path).absoluteFilePath());
    Q_EMIT saved(m_path);
    return true;
}

bool PolicyDocument::restore(const PolicyAutosave& autosave, QString* error)
{
    const QJsonObject object = readAutosaveObject(autosave.autosavePath, error);
    if (object.isEmpty())
        return false;
    const QString text = object.value(QStringLiteral("text")).toString();
    const QString original = object.value(QStringLiteral("originalPath")).toString();
    // The file as it is on disk now is the saved state the recovered edits differ from.
    QString savedText;
    if (!original.isEmpty()) {
        QFile file(original);
        if (file.size() <= MaxBytes && file.open(QIODevice::ReadOnly))
            savedText = QString::fromUtf8(file.readAll());
    }
    if (m_autosavePath != autosave.autosavePath)
        discardAutosave();
    setAutosavePath(autosave.autosavePath);
    replace(text, savedText, original);
    return true;
}

void PolicyDocument::setText(const QString& text)
{
    if (text == m_text)
        return;
    const bool wasModified = isModified();
    m_text = text;
    Q_EMIT textChanged();
    if (wasModified != isModified())
        Q_EMIT modifiedChanged(isModified());
}

bool PolicyDocument::hasAutosave() const
{
    return QFileInfo::exists(m_autosavePath);
}

bool PolicyDocument::autosave(QString* error)
{
    if (!isModified()) {
        discardAutosave(); // back to the saved text: nothing to recover
        return true;
    }
    if (!QDir().mkpath(autosaveDirectory())) {
        setError(error, QStringLiteral("cannot create %1").arg(autosaveDirectory()));
        return false;
    }
    QJsonObject object;
    object.insert(QStringLiteral("format"), AutosaveFormat);
    object.insert(QStringLiteral("version"), 1);
    object.insert(QStringLiteral("originalPath"), m_path);
    object.insert(
        QStringLiteral("savedAt"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    object.insert(QStringLiteral("pid"), QCoreApplication::applicationPid());
    object.insert(QStringLiteral("text"), m_text);
    QSaveFile file(m_autosavePath);
    if (!file.open(QIODevice::WriteOnly)) {
        setError(
            error, QStringLiteral("cannot write %1: %2").arg(m_autosavePath, file.errorString()));
        return false;
    }
    file.write(QJsonDocument(object).toJson(QJsonDocument::Compact));
    if (!file.commit()) {
        setError(
            error, QStringLiteral("cannot write %1: %2").arg(m_autosavePath, file.errorString()));
        return false;
    }
    Q_EMIT autosaved(m_autosavePath);
    return true;
}

void PolicyDocument::setAutosaveInterval(int ms)
{
    if (ms <= 0) {
        m_autosaveTimer.stop();
        return;
    }
    m_autosaveTimer.start(ms);
}

void PolicyDocument::discardAutosave()
{
    if (!m_autosavePath.isEmpty())
        QFile::remove(m_autosavePath);
}

QString PolicyDocument::autosaveDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
        + QStringLiteral("/autosave");
}

QList<PolicyAutosave> PolicyDocument::recoverableAutosaves()
{
    QList<PolicyAutosave> out;
    const QDir dir(autosaveDirectory());
    const qint64 self = QCoreApplication::applicationPid();
    for (const QFileInfo& info :
        dir.entryInfoList({QStringLiteral("policy-*.json")}, QDir::Files, QDir::Name)) {
        const QJsonObject object = readAutosaveObject(info.absoluteFilePath(), nullptr);
        if (object.isEmpty())
            continue;
        PolicyAutosave a;
        a.autosavePath = info.absoluteFilePath();
        a.originalPath = object.value(QStringLiteral("originalPath")).toString();
        a.savedAt = QDateTime::fromString(
            object.value(QStringLiteral("savedAt")).toString(), Qt::ISODateWithMs);
        a.savedAt.setTimeSpec(Qt::UTC);
        a.pid = object.value(QStringLiteral("pid")).toInteger();
        {
            const std::lock_guard lock(liveAutosavesMutex());
            if (liveAutosaves().contains(a.autosavePath))
                continue; // a document of this process is editing it
        }
        a.ownerRunning = a.pid != self && processRuns(a.pid);
        out.push_back(a);
    }
    std::stable_sort(out.begin(), out.end(),
        [](const PolicyAutosave& x, const PolicyAutosave& y) { return x.savedAt > y.savedAt; });
    return out;
}

QString PolicyDocument::autosaveText(const PolicyAutosave& autosave, QString* error)
{
    return readAutosaveObject(autosave.autosavePath, error)
        .value(QStringLiteral("text"))
        .toString();
}

bool PolicyDocument::discardAutosave(const PolicyAutosave& autosave)
{
    return QFile::remove(autosave.autosavePath);
}

} // namespace auditscope
