#pragma once

#include <QStringList>

#include <memory>

class QCoreApplication;

namespace chainsight::cli {

// `chainsight-cli report -w W --out evidence.pdf [--policy P.cedar] [--scope all|chain|identity|chain:KEY|identity:ID]
// [--sign key.pem] [--reviewer NAME] [--json]`; arguments are the words after `report`.
int runReportCommand(const QStringList &arguments);

// The application object for a CLI run: a QApplication for `report` (the PDF paints text, which needs the
// font database, and the graph view's scene), on the offscreen platform when there is no display; a
// QCoreApplication for the rest.
std::unique_ptr<QCoreApplication> createCliApplication(int &argc, char **argv);

} // namespace chainsight::cli
