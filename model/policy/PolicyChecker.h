#pragma once

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

namespace chainsight {

namespace cedar {
class Schema;
}

class ReplayCorpus;

// A problem in a policy text, located in QString positions (UTF-16 code units) for the editor.
struct PolicyDiagnostic
{
    enum class Severity { Error, Warning };
    Severity severity = Severity::Error;
    int line = 1;   // 1-based
    int column = 1; // 1-based, in characters as Cedar counts them
    int position = 0; // QString index of the start
    int length = 1;   // QString length of the underlined text; at least 1
    QString message;

    QString toString(const QString &file) const; // file:line:col: error|warning: message
};

// Words the policy editor completes: from the schema and from the workspace.
struct PolicyVocabulary
{
    QStringList keywords;
    QStringList entityTypes;   // Agent, Human, ...
    QStringList actions;       // Action::"crm.update", Action::"high", ...
    QStringList contextPaths;  // context.delegation.depth, ...
    QHash<QString, QStringList> attributesOf; // entity type -> attribute names
    QStringList entities;      // Agent::"care-bot", Human::"alice@example.com", ... (from the workspace)

    // Everything, sorted and without duplicates: what a completer offers.
    QStringList words() const;
};

// Checks policy texts the way the editor shows them: Cedar syntax errors, the schema checks of
// `policy check --schema`, attributes read below the top level of the context that the schema does not declare,
// and entities that do not occur in the workspace.
class PolicyChecker final
{
public:
    // schemaText empty: syntax only. corpus may be null (no workspace open).
    PolicyChecker(const QString &schemaText, std::shared_ptr<const ReplayCorpus> corpus);
    ~PolicyChecker();

    bool hasSchema() const;
    QList<PolicyDiagnostic> schemaDiagnostics() const { return m_schemaDiagnostics; }
    QList<PolicyDiagnostic> check(const QString &text) const;
    const PolicyVocabulary &vocabulary() const { return m_vocabulary; }

private:
    std::unique_ptr<cedar::Schema> m_schema;
    std::shared_ptr<const ReplayCorpus> m_corpus;
    QList<PolicyDiagnostic> m_schemaDiagnostics;
    PolicyVocabulary m_vocabulary;
    QHash<QString, QStringList> m_knownIds; // entity type -> ids the workspace has
};

} // namespace chainsight
