#pragma once

#include <QByteArrayView>
#include <QString>

namespace chainsight {

// Text from logs is data, never markup or control: every character that would not print as itself
// (C0 and C1 controls, DEL, bidirectional overrides, zero-width and other format characters, lone
// surrogates, non-characters) becomes a visible escape such as \u0000 or \u202e. HTML needs nothing here:
// every renderer of ours draws plain text. Line breaks are kept when asked, tabs become spaces.
enum class LineBreaks { Escape, Keep };
QString visibleText(QStringView text, LineBreaks lineBreaks = LineBreaks::Escape);

// The same for raw record bytes: UTF-8 is decoded, a byte that is not valid UTF-8 shows as \xNN.
QString visibleBytes(QByteArrayView bytes, LineBreaks lineBreaks = LineBreaks::Keep);

// A CSV field (RFC 4180) that a spreadsheet will not run as a formula: a leading = + - @ tab or CR is
// preceded by an apostrophe, as OWASP advises for CSV injection.
QString csvField(const QString &text);

} // namespace chainsight
