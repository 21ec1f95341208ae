#include "ChainJson.h"

#include <QDateTime>
#include <QJsonArray>


#include <QLocale>

#include <charconv>
#include <cmath>
#include <cstdio>

namespace chainsight {
namespace {

QJsonValue optionalText(const QString &text)
{
    return text.isEmpty() ? QJsonValue() : QJsonValue(text);
}

QJsonValue timeValue(qint64 timeMs)
{
    return timeMs ? QJsonValue(timeText(timeMs)) : QJsonValue();
}

double rounded(double value)
{
    return std::round(value * 10000.0) / 10000.0;
}

} // namespace

namespace {

void appendJsonString(QByteArray &out, const QString &text)
{
    out.append('"');
    // Plain ASCII (nearly every id, scope and protocol) is copied as is; anything else goes through UTF-8.
    const char16_t *chars = reinterpret_cast<const char16_t *>(text.constData());
    const qsizetype size = text.size();
    bool plain = true;
    for (qsizetype i = 0; i < size && plain; ++i)
        plain = chars[i] >= 0x20 && chars[i] < 0x7f && chars[i] != '"' && chars[i] != '\\';
    if (plain) {
        const qsizetype at = out.size();
        out.resize(at + size);
        char *to = out.data() + at;
        for (qsizetype i = 0; i < size; ++i)
            to[i] = char(chars[i]);
        out.append('"');
        return;
    }
    const QByteArray utf8 = text.toUtf8();
    for (const char c : utf8) {
        switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\b': out.append("\\b"); break;
        case '\f': out.append("\\f"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char escaped[8];
                std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned char>(c));
                out.append(escaped);
            } else {
                out.append(c);
            }
        }
    }
    out.append('"');
}

void appendInteger(QByteArray &out, qint64 value)
{
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out.append(digits, end - digits);
}

void appendOptionalString(QByteArray &out, const QString &text)
{
    if (text.isEmpty())
        out.append("null");
    else
        appendJsonString(out, text);
}

void appendStringArray(QByteArray &out, const QStringList &list)
{
    out.append('[');
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (i)
            out.append(',');
        appendJsonString(out, list.at(i));
    }
    out.append(']');
}

void appendNumber(QByteArray &out, double value)
{
    // Whole numbers (a confidence or retention of 1, say) are written as QJsonDocument writes them: no point.
    if (value == std::trunc(value) && std::abs(value) < 9007199254740992.0 && !(value == 0 && std::signbit(value))) {
        appendInteger(out, static_cast<qint64>(value));
        return;
    }
    out.append(QByteArray::number(value, 'g', QLocale::FloatingPointShortest));
}

// yyyy-MM-ddTHH:mm:ss.zzzZ, as QDateTime writes Qt::ISODateWithMs in UTC, without a QDateTime.
void appendTime(QByteArray &out, qint64 timeMs)
{
    if (!timeMs) {
        out.append("null");
        return;
    }
    qint64 days = timeMs / 86400000;
    qint64 msOfDay = timeMs % 86400000;
    if (msOfDay < 0) {
        msOfDay += 86400000;
        --days;
    }
    // Civil from days (Howard Hinnant's algorithm).
    const qint64 z = days + 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const qint64 doe = z - era * 146097;
    const qint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const qint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const qint64 mp = (5 * doy + 2) / 153;
    const qint64 day = doy - (153 * mp + 2) / 5 + 1;
    const qint64 month = mp < 10 ? mp + 3 : mp - 9;
    const qint64 year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    if (year < 0 || year > 9999) { // outside what the fixed form writes: let QDateTime say it
        appendJsonString(out, timeText(timeMs));
        return;
    }
    char text[160]; // wide enough for any long long per field, which the compiler cannot rule out
    std::snprintf(text, sizeof text, "\"%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ\"", static_cast<long long>(year),
                  static_cast<long long>(month), static_cast<long long>(day), static_cast<long long>(msOfDay / 3600000),
                  static_cast<long long>(msOfDay / 60000 % 60), static_cast<long long>(msOfDay / 1000 % 60),
                  static_cast<long long>(msOfDay % 1000));
    out.append(text);
}

} // namespace

