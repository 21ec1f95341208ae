#include "InventoryImporter.h"

#include "Inventory.h"
#include "Workspace.h"

#include <QFile>
#include <QHash>
#include <QSet>

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <string_view>

namespace chainsight {
namespace {

using json = nlohmann::json;

// Inventories are documents people write by hand; anything bigger is not an inventory.
constexpr qint64 maximumInventoryBytes = 256ll * 1024 * 1024;
constexpr int maximumNestingDepth = 256;
// One agent per CSV row; a longer row is a broken file (an unclosed quote, no line breaks), not an agent.
constexpr std::size_t maximumCsvRowBytes = 1u << 20;

QString qs(const std::string &text)
{
    return QString::fromStdString(text);
}

QString quoted(const QString &text)
{
    return QLatin1Char('"') + text.left(120) + QLatin1Char('"');
}

std::optional<QByteArray> readWholeFile(ImportContext &context)
{
    QFile file(context.path());
    if (!file.open(QIODevice::ReadOnly)) {
        context.error({}, QStringLiteral("cannot read the file: %1").arg(file.errorString()));
        return std::nullopt;
    }
    if (file.size() > maximumInventoryBytes) {
        context.error({}, QStringLiteral("the file is %1 MB; an inventory may be at most %2 MB")
                              .arg(file.size() / (1024 * 1024))
                              .arg(maximumInventoryBytes / (1024 * 1024)));
        return std::nullopt;
    }
    return file.readAll();
}

// Collects why a record is invalid; the record is skipped when any reason exists.
class RecordCheck final
{
public:
    void fail(const QString &reason) { m_reasons.push_back(reason); }
    bool ok() const { return m_reasons.isEmpty(); }
    QString message() const { return m_reasons.join(QStringLiteral("; ")); }

private:
    QStringList m_reasons;
};

QString optionalString(const json &object, const char *key, RecordCheck &check)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return {};
    if (!it->is_string()) {
        check.fail(QStringLiteral("\"%1\" must be a string, not %2").arg(QLatin1String(key), QLatin1String(it->type_name())));
        return {};
    }
    return qs(it->get<std::string>());
}

QStringList stringList(const json &object, const char *key, RecordCheck &check)
{
    QStringList values;
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return values;
    if (!it->is_array()) {
        check.fail(QStringLiteral("\"%1\" must be a list of strings").arg(QLatin1String(key)));
        return values;
    }
    for (const auto &item : *it) {
        if (!item.is_string()) {
            check.fail(QStringLiteral("\"%1\" must hold only strings, found %2").arg(QLatin1String(key), QLatin1String(item.type_name())));
            return {};
        }
        values.push_back(qs(item.get<std::string>()));
    }
    return values;
}

QString requiredId(const json &object, const char *what, RecordCheck &check)
{
    const auto it = object.find("id");
    if (it == object.end() || it->is_null()) {
        check.fail(QStringLiteral("the %1 has no \"id\"").arg(QLatin1String(what)));
        return {};
    }
    if (!it->is_string()) {
        check.fail(QStringLiteral("\"id\" must be a string, not %1").arg(QLatin1String(it->type_name())));
        return {};
    }
    const QString id = qs(it->get<std::string>()).trimmed();
    if (id.isEmpty())
        check.fail(QStringLiteral("the %1's \"id\" is empty").arg(QLatin1String(what)));
    return id;
}

QString extraKeys(const json &object, std::initializer_list<std::string_view> known)
{
    json extra = json::object();
    for (auto it = object.begin(); it != object.end(); ++it) {
        bool isKnown = false;
        for (const auto key : known)
            isKnown = isKnown || it.key() == key;
        if (!isKnown)
            extra[it.key()] = it.value();
    }
    return extra.empty() ? QString() : qs(extra.dump());
}

QString dateField(const json &object, const char *key, RecordCheck &check, bool *isNull = nullptr)
{
    const auto it = object.find(key);
    if (isNull)
        *isNull = it == object.end() || it->is_null();
    if (it == object.end() || it->is_null())
        return {};
    if (!it->is_string() || !parseRfc3339(qs(it->get<std::string>()))) {
        check.fail(QStringLiteral("\"%1\" must be an RFC 3339 date-time such as 2025-02-01T00:00:00Z or null, not %2")
                       .arg(QLatin1String(key), qs(it->dump()).left(60)));
        return {};
    }
    return qs(it->get<std::string>());
}

std::optional<CredentialRecord> credentialFromJson(const json &value, RecordCheck &check, QStringList *warnings)
{
    if (!value.is_object()) {
        check.fail(QStringLiteral("each credential must be an object with \"type\" and \"id\""));
        return std::nullopt;
    }
    CredentialRecord credential;
    RecordCheck own;
    credential.type = optionalString(value, "type", own).trimmed();
    credential.id = optionalString(value, "id", own).trimmed();
    if (credential.type.isEmpty())
        own.fail(QStringLiteral("a credential has no \"type\""));
    if (credential.id.isEmpty())
        own.fail(QStringLiteral("a credential of type %1 has no \"id\"").arg(quoted(credential.type)));
    credential.scopes = stringList(value, "scopes", own);
    credential.created = dateField(value, "created", own);
    credential.lastRotated = dateField(value, "last_rotated", own);
    bool expiresNull = false;
    credential.expires = dateField(value, "expires", own, &expiresNull);
    credential.expiresNever = expiresNull;
    credential.extraJson = extraKeys(value, {"type", "id", "scopes", "created", "last_rotated", "expires"});
    if (!own.ok()) {
        check.fail(own.message());
        return std::nullopt;
    }
    if (!CredentialTypes::known().contains(credential.type))
        warnings->push_back(QStringLiteral("unknown credential type %1 kept as it is").arg(quoted(credential.type)));
    return credential;
}

std::optional<AgentRecord> agentFromJson(const json &value, RecordCheck &check, QStringList *warnings)
{
    if (!value.is_object()) {
        check.fail(QStringLiteral("an agent must be a JSON object, not %1").arg(QLatin1String(value.type_name())));
        return std::nullopt;
    }
    AgentRecord agent;
    agent.id = requiredId(value, "agent", check);
    agent.name = optionalString(value, "name", check);
    agent.role = optionalString(value, "role", check);
    agent.owner = optionalString(value, "owner", check).trimmed();
    agent.purpose = optionalString(value, "purpose", check);
    agent.intents = stringList(value, "intents", check);
    agent.mayDelegateTo = stringList(value, "may_delegate_to", check);
    if (const auto it = value.find("max_delegation_depth"); it != value.end() && !it->is_null()) {
        if (!it->is_number_integer() || it->get<long long>() < 0 || it->get<long long>() > 1000)
            check.fail(QStringLiteral("\"max_delegation_depth\" must be a whole number from 0 to 1000, not %1")
                           .arg(qs(it->dump()).left(40)));
        else
            agent.maxDelegationDepth = static_cast<int>(it->get<long long>());
    }
    if (const auto it = value.find("credentials"); it != value.end() && !it->is_null()) {
        if (!it->is_array()) {
            check.fail(QStringLiteral("\"credentials\" must be a list"));
        } else {
            for (const auto &item : *it) {
                if (auto credential = credentialFromJson(item, check, warnings))
                    agent.credentials.push_back(*credential);
            }
        }
    }
    agent.extraJson = extraKeys(value, {"id", "name", "role", "owner", "purpose", "intents", "may_delegate_to",
                                        "max_delegation_depth", "credentials"});
    if (!agent.role.isEmpty() && !AgentRoles::known().contains(agent.role))
        warnings->push_back(QStringLiteral("role %1 is not one of supervisor, worker, sub-agent, tool-proxy; kept as "
                                           "written").arg(quoted(agent.role)));
    if (!check.ok())
        return std::nullopt;
    return agent;
}

std::optional<HumanRecord> humanFromJson(const json &value, RecordCheck &check)
{
    if (!value.is_object()) {
        check.fail(QStringLiteral("a human must be a JSON object, not %1").arg(QLatin1String(value.type_name())));
        return std::nullopt;
    }
    HumanRecord human;
    human.id = requiredId(value, "human", check);
    human.name = optionalString(value, "name", check);
    human.department = optionalString(value, "department", check);
    human.extraJson = extraKeys(value, {"id", "name", "department"});
    if (!check.ok())
        return std::nullopt;
    return human;
}

std::optional<ToolRecord> toolFromJson(const json &value, RecordCheck &check)
{
    if (!value.is_object()) {
        check.fail(QStringLiteral("a tool must be a JSON object, not %1").arg(QLatin1String(value.type_name())));
        return std::nullopt;
    }
    static const QStringList sensitivities = {QStringLiteral("low"), QStringLiteral("medium"), QStringLiteral("high"),
                                              QStringLiteral("critical")};
    ToolRecord tool;
    tool.id = requiredId(value, "tool", check);
    tool.name = optionalString(value, "name", check);
    tool.server = optionalString(value, "server", check);
    tool.sensitivity = optionalString(value, "sensitivity", check);
    tool.category = optionalString(value, "category", check);
    if (!tool.sensitivity.isEmpty() && !sensitivities.contains(tool.sensitivity))
        check.fail(QStringLiteral("\"sensitivity\" must be low, medium, high or critical, not %1").arg(quoted(tool.sensitivity)));
    tool.extraJson = extraKeys(value, {"id", "name", "server", "sensitivity", "category"});
    if (!check.ok())
        return std::nullopt;
    return tool;
}

// Parses one record with nlohmann, rejecting duplicate keys and excessive nesting.
std::optional<json> parseRecord(std::string_view raw, QString *problem)
{
    // One set of keys per open object: a key seen twice in the same object is ambiguous input.
    std::vector<std::vector<std::string>> keysPerObject;
    QString duplicate;
    int depth = 0;
    json::parser_callback_t callback = [&](int, json::parse_event_t event, json &parsed) {
        switch (event) {
        case json::parse_event_t::object_start:
            keysPerObject.emplace_back();
            ++depth;
            break;
        case json::parse_event_t::array_start:
            ++depth;
            break;
        case json::parse_event_t::object_end:
            keysPerObject.pop_back();
            --depth;
            break;
        case json::parse_event_t::array_end:
            --depth;
            break;
        case json::parse_event_t::key: {
            auto &keys = keysPerObject.back();
            const auto key = parsed.get<std::string>();
            if (std::find(keys.begin(), keys.end(), key) != keys.end() && duplicate.isEmpty())
                duplicate = qs(key);
            keys.push_back(key);
            break;
        }
        case json::parse_event_t::value:
            break;
        }
        return true;
    };
    json value = json::parse(raw.begin(), raw.end(), callback, false);
    if (value.is_discarded()) {
        *problem = QStringLiteral("the record is not valid JSON");
        return std::nullopt;
    }
    if (!duplicate.isEmpty()) {
        *problem = QStringLiteral("the key %1 appears twice in one object").arg(quoted(duplicate));
        return std::nullopt;
    }
    (void)depth;
    return value;
}

// Exact position and reason of a syntax error, from nlohmann's parser (simdjson does not say where).
Diagnostic syntaxError(const QString &path, std::string_view text)
{
    Diagnostic diagnostic;
    diagnostic.file = path;
    try {
        [[maybe_unused]] const json parsed = json::parse(text.begin(), text.end());
        diagnostic.message = QStringLiteral("the document is not valid JSON");
    } catch (const json::parse_error &e) {
        const std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
        diagnostic.position = positionOfOffset(text, offset);
        QString reason = qs(e.what());
        // nlohmann prefixes "[json.exception.parse_error.101] parse error at line 1, column 2: "
        if (const auto colon = reason.indexOf(QStringLiteral(": syntax error")); colon >= 0)
            reason = reason.mid(colon + 2);
        else if (const auto lastColon = reason.lastIndexOf(QStringLiteral("]: ")); lastColon >= 0)
            reason = reason.mid(lastColon + 3);
        diagnostic.message = QStringLiteral("invalid JSON: %1").arg(reason);
    }
    return diagnostic;
}

int maximumDepth(std::string_view text)
{
    int depth = 0;
    int deepest = 0;
    bool inString = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"')
            inString = true;
        else if (c == '{' || c == '[')
            deepest = std::max(deepest, ++depth);
        else if (c == '}' || c == ']')
            --depth;
    }
    return deepest;
}

} // namespace

