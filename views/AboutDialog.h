#pragma once

#include <QDialog>
#include <QList>

class QTreeWidget;

namespace chainsight {

// Chainsight's version, what it was built with, and the libraries it ships with under their licences.
class AboutDialog final : public QDialog
{
    Q_OBJECT
public:
    struct ThirdPartyComponent
    {
        QString name;
        QString usedFor;
        QString licence; // SPDX identifier
        QString licenceUrl;
    };
    // In the order shown; the installer's copyright file lists the same.
    static QList<ThirdPartyComponent> thirdPartyComponents();

    explicit AboutDialog(QWidget *parent = nullptr);

    QTreeWidget *componentList() const { return m_components; }

private:
    QTreeWidget *m_components;
};

} // namespace chainsight
