"""The register's schema, as numbered migrations recorded in `schema_migrations`.

Dates are ISO text (YYYY-MM-DD), amounts whole yuan. Migration 3 adds what D5 needs to be
shown and rechecked — whether a contract was taken over by `enroll --import` and the day its
roster was received — and the claims calculator's disease key (the diagnosis as read by
D10) to each decision; older registers get NULL / 0 there. Decisions are appended, never
rewritten: a reversal is a row of `voids` pointing at the decision it cancels.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "initial",
        """
CREATE TABLE runs (
    run_id TEXT PRIMARY KEY,
    command TEXT NOT NULL,
    input_file TEXT,
    input_sha256 TEXT,
    as_of TEXT NOT NULL,
    policy_version TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    counts TEXT
);
CREATE TABLE units (
    unit_code TEXT PRIMARY KEY,
    unit_name TEXT NOT NULL,
    contact TEXT,
    phone TEXT,
    run_id TEXT REFERENCES runs(run_id)
);
CREATE TABLE contracts (
    contract_no TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL REFERENCES units(unit_code),
    term_start TEXT NOT NULL,
    term_end TEXT NOT NULL,
    first_time INTEGER NOT NULL,
    policy_version TEXT NOT NULL,
    total_staff INTEGER NOT NULL,
    eligible INTEGER NOT NULL,
    contribution_total INTEGER NOT NULL,
    unit_share INTEGER NOT NULL,
    individual_share INTEGER NOT NULL,
    run_id TEXT REFERENCES runs(run_id),
    UNIQUE (unit_code, term_start)
);
CREATE TABLE spells (
    id_number TEXT NOT NULL,
    contract_no TEXT NOT NULL REFERENCES contracts(contract_no),
    name TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    spell_start TEXT NOT NULL,
    term_start TEXT NOT NULL,
    term_end TEXT NOT NULL,
    first_time INTEGER NOT NULL,
    policy_version TEXT NOT NULL,
    run_id TEXT REFERENCES runs(run_id),
    PRIMARY KEY (id_number, contract_no)
) WITHOUT ROWID;
CREATE INDEX spells_by_contract ON spells(contract_no);
CREATE TABLE decisions (
    decision_id INTEGER PRIMARY KEY,
    claim_id TEXT NOT NULL,
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    status TEXT NOT NULL,
    amount INTEGER NOT NULL,
    reason_code TEXT NOT NULL,
    clause TEXT NOT NULL,
    policy_version TEXT,
    id_number TEXT NOT NULL,
    name TEXT,
    unit_code TEXT,
    claim_type TEXT,
    disease_code TEXT,
    disability_grade INTEGER,
    event_date TEXT,
    period TEXT,
    contract_no TEXT,
    term_start TEXT,
    cover_day INTEGER,
    base_amount INTEGER,
    pct INTEGER,
    cap_room INTEGER,
    content TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX decisions_by_claim ON decisions(claim_id);
CREATE INDEX decisions_by_id ON decisions(id_number);
CREATE TABLE voids (
    decision_id INTEGER PRIMARY KEY REFERENCES decisions(decision_id),
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    reason TEXT NOT NULL,
    voided_at TEXT NOT NULL DEFAULT (datetime('now'))
)
""",
    ),
    (
        2,
        "batch files",
        """
CREATE TABLE batch_files (
    sha256 TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    period TEXT NOT NULL,
    run_id TEXT REFERENCES runs(run_id),
    outcome TEXT NOT NULL,
    counts TEXT,
    processed_at TEXT NOT NULL DEFAULT (datetime('now'))
)
""",
    ),
    (
        3,
        "contracts imported and received; decisions disease key",
        """
ALTER TABLE contracts ADD COLUMN imported INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contracts ADD COLUMN received_date TEXT;
ALTER TABLE decisions ADD COLUMN disease_key TEXT
""",
    ),
    (
        4,
        "run frames",
        """
CREATE TABLE run_frames (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    name TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (run_id, name)
)
""",
    ),
]