int InventoryJsonImporter::sniff(const SniffSample &sample) const
{
    const QByteArray head = sample.head.left(4096);
    if (head.contains("\"chainsight_inventory\""))
        return 100;
    if (sample.fileName.endsWith(QLatin1String(".json"), Qt::CaseInsensitive) && head.contains("\"agents\"")
        && head.trimmed().startsWith('{'))
        return 40;
    return 0;
}

qint64 InventoryJsonImporter::import(ImportContext &context) const
{
    const auto bytes = readWholeFile(context);
    if (!bytes)
        return -1;
    const std::string_view text(bytes->constData(), static_cast<std::size_t>(bytes->size()));
    if (maximumDepth(text) > maximumNestingDepth) {
        context.error({}, QStringLiteral("JSON nested more than %1 levels deep; an inventory never is").arg(maximumNestingDepth));
        return -1;
    }

    // simdjson validates lazily and ignores trailing text; the whole document must be valid JSON first.
    if (!json::accept(text.begin(), text.end())) {
        context.report(syntaxError(context.path(), text));
        return -1;
    }
    simdjson::ondemand::parser parser;
    const simdjson::padded_string padded(text);
    simdjson::ondemand::document document;
    simdjson::ondemand::object root;
    if (parser.iterate(padded).get(document) != simdjson::SUCCESS || document.get_object().get(root) != simdjson::SUCCESS) {
        Diagnostic diagnostic = syntaxError(context.path(), text);
        if (diagnostic.message == QLatin1String("the document is not valid JSON"))
            diagnostic.message = QStringLiteral("an inventory must be a JSON object with \"chainsight_inventory\": 1");
        context.report(diagnostic);
        return -1;
    }

    qint64 imported = 0;
    LineCounter lines;
    QHash<QString, TextPosition> firstSeen[3];
    bool sawVersion = false;
    const char *const base = padded.data();
    // Records are written in file order; a later duplicate id in the same file is an error, not an update.
    auto handleArray = [&](int kind, simdjson::ondemand::value value, const char *what) -> bool {
        simdjson::ondemand::array array;
        if (value.get_array().get(array) != simdjson::SUCCESS) {
            context.error(lines.positionOf(text, static_cast<std::size_t>(value.current_location().value_unsafe() - base)),
                          QStringLiteral("\"%1s\" must be a list").arg(QLatin1String(what)));
            return true;
        }
        for (auto element : array) {
            if (context.isCancelled())
                return false;
            simdjson::ondemand::value item;
            if (element.get(item) != simdjson::SUCCESS)
                return false;
            const char *start = nullptr;
            if (item.current_location().get(start) != simdjson::SUCCESS)
                return false;
            std::string_view raw;
            simdjson::ondemand::json_type type;
            if (item.type().get(type) != simdjson::SUCCESS)
                return false;
            if (type == simdjson::ondemand::json_type::object) {
                simdjson::ondemand::object object;
                if (item.get_object().get(object) != simdjson::SUCCESS || object.raw_json().get(raw) != simdjson::SUCCESS)
                    return false;
            } else if (type == simdjson::ondemand::json_type::array) {
                simdjson::ondemand::array nested;
                if (item.get_array().get(nested) != simdjson::SUCCESS || nested.raw_json().get(raw) != simdjson::SUCCESS)
                    return false;
            } else {
                raw = item.raw_json_token();
            }
            const TextPosition position = lines.positionOf(text, static_cast<std::size_t>(start - base));
            QString problem;
            const auto record = parseRecord(raw, &problem);
            RecordCheck check;
            if (!record)
                check.fail(problem);
            QStringList warnings;
            QString id;
            if (record) {
                if (kind == 0) {
                    if (auto agent = agentFromJson(*record, check, &warnings)) {
                        id = agent->id;
                        if (!firstSeen[kind].contains(id))
                            context.writer().upsertAgent(*agent, context.sourceId());
                    }
                } else if (kind == 1) {
                    if (auto human = humanFromJson(*record, check)) {
                        id = human->id;
                        if (!firstSeen[kind].contains(id))
                            context.writer().upsertHuman(*human, context.sourceId());
                    }
                } else if (auto tool = toolFromJson(*record, check)) {
                    id = tool->id;
                    if (!firstSeen[kind].contains(id))
                        context.writer().upsertTool(*tool, context.sourceId());
                }
            }
            if (check.ok() && firstSeen[kind].contains(id)) {
                check.fail(QStringLiteral("%1 id %2 appears twice in this file (first at line %3); the first is kept")
                               .arg(QLatin1String(what), quoted(id))
                               .arg(firstSeen[kind].value(id).line));
            }
            if (!check.ok()) {
                context.error(position, QStringLiteral("%1 skipped: %2").arg(QLatin1String(what), check.message()));
            } else {
                firstSeen[kind].insert(id, position);
                ++imported;
                for (const QString &warning : std::as_const(warnings))
                    context.warning(position, QStringLiteral("%1 %2: %3").arg(QLatin1String(what), quoted(id), warning));
            }
            context.reportProgress(static_cast<qint64>(start - base), imported);
        }
        return true;
    };

    for (auto field : root) {
        if (context.isCancelled())
            return imported;
        std::string_view key;
        if (field.unescaped_key().get(key) != simdjson::SUCCESS)
            break;
        simdjson::ondemand::value value;
        if (field.value().get(value) != simdjson::SUCCESS)
            break;
        bool fine = true;
        if (key == "chainsight_inventory") {
            int64_t version = 0;
            const char *where = value.current_location().value_unsafe();
            if (value.get_int64().get(version) != simdjson::SUCCESS || version < 1) {
                context.error(lines.positionOf(text, static_cast<std::size_t>(where - base)),
                              QStringLiteral("\"chainsight_inventory\" must be the format version, 1"));
                return -1;
            }
            if (version > 1) {
                context.error(lines.positionOf(text, static_cast<std::size_t>(where - base)),
                              QStringLiteral("inventory format version %1 is newer than this Chainsight reads (1)").arg(version));
                return -1;
            }
            sawVersion = true;
        } else if (key == "agents") {
            fine = handleArray(0, value, "agent");
        } else if (key == "humans") {
            fine = handleArray(1, value, "human");
        } else if (key == "tools") {
            fine = handleArray(2, value, "tool");
        }
        if (!fine) {
            if (context.isCancelled())
                return imported;
            context.report(syntaxError(context.path(), text));
            return -1;
        }
    }
    if (context.isCancelled())
        return imported;
    if (!sawVersion)
        context.warning({1, 1}, QStringLiteral("no \"chainsight_inventory\" version key; read as version 1"));
    return imported;
}

