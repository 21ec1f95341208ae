#include "EvidenceReport.h"

namespace chainsight {

std::optional<EvidenceScope> EvidenceScope::parse(const QString &text, QString *error)
{
    EvidenceScope scope;
    const QString word = text.section(QLatin1Char(':'), 0, 0);
    const QString subject = text.section(QLatin1Char(':'), 1);
    const bool hasSubject = text.contains(QLatin1Char(':'));
    if (word == QLatin1String("all") && !hasSubject) {
        scope.kind = Kind::All;
    } else if (word == QLatin1String("chain")) {
        scope.kind = hasSubject ? Kind::OneChain : Kind::Chains;
    } else if (word == QLatin1String("identity")) {
        scope.kind = hasSubject ? Kind::OneIdentity : Kind::Identities;
    } else {
        if (error)
            *error = QStringLiteral("--scope takes all, chain, identity, chain:KEY or identity:ID, not \"%1\"").arg(text);
        return std::nullopt;
    }
    if (hasSubject && subject.trimmed().isEmpty()) {
        if (error)
            *error = QStringLiteral("--scope %1 names no %2").arg(text, word);
        return std::nullopt;
    }
    scope.subject = subject.trimmed();
    return scope;
}

QString EvidenceScope::toString() const
{
    switch (kind) {
    case Kind::All:
        return QStringLiteral("all");
    case Kind::Chains:
        return QStringLiteral("chain");
    case Kind::Identities:
        return QStringLiteral("identity");
    case Kind::OneChain:
        return QStringLiteral("chain:") + subject;
    case Kind::OneIdentity:
        return QStringLiteral("identity:") + subject;
    }
    return {};
}

QString EvidenceScope::describe() const
{
    switch (kind) {
    case Kind::All:
        return QStringLiteral("the whole workspace: every chain, finding, identity and review");
    case Kind::Chains:
        return QStringLiteral("every delegation chain and the findings about a chain");
    case Kind::Identities:
        return QStringLiteral("the findings about identities (agents, shadows) rather than one chain");
    case Kind::OneChain:
        return QStringLiteral("the delegation chain %1 and its findings").arg(subject);
    case Kind::OneIdentity:
        return QStringLiteral("the identity %1, the chains it takes part in and their findings").arg(subject);
    }
    return {};
}

QString onDiskName(EvidenceInput::OnDisk state)
{
    switch (state) {
    case EvidenceInput::OnDisk::NotChecked:
        return QStringLiteral("not checked");
    case EvidenceInput::OnDisk::Matches:
        return QStringLiteral("matches");
    case EvidenceInput::OnDisk::Changed:
        return QStringLiteral("changed since import");
    case EvidenceInput::OnDisk::Missing:
        return QStringLiteral("missing");
    }
    return {};
}

} // namespace chainsight
