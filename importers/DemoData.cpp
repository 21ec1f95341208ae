#include "DemoData.h"

#include "ImportRunner.h"

#include <QDir>
#include <QFile>

namespace chainsight::DemoData {

QStringList inputFileNames()
{
    return QDir(QStringLiteral(":/demo")).entryList(QDir::Files, QDir::Name);
}

std::optional<QStringList> writeInputs(const QString &dir, QString *error)
{
    if (!QDir().mkpath(dir)) {
        if (error)
            *error = QStringLiteral("%1: cannot create the folder").arg(dir);
        return std::nullopt;
    }
    QStringList written;
    for (const QString &name : inputFileNames()) {
        QFile resource(QStringLiteral(":/demo/") + name);
        const QString target = QDir(dir).filePath(name);
        QFile out(target);
        if (!resource.open(QIODevice::ReadOnly) || !out.open(QIODevice::WriteOnly | QIODevice::Truncate)
            || out.write(resource.readAll()) != resource.size()) {
            if (error)
                *error = QStringLiteral("%1: cannot write the demo input: %2").arg(target, out.errorString());
            return std::nullopt;
        }
        written.push_back(target);
    }
    if (written.isEmpty() && error)
        *error = QStringLiteral("this build ships no demo inputs");
    return written.isEmpty() ? std::nullopt : std::optional<QStringList>(written);
}

std::optional<QString> buildWorkspace(const QString &dir, QString *error)
{
    const auto inputs = writeInputs(dir, error);
    if (!inputs)
        return std::nullopt;
    const QString workspacePath = QDir(dir).filePath(QStringLiteral("demo.chainsight"));
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
        QFile::remove(workspacePath + suffix);
    const std::atomic_bool notCancelled{false};
    const ImportResult result = ImportRunner::run(workspacePath, *inputs, {}, {}, notCancelled);
    if (result.status != ImportResult::Status::Committed) {
        if (error)
            *error = result.failure;
        return std::nullopt;
    }
    return workspacePath;
}

} // namespace chainsight::DemoData