// ---- CSV -------------------------------------------------------------------------------------------------

namespace {

struct CsvField
{
    QString text;
    TextPosition position;
};

// RFC 4180 reader that keeps the position of every field; quoted fields may span lines.
class CsvReader final
{
public:
    explicit CsvReader(std::string_view text)
        : m_text(text)
    {
        if (m_text.substr(0, 3) == "\xEF\xBB\xBF") // a BOM from spreadsheet exports
            m_offset = 3;
    }

    bool atEnd() const { return m_offset >= m_text.size(); }
    std::size_t offset() const { return m_offset; }

    // One record; false with *error when a quoted field is malformed.
    bool next(QList<CsvField> *fields, TextPosition *rowStart, QString *error)
    {
        fields->clear();
        *rowStart = position(m_offset);
        const std::size_t rowEnd = m_offset + maximumCsvRowBytes;
        auto tooLong = [&] {
            *error = QStringLiteral("the row is longer than %1 MB").arg(maximumCsvRowBytes >> 20);
            skipLine();
            return false;
        };
        while (true) {
            if (m_offset > rowEnd)
                return tooLong();
            CsvField field;
            field.position = position(m_offset);
            std::string value;
            if (m_offset < m_text.size() && m_text[m_offset] == '"') {
                ++m_offset;
                bool closed = false;
                while (m_offset < m_text.size()) {
                    if (m_offset > rowEnd)
                        return tooLong();
                    const char c = m_text[m_offset++];
                    if (c == '"') {
                        if (m_offset < m_text.size() && m_text[m_offset] == '"') {
                            value.push_back('"');
                            ++m_offset;
                        } else {
                            closed = true;
                            break;
                        }
                    } else {
                        value.push_back(c);
                    }
                }
                if (!closed) {
                    *error = QStringLiteral("a quoted field is never closed");
                    m_offset = m_text.size();
                    return false;
                }
                if (m_offset < m_text.size() && m_text[m_offset] != ',' && m_text[m_offset] != '\n'
                    && m_text[m_offset] != '\r') {
                    *error = QStringLiteral("text after the closing quote of a field");
                    skipLine();
                    return false;
                }
            } else {
                while (m_offset < m_text.size() && m_text[m_offset] != ',' && m_text[m_offset] != '\n'
                       && m_text[m_offset] != '\r') {
                    if (m_offset > rowEnd)
                        return tooLong();
                    value.push_back(m_text[m_offset++]);
                }
            }
            field.text = QString::fromUtf8(value.data(), static_cast<qsizetype>(value.size()));
            fields->push_back(field);
            if (m_offset >= m_text.size())
                return true;
            const char c = m_text[m_offset++];
            if (c == ',')
                continue;
            if (c == '\r' && m_offset < m_text.size() && m_text[m_offset] == '\n')
                ++m_offset;
            return true;
        }
    }

