#pragma once

// Scratch folders for the benchmarks. They copy and write workspaces of hundreds of megabytes to gigabytes, and a
// benchmark stopped with Ctrl-C or a kill leaves its QTemporaryDir behind: a few such runs once filled the disk.
// Each folder carries its process id, and a benchmark first removes the folders of its own kind whose process is
// gone.

#include <QCoreApplication>
#include <QDir>
#include <QString>

#include <signal.h>
#include <unistd.h>

#include <cerrno>

namespace chainsight::bench {

// A QTemporaryDir template: <temp>/<name>-<pid>-XXXXXX, after removing <name>-<pid>-* of processes that ended.
inline QString scratchTemplate(const QString &name)
{
    QDir temp(QDir::tempPath());
    const QStringList earlier = temp.entryList({name + QStringLiteral("-*-*")}, QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &folder : earlier) {
        bool isNumber = false;
        const qint64 pid = folder.section(QLatin1Char('-'), -2, -2).toLongLong(&isNumber);
        if (!isNumber || pid <= 0)
            continue;
        if (::kill(static_cast<pid_t>(pid), 0) == -1 && errno == ESRCH)
            QDir(temp.filePath(folder)).removeRecursively();
    }
    return temp.filePath(QStringLiteral("%1-%2-XXXXXX").arg(name).arg(QCoreApplication::applicationPid()));
}

} // namespace chainsight::bench