QByteArray hopsToCompactJson(const QList<ChainHop> &hops)
{
    QByteArray out;
    out.reserve(hops.size() * 320 + 2);
    out.append('[');
    for (qsizetype i = 0; i < hops.size(); ++i) {
        const ChainHop &hop = hops.at(i);
        if (i)
            out.append(',');
        out.append("{\"actions\":");
        appendInteger(out, hop.actionCount);
        out.append(",\"confidence\":");
        appendNumber(out, hop.confidence);
        out.append(",\"event\":");
        if (hop.eventId)
            appendInteger(out, hop.eventId);
        else
            out.append("null");
        out.append(",\"from\":");
        appendOptionalString(out, hop.delegator);
        out.append(",\"from_kind\":");
        appendJsonString(out, partyKindName(hop.delegatorKind));
        out.append(",\"level\":");
        appendInteger(out, hop.level);
        out.append(",\"link\":").append(hop.inferred ? "\"inferred\"" : "\"explicit\"");
        out.append(",\"protocol\":");
        appendJsonString(out, hop.protocol);
        out.append(",\"protocols\":");
        appendStringArray(out, hop.protocols);
        out.append(",\"retention\":");
        appendNumber(out, rounded(hop.retention));
        out.append(",\"scopes\":");
        appendStringArray(out, hop.scopes);
        out.append(",\"time\":");
        appendTime(out, hop.timeMs);
        out.append(",\"to\":");
        appendOptionalString(out, hop.delegate);
        out.append(",\"to_kind\":");
        appendJsonString(out, partyKindName(hop.delegateKind));
        out.append('}');
    }
    out.append(']');
    return out;
}

QString timeText(qint64 timeMs)
{
    if (!timeMs)
        return QString();
    return QDateTime::fromMSecsSinceEpoch(timeMs, Qt::UTC).toString(Qt::ISODateWithMs);
}

QJsonObject hopToJson(const ChainHop &hop)
{
    return QJsonObject{
        {QStringLiteral("from"), optionalText(hop.delegator)},
        {QStringLiteral("from_kind"), partyKindName(hop.delegatorKind)},
        {QStringLiteral("to"), optionalText(hop.delegate)},
        {QStringLiteral("to_kind"), partyKindName(hop.delegateKind)},
        {QStringLiteral("protocol"), hop.protocol},
        {QStringLiteral("protocols"), QJsonArray::fromStringList(hop.protocols)},
        {QStringLiteral("scopes"), QJsonArray::fromStringList(hop.scopes)},
        {QStringLiteral("link"), hop.inferred ? QStringLiteral("inferred") : QStringLiteral("explicit")},
        {QStringLiteral("confidence"), hop.confidence},
        {QStringLiteral("time"), timeValue(hop.timeMs)},
        {QStringLiteral("event"), hop.eventId ? QJsonValue(hop.eventId) : QJsonValue()},
        {QStringLiteral("level"), hop.level},
        {QStringLiteral("retention"), rounded(hop.retention)},
        {QStringLiteral("actions"), hop.actionCount},
    };
}

QJsonObject actionToJson(const ChainAction &action)
{
    QJsonObject object{
        {QStringLiteral("event"), action.eventId},
        {QStringLiteral("actor"), optionalText(action.actor)},
        {QStringLiteral("actor_kind"), partyKindName(action.actorKind)},
        {QStringLiteral("protocol"), action.protocol},
        {QStringLiteral("action"), action.action},
        {QStringLiteral("tool"), action.tool},
        {QStringLiteral("resource"), optionalText(action.resource)},
        {QStringLiteral("time"), timeValue(action.timeMs)},
        {QStringLiteral("depth"), action.depth},
        {QStringLiteral("within_intent"), action.withinIntent},
    };
    if (!action.credentialType.isEmpty())
        object.insert(QStringLiteral("credential"), action.credentialType);
    if (action.tokenVerified)
        object.insert(QStringLiteral("token_verified"), *action.tokenVerified);
    return object;
}

QJsonObject chainToJson(const Chain &chain, bool withActions)
{
    QJsonArray hops;
    for (const ChainHop &hop : chain.hops)
        hops.append(hopToJson(hop));
    QJsonObject object{
        {QStringLiteral("id"), chain.key},
        {QStringLiteral("originator"), optionalText(chain.originator)},
        {QStringLiteral("root_agent"), optionalText(chain.root)},
        {QStringLiteral("depth"), chain.depth},
        {QStringLiteral("retention"), rounded(chain.retention)},
        {QStringLiteral("protocols"), QJsonArray::fromStringList(chain.protocols)},
        {QStringLiteral("first_time"), timeValue(chain.firstTimeMs)},
        {QStringLiteral("last_time"), timeValue(chain.lastTimeMs)},
        {QStringLiteral("human_approval"), chain.humanApproval},
        {QStringLiteral("root_intents"), QJsonArray::fromStringList(chain.rootIntents)},
        {QStringLiteral("root_scopes"), QJsonArray::fromStringList(chain.rootScopes)},
        {QStringLiteral("hops"), hops},
        {QStringLiteral("action_count"), chain.actions.size()},
    };
    if (withActions) {
        QJsonArray actions;
        for (const ChainAction &action : chain.actions)
            actions.append(actionToJson(action));
        object.insert(QStringLiteral("actions"), actions);
    }
    return object;
}

} // namespace chainsight
