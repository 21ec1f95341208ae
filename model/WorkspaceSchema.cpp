#include "WorkspaceSchema.h"

#include "SqliteDatabase.h"

#include <array>
#include <string>

namespace chainsight::WorkspaceSchema {
namespace {

// Migration N takes a workspace from user_version N to N+1. Never edit a shipped migration; append one.
constexpr std::array migrations = {
    // 0 -> 1: the whole store. Tables filled by later features exist from the start so their data needs
    // no rewrite: events, edges, chains, findings, policies, simulations and reviews.
    R"sql(
CREATE TABLE sources (
    id            INTEGER PRIMARY KEY,
    path          TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL UNIQUE,
    head_sha256   TEXT,
    format        TEXT NOT NULL,
    imported_at   TEXT NOT NULL,
    record_count  INTEGER NOT NULL DEFAULT 0,
    error_count   INTEGER NOT NULL DEFAULT 0,
    warning_count INTEGER NOT NULL DEFAULT 0,
    import_options TEXT
);
CREATE TABLE source_diagnostics (
    id        INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id),
    severity  TEXT NOT NULL,
    line      INTEGER,
    col       INTEGER,
    message   TEXT NOT NULL
);
CREATE INDEX source_diagnostics_by_source ON source_diagnostics(source_id);

CREATE TABLE identities (
    id                   INTEGER PRIMARY KEY,
    kind                 TEXT NOT NULL CHECK (kind IN ('human', 'agent', 'tool', 'shadow')),
    external_id          TEXT NOT NULL,
    display_name         TEXT,
    role                 TEXT,
    owner                TEXT,
    purpose              TEXT,
    department           TEXT,
    intents              TEXT,
    may_delegate_to      TEXT,
    max_delegation_depth INTEGER,
    server               TEXT,
    sensitivity          TEXT,
    category             TEXT,
    extra                TEXT,
    source_id            INTEGER REFERENCES sources(id),
    UNIQUE (kind, external_id)
);

CREATE TABLE credentials (
    id            INTEGER PRIMARY KEY,
    identity_id   INTEGER NOT NULL REFERENCES identities(id),
    type          TEXT NOT NULL,
    credential_id TEXT NOT NULL,
    namespace     TEXT NOT NULL DEFAULT '',
    scopes        TEXT,
    created       TEXT,
    last_rotated  TEXT,
    expires       TEXT,
    extra         TEXT,
    source_id     INTEGER REFERENCES sources(id),
    UNIQUE (identity_id, type, namespace, credential_id)
);

-- An alias maps (credential type, namespace, id) to an identity; one alias on two identities is a shared credential.
CREATE TABLE aliases (
    id          INTEGER PRIMARY KEY,
    alias_type  TEXT NOT NULL,
    namespace   TEXT NOT NULL DEFAULT '',
    alias       TEXT NOT NULL,
    identity_id INTEGER NOT NULL REFERENCES identities(id),
    source_id   INTEGER REFERENCES sources(id),
    UNIQUE (alias_type, namespace, alias, identity_id)
);
CREATE INDEX aliases_by_value ON aliases(alias, alias_type, namespace);

CREATE TABLE events (
    id                INTEGER PRIMARY KEY,
    source_id         INTEGER NOT NULL REFERENCES sources(id),
    line              INTEGER,
    time_ms           INTEGER,
    protocol          TEXT NOT NULL,
    kind              TEXT NOT NULL,
    actor_identity_id INTEGER REFERENCES identities(id),
    actor_alias       TEXT,
    originator        TEXT,
    action            TEXT,
    resource          TEXT,
    scopes            TEXT,
    outcome           TEXT,
    trace_id          TEXT,
    span_id           TEXT,
    parent_span_id    TEXT,
    session_id        TEXT,
    token_id          TEXT,
    access_key        TEXT,
    tool_call_id      TEXT,
    correlation_id    TEXT,
    attributes        TEXT,
    raw_offset        INTEGER,
    raw_length        INTEGER,
    raw               BLOB
);
-- No secondary index on events: every index costs a random B-tree insert per record during bulk imports.
-- The analysis creates the ones it needs (IF NOT EXISTS) once, after the data is in.

CREATE TABLE delegation_edges (
    id                    INTEGER PRIMARY KEY,
    source_id             INTEGER REFERENCES sources(id),
    event_id              INTEGER REFERENCES events(id),
    delegator_identity_id INTEGER REFERENCES identities(id),
    delegator_alias       TEXT,
    delegate_identity_id  INTEGER REFERENCES identities(id),
    delegate_alias        TEXT,
    protocol              TEXT NOT NULL,
    scopes                TEXT,
    time_ms               INTEGER,
    link_kind             TEXT NOT NULL CHECK (link_kind IN ('explicit', 'inferred')),
    confidence            REAL NOT NULL DEFAULT 1.0,
    trace_id              TEXT
);
CREATE INDEX delegation_edges_by_trace ON delegation_edges(trace_id);

CREATE TABLE analysis_runs (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    settings    TEXT
);

CREATE TABLE chains (
    id                INTEGER PRIMARY KEY,
    analysis_run_id   INTEGER REFERENCES analysis_runs(id),
    chain_key         TEXT NOT NULL,
    originator        TEXT,
    root_identity_id  INTEGER REFERENCES identities(id),
    depth             INTEGER NOT NULL DEFAULT 0,
    retention         REAL,
    first_time_ms     INTEGER,
    last_time_ms      INTEGER,
    hops              TEXT,
    UNIQUE (analysis_run_id, chain_key)
);

CREATE TABLE findings (
    id              INTEGER PRIMARY KEY,
    analysis_run_id INTEGER REFERENCES analysis_runs(id),
    rule            TEXT NOT NULL,
    severity        TEXT NOT NULL,
    subject         TEXT NOT NULL,
    title           TEXT NOT NULL,
    explanation     TEXT,
    chain_key       TEXT,
    identity_id     INTEGER REFERENCES identities(id),
    evidence        TEXT
);
CREATE INDEX findings_by_rule ON findings(rule, subject);

CREATE TABLE policy_versions (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    text       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    note       TEXT,
    author     TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE simulation_runs (
    id                         INTEGER PRIMARY KEY,
    policy_version_id          INTEGER NOT NULL REFERENCES policy_versions(id),
    baseline_policy_version_id INTEGER REFERENCES policy_versions(id),
    started_at                 TEXT NOT NULL,
    finished_at                TEXT,
    request_count              INTEGER NOT NULL DEFAULT 0,
    allow_count                INTEGER NOT NULL DEFAULT 0,
    deny_count                 INTEGER NOT NULL DEFAULT 0,
    error_count                INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE simulation_results (
    run_id      INTEGER NOT NULL REFERENCES simulation_runs(id),
    event_id    INTEGER NOT NULL REFERENCES events(id),
    decision    TEXT NOT NULL CHECK (decision IN ('allow', 'deny')),
    determining TEXT,
    errors      TEXT,
    explanation TEXT,
    PRIMARY KEY (run_id, event_id)
) WITHOUT ROWID;

-- Append-only and hash-chained: each record carries the SHA-256 of the one before it.
CREATE TABLE reviews (
    id                INTEGER PRIMARY KEY,
    subject_kind      TEXT NOT NULL CHECK (subject_kind IN ('chain', 'finding', 'identity')),
    subject           TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('approved', 'accepted-risk', 'needs-remediation', 'false-positive')),
    comment           TEXT,
    reviewer          TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    expires_at        TEXT,
    remediation_owner TEXT,
    previous_hash     TEXT NOT NULL,
    record_hash       TEXT NOT NULL
);
CREATE TRIGGER reviews_are_append_only_update BEFORE UPDATE ON reviews
BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
CREATE TRIGGER reviews_are_append_only_delete BEFORE DELETE ON reviews
BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
)sql",
    // 1 -> 2: a simulation run remembers which actions it covered (time range, identity, chain) and, for a
    // diff of two policy versions, the run of the baseline version it is compared with.
    R"sql(
ALTER TABLE simulation_runs ADD COLUMN filter TEXT;
ALTER TABLE simulation_runs ADD COLUMN baseline_run_id INTEGER REFERENCES simulation_runs(id);
)sql",
    // 2 -> 3: a finding carries the time span of its evidence events, for filtering and sorting by time.
    R"sql(
ALTER TABLE findings ADD COLUMN first_seen_ms INTEGER;
ALTER TABLE findings ADD COLUMN last_seen_ms INTEGER;
)sql",
    // 3 -> 4: the chains of the latest analysis in full (hops and actions), for reading back instead of
    // rebuilding them while the imports are unchanged (import_stamp).
    R"sql(
