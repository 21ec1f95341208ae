#pragma once

// Delegation graphs of the shape gen_enterprise.py worlds have, for the layout tests and benchmarks:
// humans start work at the supervisors of their department, agents delegate along `may_delegate_to`,
// and agents call their own tools (their `intents` less their delegates'), as the generated traces do.

#include "IdentityGraph.h"
#include "IdentityGraphLayout.h"
#include "LayeredLayout.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <random>
#include <tuple>
#include <vector>

namespace chainsight::testing {

struct ShapeNode
{
    QString id;
    QString kind; // human, supervisor, worker, sub-agent, tool
    QString owner;
};

struct ShapeEdge
{
    int source = 0;
    int target = 0;
    bool calls = false;
};

struct EnterpriseShape
{
    std::vector<ShapeNode> nodes;
    std::vector<ShapeEdge> edges;

    int add(QString id, QString kind, QString owner = {})
    {
        nodes.push_back({std::move(id), std::move(kind), std::move(owner)});
        return static_cast<int>(nodes.size()) - 1;
    }
};

// From a generated inventory.json (`chainsight_inventory` document).
inline EnterpriseShape shapeFromInventory(const QJsonObject &inventory)
{
    EnterpriseShape shape;
    QHash<QString, int> index;
    QHash<QString, QString> departmentOf;
    QHash<QString, QList<int>> humansOf;
    for (const QJsonValue &value : inventory.value(QStringLiteral("humans")).toArray()) {
        const QJsonObject human = value.toObject();
        const QString id = human.value(QStringLiteral("id")).toString();
        const int node = shape.add(id, QStringLiteral("human"));
        index.insert(id, node);
        departmentOf.insert(id, human.value(QStringLiteral("department")).toString());
        humansOf[departmentOf.value(id)].append(node);
    }
    const QJsonArray agents = inventory.value(QStringLiteral("agents")).toArray();
    for (const QJsonValue &value : agents) {
        const QJsonObject agent = value.toObject();
        const QString id = agent.value(QStringLiteral("id")).toString();
        index.insert(id, shape.add(id, agent.value(QStringLiteral("role")).toString(), agent.value(QStringLiteral("owner")).toString()));
    }
    for (const QJsonValue &value : inventory.value(QStringLiteral("tools")).toArray()) {
        const QString id = value.toObject().value(QStringLiteral("id")).toString();
        index.insert(id, shape.add(id, QStringLiteral("tool")));
    }
    // Humans of a department start work at its supervisors, round robin, and owners at their own.
    QHash<QString, QList<int>> supervisorsOf;
    int unowned = 0;
    for (const QJsonValue &value : agents) {
        const QJsonObject agent = value.toObject();
        if (agent.value(QStringLiteral("role")).toString() != QLatin1String("supervisor"))
            continue;
        const QString owner = agent.value(QStringLiteral("owner")).toString();
        QString department = departmentOf.value(owner);
        if (department.isEmpty() && !humansOf.isEmpty()) {
            QStringList departments = humansOf.keys();
            departments.sort();
            department = departments.at(unowned++ % departments.size());
        }
        supervisorsOf[department].append(index.value(agent.value(QStringLiteral("id")).toString()));
        if (index.contains(owner))
            shape.edges.push_back({index.value(owner), index.value(agent.value(QStringLiteral("id")).toString()), false});
    }
    QStringList departments = humansOf.keys();
    departments.sort();
    for (const QString &department : std::as_const(departments)) {
        const QList<int> supervisors = supervisorsOf.value(department);
        const QList<int> humans = humansOf.value(department);
        if (supervisors.isEmpty())
            continue;
        for (int k = 0; k < humans.size(); ++k)
            shape.edges.push_back({humans.at(k), supervisors.at(k % supervisors.size()), false});
    }
    // An agent calls its own tools: its intents less those of its delegates (intents are the union down the
    // tree), or its first intent when its delegates cover them all.
    QHash<QString, QStringList> intentsOf;
    for (const QJsonValue &value : agents) {
        const QJsonObject agent = value.toObject();
        for (const QJsonValue &intent : agent.value(QStringLiteral("intents")).toArray())
            intentsOf[agent.value(QStringLiteral("id")).toString()].append(intent.toString());
    }
    for (const QJsonValue &value : agents) {
        const QJsonObject agent = value.toObject();
        const QString id = agent.value(QStringLiteral("id")).toString();
        const int from = index.value(id);
        QStringList own = intentsOf.value(id);
        for (const QJsonValue &delegate : agent.value(QStringLiteral("may_delegate_to")).toArray()) {
            if (index.contains(delegate.toString()))
                shape.edges.push_back({from, index.value(delegate.toString()), false});
            for (const QString &intent : intentsOf.value(delegate.toString()))
                own.removeAll(intent);
        }
        if (own.isEmpty() && !intentsOf.value(id).isEmpty())
            own.append(intentsOf.value(id).constFirst());
        for (const QString &tool : std::as_const(own)) {
            if (index.contains(tool))
                shape.edges.push_back({from, index.value(tool), true});
        }
    }
    // Duplicates (an owner who is also the round-robin human) are one edge.
    std::sort(shape.edges.begin(), shape.edges.end(), [](const ShapeEdge &a, const ShapeEdge &b) {
        return std::tie(a.source, a.target, a.calls) < std::tie(b.source, b.target, b.calls);
    });
    shape.edges.erase(std::unique(shape.edges.begin(), shape.edges.end(),
                                  [](const ShapeEdge &a, const ShapeEdge &b) { return a.source == b.source && a.target == b.target; }),
                      shape.edges.end());
    return shape;
}

// The same shape without the generator: `agents` agents in ten departments, a quarter as many humans, 51 tools.
inline EnterpriseShape synthesizeEnterprise(int agents, unsigned seed = 1)
{
    std::mt19937 random(seed);
    const auto below = [&](int n) { return n <= 0 ? 0 : static_cast<int>(random() % static_cast<unsigned>(n)); };
    EnterpriseShape shape;
    constexpr int departments = 10;
    constexpr int toolCount = 51;
    std::vector<int> tools;
    for (int t = 0; t < toolCount; ++t)
        tools.push_back(shape.add(QStringLiteral("tool.%1").arg(t), QStringLiteral("tool")));
    const int humansPerDepartment = std::max(1, agents / 4 / departments);
    const int agentsPerDepartment = std::max(3, agents / departments);
    for (int d = 0; d < departments; ++d) {
        std::vector<int> humans;
        for (int h = 0; h < humansPerDepartment; ++h)
            humans.push_back(shape.add(QStringLiteral("human-%1-%2@corp.example").arg(d).arg(h), QStringLiteral("human")));
        std::vector<int> departmentTools;
        for (int t = 0; t < 12; ++t)
            departmentTools.push_back(tools[static_cast<size_t>((d * 5 + t * 3) % toolCount)]);
        const int supervisors = std::max(1, agentsPerDepartment * 11 / 100);
        const int workers = std::max(1, agentsPerDepartment * 32 / 100);
        const int subAgents = std::max(1, agentsPerDepartment - supervisors - workers);
        const auto owner = [&] { return below(30) == 0 ? QString() : shape.nodes[static_cast<size_t>(humans[static_cast<size_t>(below(static_cast<int>(humans.size())))])].id; };
        std::vector<int> supervisorNodes;
        std::vector<int> workerNodes;
        std::vector<int> subAgentNodes;
        for (int i = 0; i < supervisors; ++i)
            supervisorNodes.push_back(shape.add(QStringLiteral("dept%1-supervisor-%2").arg(d).arg(i), QStringLiteral("supervisor"), owner()));
        for (int i = 0; i < workers; ++i)
            workerNodes.push_back(shape.add(QStringLiteral("dept%1-worker-%2").arg(d).arg(i), QStringLiteral("worker"), owner()));
        for (int i = 0; i < subAgents; ++i)
            subAgentNodes.push_back(shape.add(QStringLiteral("dept%1-sub-agent-%2").arg(d).arg(i), QStringLiteral("sub-agent"), owner()));
        for (size_t h = 0; h < humans.size(); ++h)
            shape.edges.push_back({humans[h], supervisorNodes[h % supervisorNodes.size()], false});
        // Teams: each supervisor delegates to about three workers, each worker to one or two sub-agents.
        for (size_t w = 0; w < workerNodes.size(); ++w) {
            shape.edges.push_back({supervisorNodes[w % supervisorNodes.size()], workerNodes[w], false});
            if (below(8) == 0)
                shape.edges.push_back({supervisorNodes[static_cast<size_t>(below(static_cast<int>(supervisorNodes.size())))], workerNodes[w], false});
        }
        // Some sub-agents hand a step to a helper sub-agent, one level down at most.
        std::vector<char> helper(subAgentNodes.size(), 0);
        for (size_t s = 0; s < subAgentNodes.size(); ++s) {
            shape.edges.push_back({workerNodes[s % workerNodes.size()], subAgentNodes[s], false});
            if (s > 0 && !helper[s - 1] && below(5) == 0) {
                shape.edges.push_back({subAgentNodes[s - 1], subAgentNodes[s], false});
                helper[s] = 1;
            }
        }
        const auto callTools = [&](int agent, int count) {
            const int first = below(12);
            for (int k = 0; k < count; ++k)
                shape.edges.push_back({agent, departmentTools[static_cast<size_t>((first + k) % 12)], true});
        };
        for (int s : supervisorNodes)
            callTools(s, 1);
        for (int w : workerNodes)
            callTools(w, 3 + below(4));
        for (int s : subAgentNodes)
            callTools(s, 2 + below(2));
    }
    return shape;
}

inline GraphNodeKind shapeKind(const ShapeNode &node)
{
    if (node.kind == QLatin1String("human"))
        return GraphNodeKind::Human;
    if (node.kind == QLatin1String("tool"))
        return GraphNodeKind::Tool;
    if (node.kind == QLatin1String("supervisor"))
        return GraphNodeKind::Supervisor;
    if (node.kind == QLatin1String("worker"))
        return GraphNodeKind::Worker;
    if (node.kind == QLatin1String("sub-agent"))
        return GraphNodeKind::SubAgent;
    return GraphNodeKind::Agent;
}

inline LayoutGraph layoutGraphOf(const EnterpriseShape &shape)
{
    LayoutGraph graph;
    for (const ShapeNode &node : shape.nodes) {
        const GraphNodeKind kind = shapeKind(node);
        const QSizeF size = graphNodeSize(kind);
        graph.nodes.push_back({graphRankClass(kind), size.width(), size.height()});
    }
    for (const ShapeEdge &edge : shape.edges)
        graph.edges.push_back({edge.source, edge.target});
    return graph;
}

// An identity graph of the shape, with protocols, counts, retention and a few findings, as the view gets it.
inline IdentityGraph identityGraphOf(const EnterpriseShape &shape, unsigned seed = 7)
{
    std::mt19937 random(seed);
    IdentityGraph graph;
    for (const ShapeNode &node : shape.nodes) {
        IdentityGraphNode out;
        out.id = node.id;
        out.label = node.id;
        out.owner = node.owner;
        if (node.kind == QLatin1String("human"))
            out.kind = ChainPartyKind::Human;
        else if (node.kind == QLatin1String("tool"))
            out.kind = ChainPartyKind::Tool;
        else {
            out.kind = ChainPartyKind::Agent;
            out.role = node.kind;
        }
        if (random() % 23 == 0) {
            out.findingCount = 1 + static_cast<int>(random() % 3);
            out.findingRules = {QStringLiteral("intent-drift")};
        }
        graph.nodeIndex.insert(out.id, static_cast<int>(graph.nodes.size()));
        graph.nodes.append(out);
    }
    const QStringList callProtocols{QStringLiteral("mcp"), QStringLiteral("otlp"), QStringLiteral("aws")};
    const QStringList hopProtocols{QStringLiteral("otlp"), QStringLiteral("keycloak"), QStringLiteral("okta")};
    const qint64 start = 1772438400000; // 2026-03-02T08:00:00Z
    for (const ShapeEdge &edge : shape.edges) {
        IdentityGraphEdge out;
        out.source = edge.source;
        out.target = edge.target;
        out.kind = edge.calls ? IdentityGraphEdgeKind::Calls : IdentityGraphEdgeKind::Delegates;
        out.protocols = {(edge.calls ? callProtocols : hopProtocols).at(static_cast<int>(random() % 3))};
        out.count = 1 + static_cast<int>(random() % 60);
        const unsigned r = random() % 20;
        out.retention = r == 0 ? 0.2 : r < 3 ? 0.65 : 1.0;
        out.firstTimeMs = start + static_cast<qint64>(random() % (30 * 86400)) * 1000;
        out.lastTimeMs = out.firstTimeMs + static_cast<qint64>(random() % 86400) * 1000;
        out.chainKeys = {QStringLiteral("trace-%1").arg(random() % 5000)};
        out.findingCount = random() % 40 == 0 ? 1 : 0;
        graph.edges.append(out);
    }
    return graph;
}

} // namespace chainsight::testing
