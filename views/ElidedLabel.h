#pragma once

#include <QLabel>

namespace chainsight {

// A one-line label that ends in "…" when its text does not fit, and shows the whole text as its tooltip, instead
// of being cut mid-word: the summary lines of the record panels share a row with their filters, and on a small
// screen the docks beside the graph are narrow.
class ElidedLabel final : public QLabel
{
    Q_OBJECT
public:
    explicit ElidedLabel(QWidget *parent = nullptr);

    // Whether the text shown is cut short at the label's current width.
    bool isElided() const;
    QString shownText() const;

    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;
};

} // namespace chainsight
