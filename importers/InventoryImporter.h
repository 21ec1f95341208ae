#pragma once

#include "SourceImporter.h"

namespace chainsight {

// The native inventory format, JSON flavour (docs/formats.md).
class InventoryJsonImporter final : public SourceImporter
{
public:
    QString format() const override { return QStringLiteral("inventory-json"); }
    QString description() const override { return QStringLiteral("Chainsight agent inventory (JSON)"); }
    int sniff(const SniffSample &sample) const override;
    qint64 import(ImportContext &context) const override;
};

// The native inventory format, CSV flavour: one agent a row, lists separated by ';'.
class InventoryCsvImporter final : public SourceImporter
{
public:
    QString format() const override { return QStringLiteral("inventory-csv"); }
    QString description() const override { return QStringLiteral("Chainsight agent inventory (CSV)"); }
    int sniff(const SniffSample &sample) const override;
    qint64 import(ImportContext &context) const override;
};

} // namespace chainsight