    TextPosition position(std::size_t offset) { return m_lines.positionOf(m_text, offset); }

private:
    void skipLine()
    {
        while (m_offset < m_text.size() && m_text[m_offset] != '\n')
            ++m_offset;
        if (m_offset < m_text.size())
            ++m_offset;
    }

    std::string_view m_text;
    std::size_t m_offset = 0;
    LineCounter m_lines;
};

QStringList splitList(const QString &cell)
{
    QStringList items;
    for (const QString &part : cell.split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
        const QString trimmed = part.trimmed();
        if (!trimmed.isEmpty())
            items.push_back(trimmed);
    }
    return items;
}

bool isValidUtf8(QByteArrayView bytes)
{
    return simdjson::validate_utf8(bytes.data(), static_cast<std::size_t>(bytes.size()));
}

} // namespace

int InventoryCsvImporter::sniff(const SniffSample &sample) const
{
    QByteArray firstLine = sample.head.left(4096);
    if (firstLine.startsWith("\xEF\xBB\xBF"))
        firstLine = firstLine.mid(3);
    firstLine = firstLine.left(firstLine.indexOf('\n')).trimmed();
    const QList<QByteArray> columns = firstLine.split(',');
    if (!columns.contains("id"))
        return 0;
    int score = 30;
    for (const char *column : {"role", "owner", "credentials", "intents", "purpose"})
        score += columns.contains(column) ? 14 : 0;
    return std::min(score, 100);
}

