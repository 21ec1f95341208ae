#include "AboutDialog.h"

#include <nlohmann/json_fwd.hpp> // the version macros only

#include <QApplication>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QIcon>
#include <QLabel>
#include <QPushButton>
#include <QSysInfo>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

namespace chainsight {

QList<AboutDialog::ThirdPartyComponent> AboutDialog::thirdPartyComponents()
{
    const QString nlohmannVersion = QStringLiteral("%1.%2.%3")
                                        .arg(NLOHMANN_JSON_VERSION_MAJOR)
                                        .arg(NLOHMANN_JSON_VERSION_MINOR)
                                        .arg(NLOHMANN_JSON_VERSION_PATCH);
    return {
        {QStringLiteral("Qt %1").arg(QString::fromLatin1(qVersion())), tr("windows, widgets, threads, SVG"),
         QStringLiteral("LGPL-3.0-only"), QStringLiteral("https://www.qt.io/licensing/open-source-lgpl-obligations")},
        // Qt Charts is offered under the GPL, not the LGPL, by its open-source edition.
        {QStringLiteral("Qt Charts %1").arg(QString::fromLatin1(qVersion())), tr("simulation charts"), QStringLiteral("GPL-3.0-only"),
         QStringLiteral("https://doc.qt.io/qt-6/qtcharts-index.html#licenses")},
        {QStringLiteral("SQLite"), tr("the workspace file"), QStringLiteral("blessing (public domain)"),
         QStringLiteral("https://www.sqlite.org/copyright.html")},
        {QStringLiteral("OpenSSL 3"), tr("SHA-256, JWS and DPoP signatures, evidence signing"), QStringLiteral("Apache-2.0"),
         QStringLiteral("https://www.openssl.org/source/license.html")},
        {QStringLiteral("nlohmann/json %1").arg(nlohmannVersion), tr("reading and writing JSON"), QStringLiteral("MIT"),
         QStringLiteral("https://github.com/nlohmann/json/blob/develop/LICENSE.MIT")},
        {QStringLiteral("simdjson"), tr("fast reading of large JSON audit trails"), QStringLiteral("Apache-2.0"),
         QStringLiteral("https://github.com/simdjson/simdjson/blob/master/LICENSE")},
        {QStringLiteral("zlib"), tr("gzip-compressed CloudTrail logs"), QStringLiteral("Zlib"),
         QStringLiteral("https://zlib.net/zlib_license.html")},
    };
}

AboutDialog::AboutDialog(QWidget *parent)
    : QDialog(parent)
    , m_components(new QTreeWidget(this))
{
    setWindowTitle(tr("About Chainsight"));
    setAccessibleName(tr("About Chainsight"));

    auto *icon = new QLabel(this);
    icon->setPixmap(QIcon(QStringLiteral(":/icons/chainsight.svg")).pixmap(64, 64));
    icon->setAccessibleName(tr("Chainsight icon"));
    auto *title = new QLabel(tr("<h2>Chainsight %1</h2>").arg(QStringLiteral(CHAINSIGHT_VERSION)), this);
    title->setAccessibleName(tr("Chainsight version %1").arg(QStringLiteral(CHAINSIGHT_VERSION)));
    auto *summary = new QLabel(tr("Governance console and delegation-graph visualizer for enterprise AI agents: "
                                  "every delegation chain from the human who asked to the tool that acted, who "
                                  "answers for it, and whether it still matched what was asked."),
                               this);
    summary->setWordWrap(true);
    auto *build = new QLabel(tr("Built with Qt %1, running on Qt %2, %3.")
                                 .arg(QStringLiteral(QT_VERSION_STR), QString::fromLatin1(qVersion()),
                                      QSysInfo::prettyProductName()),
                             this);
    build->setTextInteractionFlags(Qt::TextSelectableByMouse);
    build->setAccessibleName(tr("Build information"));

    auto *heading = new QLabel(tr("Chainsight uses these libraries, each under its own licence "
                                  "(double-click one to read it):"),
                               this);
    heading->setWordWrap(true);
    m_components->setColumnCount(3);
    m_components->setHeaderLabels({tr("Library"), tr("Licence"), tr("Used for")});
    m_components->setRootIsDecorated(false);
    m_components->setAccessibleName(tr("Third-party libraries and their licences"));
    for (const ThirdPartyComponent &component : thirdPartyComponents()) {
        auto *item = new QTreeWidgetItem(m_components, {component.name, component.licence, component.usedFor});
        item->setData(0, Qt::UserRole, component.licenceUrl);
        item->setToolTip(1, component.licenceUrl);
    }
    m_components->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    connect(m_components, &QTreeWidget::itemActivated, this, [](QTreeWidgetItem *item) {
        QDesktopServices::openUrl(QUrl(item->data(0, Qt::UserRole).toString()));
    });

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *aboutQt = buttons->addButton(tr("About &Qt"), QDialogButtonBox::HelpRole);
    connect(aboutQt, &QPushButton::clicked, qApp, &QApplication::aboutQt);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *header = new QHBoxLayout;
    header->addWidget(icon, 0, Qt::AlignTop);
    auto *text = new QVBoxLayout;
    text->addWidget(title);
    text->addWidget(summary);
    text->addWidget(build);
    header->addLayout(text, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addWidget(heading);
    layout->addWidget(m_components, 1);
    layout->addWidget(buttons);
    resize(640, 420);
}

} // namespace chainsight
