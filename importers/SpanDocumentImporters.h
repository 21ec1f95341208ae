#pragma once

#include "SourceImporter.h"

namespace chainsight {

// OpenTelemetry Python SDK `ReadableSpan.to_json()` dumps: {"spans":[…]}, a list, or one span.
// Decimal trace and span ids are converted to OTLP's hex so they join OTLP and MCP records.
class OtelSdkJsonImporter final : public SourceImporter
{
public:
    QString format() const override { return QStringLiteral("otel-sdk-json"); }
    QString description() const override { return QStringLiteral("OpenTelemetry SDK span dump (to_json)"); }
    int sniff(const SniffSample &sample) const override;
    qint64 import(ImportContext &context) const override;
};

// A Langfuse trace export: {"trace":{…},"observations":[…]}, OTel GenAI attributes inside `metadata`.
class LangfuseTraceImporter final : public SourceImporter
{
public:
    QString format() const override { return QStringLiteral("langfuse-trace"); }
    QString description() const override { return QStringLiteral("Langfuse trace export"); }
    int sniff(const SniffSample &sample) const override;
    qint64 import(ImportContext &context) const override;
};

} // namespace chainsight
