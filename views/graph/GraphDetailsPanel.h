#pragma once

#include <QWidget>

class QLabel;
class QPushButton;
class QTextBrowser;

namespace chainsight {

class DelegationGraphScene;

// Beside the graph (never over it): who the current node is, who delegates to it and to whom it delegates,
// what it calls, its findings; or the current edge with its protocols, counts, retention and chains.
class GraphDetailsPanel final : public QWidget
{
    Q_OBJECT
public:
    explicit GraphDetailsPanel(DelegationGraphScene *scene, QWidget *parent = nullptr);

    void refresh();
    QTextBrowser *text() const { return m_text; }
    QPushButton *pathButton() const { return m_path; }
    QPushButton *collapseButton() const { return m_collapse; }

Q_SIGNALS:
    void nodeRequested(int node); // a neighbour link was followed
    void centreRequested(int node);

private:
    QString nodeHtml(int node) const;
    QString edgeHtml(int edge) const;

    DelegationGraphScene *m_scene;
    QLabel *m_title;
    QTextBrowser *m_text;
    QPushButton *m_path;
    QPushButton *m_collapse;
    QPushButton *m_centre;
};

} // namespace chainsight