CREATE TABLE chain_sets (
    analysis_run_id INTEGER PRIMARY KEY REFERENCES analysis_runs(id),
    import_stamp    TEXT NOT NULL,
    format          INTEGER NOT NULL,
    data            BLOB NOT NULL
);
)sql",
    // 4 -> 5: the arguments of recorded tool calls (OTel gen_ai.tool.call.arguments) in a table of their own, so a
    // policy replay reads them without scanning every event's attributes; filled from the events already there.
    R"sql(
CREATE TABLE tool_arguments (
    event_id  INTEGER PRIMARY KEY REFERENCES events(id),
    arguments TEXT NOT NULL
);
INSERT INTO tool_arguments (event_id, arguments)
SELECT id, json_extract(attributes, '$."gen_ai.tool.call.arguments"') FROM events
WHERE instr(attributes, 'gen_ai.tool.call.arguments') > 0 AND json_valid(attributes)
  AND json_extract(attributes, '$."gen_ai.tool.call.arguments"') IS NOT NULL;
)sql",
    // 5 -> 6: a chain's hops live in chain_sets with the rest of it; the JSON copy per chain row cost every
    // analysis a quarter of a second on a million events and was read by nothing.
    R"sql(
ALTER TABLE chains DROP COLUMN hops;
)sql",
    // 6 -> 7: the edge index on trace_id cost every import a random B-tree insert per edge (a fifth of the writing
    // thread on a million spans); the analysis builds delegation_edges_by_trace_hop, which leads with trace_id.
    R"sql(
DROP INDEX IF EXISTS delegation_edges_by_trace;
)sql",
};

} // namespace

int currentVersion()
{
    return static_cast<int>(migrations.size());
}

void migrate(SqliteDatabase &db)
{
    const auto version = db.queryInt64("PRAGMA user_version");
    if (version >= currentVersion())
        return;
    SqliteTransaction transaction(db);
    for (auto step = version; step < currentVersion(); ++step)
        db.execute(migrations[static_cast<std::size_t>(step)]);
    // PRAGMA takes no bound parameters; the value is our own integer constant.
    db.execute("PRAGMA application_id = " + std::to_string(applicationId));
    db.execute("PRAGMA user_version = " + std::to_string(currentVersion()));
    transaction.commit();
}

} // namespace chainsight::WorkspaceSchema
