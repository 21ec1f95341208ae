#include "PolicyResources.h"

#include "ReplayCorpus.h"

#include "cedar/Schema.h"
#include "cedar/Value.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>

namespace chainsight {
namespace {

QString readResource(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

QString annotation(const QString &text, const QString &name)
{
    const QRegularExpression pattern(QStringLiteral("@%1\\(\"([^\"]*)\"\\)").arg(name));
    const QRegularExpressionMatch match = pattern.match(text);
    return match.hasMatch() ? match.captured(1) : QString();
}

QString cedarString(const QString &text)
{
    return QString::fromStdString(cedar::quoteCedarString(text.toStdString()));
}

const QString &appliesTo()
{
    static const QString text = QStringLiteral(
        "    appliesTo {\n"
        "        principal: [Agent, Human, Shadow],\n"
        "        resource: [Tool, Host, McpServer, AwsResource],\n"
        "        context: Context,\n"
        "    };\n");
    return text;
}

} // namespace

QString shippedPolicySchema()
{
    return readResource(QStringLiteral(":/policy/chainsight.cedarschema"));
}

QString workspacePolicySchema(const ReplayCorpus *corpus)
{
    QString schema = shippedPolicySchema();
    if (!corpus)
        return schema;
    // Groups the shipped schema does not declare yet (a category only this workspace uses).
    std::vector<cedar::Diagnostic> diagnostics;
    const auto parsed = cedar::Schema::parse(schema.toStdString(), diagnostics);
    auto shippedAction = [&](const QString &name) {
        return parsed && parsed->action(cedar::internUid("Action", name.toStdString()));
    };
    QString extra = QStringLiteral("\n// Declared from the workspace: its action groups and tool actions.\n");
    for (const QString &group : corpus->actionGroups()) {
        if (!shippedAction(group))
            extra += QStringLiteral("action %1\n").arg(cedarString(group)) + appliesTo();
    }
    const auto groupsOf = corpus->actionGroupsOf();
    const QStringList groupNames = corpus->actionGroups();
    for (const QString &tool : corpus->toolActionNames()) {
        if (groupNames.contains(tool))
            continue;
        extra += QStringLiteral("action %1").arg(cedarString(tool));
        const QStringList groups = groupsOf.value(tool);
        if (!groups.isEmpty()) {
            QStringList quoted;
            for (const QString &group : groups)
                quoted.append(cedarString(group));
            extra += QStringLiteral(" in [%1]").arg(quoted.join(QStringLiteral(", ")));
        }
        extra += QLatin1Char('\n') + appliesTo();
    }
    return schema + extra;
}

QList<StarterPolicy> starterPolicies()
{
    QList<StarterPolicy> out;
    QDir dir(QStringLiteral(":/policy/library"));
    const QStringList files = dir.entryList({QStringLiteral("*.cedar")}, QDir::Files, QDir::Name);
    for (const QString &file : files) {
        StarterPolicy policy;
        policy.fileName = file;
        policy.text = readResource(dir.filePath(file));
        policy.id = annotation(policy.text, QStringLiteral("id"));
        policy.title = annotation(policy.text, QStringLiteral("title"));
        policy.rule = annotation(policy.text, QStringLiteral("rule"));
        out.append(policy);
    }
    return out;
}

const StarterPolicy *findStarterPolicy(const QList<StarterPolicy> &policies, const QString &id)
{
    for (const StarterPolicy &policy : policies) {
        if (policy.id == id)
            return &policy;
    }
    return nullptr;
}

} // namespace chainsight
