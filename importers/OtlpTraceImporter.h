#pragma once

#include "SourceImporter.h"

namespace chainsight {

// OTLP/JSON traces: one ExportTraceServiceRequest document, or the collector file exporter's NDJSON
// (one request per line). Parsing and writing run on two threads; see docs/formats.md.
class OtlpTraceImporter final : public SourceImporter
{
public:
    QString format() const override { return QStringLiteral("otlp-json"); }
    QString description() const override { return QStringLiteral("OpenTelemetry OTLP/JSON traces (document or NDJSON)"); }
    int sniff(const SniffSample &sample) const override;
    bool digestsWhileReading() const override { return true; }
    qint64 import(ImportContext &context) const override;
};

} // namespace chainsight
