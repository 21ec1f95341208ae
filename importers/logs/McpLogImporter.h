#pragma once

#include "SourceImporter.h"

namespace chainsight {

class McpLogImporter final : public SourceImporter
{
public:
    QString format() const override { return QStringLiteral("mcp-log"); }
    QString description() const override;
    int sniff(const SniffSample &sample) const override;
    // The file is hashed as it is streamed, so it is read once.
    bool digestsWhileReading() const override { return true; }
    qint64 import(ImportContext &context) const override;
};

} // namespace chainsight