qint64 InventoryCsvImporter::import(ImportContext &context) const
{
    const auto bytes = readWholeFile(context);
    if (!bytes)
        return -1;
    if (!isValidUtf8(*bytes)) {
        // Locate the first bad byte so the user can find it.
        const QString decoded = QString::fromUtf8(*bytes);
        const qsizetype bad = decoded.indexOf(QChar::ReplacementCharacter);
        const QByteArray prefix = decoded.left(std::max<qsizetype>(bad, 0)).toUtf8();
        context.error(positionOfOffset(std::string_view(bytes->constData(), static_cast<std::size_t>(bytes->size())),
                                       static_cast<std::size_t>(prefix.size())),
                      QStringLiteral("the file is not valid UTF-8"));
        return -1;
    }
    CsvReader reader(std::string_view(bytes->constData(), static_cast<std::size_t>(bytes->size())));
    QList<CsvField> header;
    TextPosition rowStart;
    QString error;
    if (reader.atEnd() || !reader.next(&header, &rowStart, &error)) {
        context.error({1, 1}, error.isEmpty() ? QStringLiteral("the file is empty; a header row is required") : error);
        return -1;
    }
    QHash<QString, int> column;
    for (int i = 0; i < header.size(); ++i) {
        const QString name = header[i].text.trimmed();
        if (column.contains(name)) {
            context.error(header[i].position, QStringLiteral("column %1 appears twice in the header").arg(quoted(name)));
            return -1;
        }
        column.insert(name, i);
    }
    if (!column.contains(QStringLiteral("id"))) {
        context.error({1, 1}, QStringLiteral("the header row has no \"id\" column"));
        return -1;
    }
    static const QStringList knownColumns = {
        QStringLiteral("id"),      QStringLiteral("name"),           QStringLiteral("role"),
        QStringLiteral("owner"),   QStringLiteral("purpose"),        QStringLiteral("intents"),
        QStringLiteral("may_delegate_to"), QStringLiteral("max_delegation_depth"), QStringLiteral("credentials"),
    };

    qint64 imported = 0;
    QHash<QString, qint64> firstSeen;
    QList<CsvField> fields;
    while (!reader.atEnd()) {
        if (context.isCancelled())
            return imported;
        if (!reader.next(&fields, &rowStart, &error)) {
            context.error(rowStart, QStringLiteral("row skipped: %1").arg(error));
            continue;
        }
        if (fields.size() == 1 && fields[0].text.trimmed().isEmpty())
            continue; // blank line
        if (fields.size() != header.size()) {
            context.error(rowStart, QStringLiteral("row skipped: it has %1 fields, the header has %2")
                                        .arg(fields.size())
                                        .arg(header.size()));
            continue;
        }
        auto cell = [&](const QString &name) -> const CsvField * {
            const int index = column.value(name, -1);
            return index >= 0 ? &fields[index] : nullptr;
        };
        auto cellText = [&](const QString &name) {
            const CsvField *field = cell(name);
            return field ? field->text.trimmed() : QString();
        };

        AgentRecord agent;
        QList<std::pair<TextPosition, QString>> problems;
        agent.id = cellText(QStringLiteral("id"));
        if (agent.id.isEmpty())
            problems.push_back({cell(QStringLiteral("id"))->position, QStringLiteral("the agent has no id")});
        agent.name = cellText(QStringLiteral("name"));
        agent.role = cellText(QStringLiteral("role"));
        agent.owner = cellText(QStringLiteral("owner"));
        agent.purpose = cellText(QStringLiteral("purpose"));
        agent.intents = splitList(cellText(QStringLiteral("intents")));
        agent.mayDelegateTo = splitList(cellText(QStringLiteral("may_delegate_to")));
        if (const QString depth = cellText(QStringLiteral("max_delegation_depth")); !depth.isEmpty()) {
            bool ok = false;
            const int value = depth.toInt(&ok);
            if (!ok || value < 0 || value > 1000)
                problems.push_back({cell(QStringLiteral("max_delegation_depth"))->position,
                                    QStringLiteral("max_delegation_depth must be a whole number from 0 to 1000, not %1")
                                        .arg(quoted(depth))});
            else
                agent.maxDelegationDepth = value;
        }
        QStringList warnings;
        if (const CsvField *credentials = cell(QStringLiteral("credentials"))) {
            for (const QString &item : splitList(credentials->text)) {
                const qsizetype colon = item.indexOf(QLatin1Char(':'));
                CredentialRecord credential;
                if (colon > 0) {
                    credential.type = item.left(colon).trimmed();
                    credential.id = item.mid(colon + 1).trimmed();
                }
                if (credential.type.isEmpty() || credential.id.isEmpty()) {
                    problems.push_back({credentials->position,
                                        QStringLiteral("credential %1 is not of the form type:id").arg(quoted(item))});
                    continue;
                }
                credential.expiresNever = true;
                if (!CredentialTypes::known().contains(credential.type))
                    warnings.push_back(QStringLiteral("unknown credential type %1 kept as it is").arg(quoted(credential.type)));
                agent.credentials.push_back(credential);
            }
        }
        json extra = json::object();
        for (auto it = column.cbegin(); it != column.cend(); ++it) {
            if (!knownColumns.contains(it.key()) && !fields[it.value()].text.isEmpty())
                extra[it.key().toStdString()] = fields[it.value()].text.toStdString();
        }
        agent.extraJson = extra.empty() ? QString() : qs(extra.dump());
        if (problems.isEmpty() && firstSeen.contains(agent.id)) {
            problems.push_back({rowStart, QStringLiteral("agent id %1 appears twice in this file (first at line %2); "
                                                         "the first is kept")
                                              .arg(quoted(agent.id))
                                              .arg(firstSeen.value(agent.id))});
        }
        if (!problems.isEmpty()) {
            QStringList reasons;
            for (const auto &problem : std::as_const(problems))
                reasons.push_back(problem.second);
            context.error(problems.front().first, QStringLiteral("agent skipped: %1").arg(reasons.join(QStringLiteral("; "))));
            continue;
        }
        if (!agent.role.isEmpty() && !AgentRoles::known().contains(agent.role))
            warnings.push_back(QStringLiteral("role %1 is not one of supervisor, worker, sub-agent, tool-proxy; kept as "
                                              "written").arg(quoted(agent.role)));
        for (const QString &warning : std::as_const(warnings))
            context.warning(rowStart, QStringLiteral("agent %1: %2").arg(quoted(agent.id), warning));
        context.writer().upsertAgent(agent, context.sourceId());
        firstSeen.insert(agent.id, rowStart.line);
        ++imported;
        context.reportProgress(static_cast<qint64>(reader.offset()), imported);
    }
    return imported;
}

} // namespace chainsight
