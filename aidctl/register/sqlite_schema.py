"""The SQLite register's schema, as numbered migrations recorded in `schema_migrations`.

Dates are ISO text (YYYY-MM-DD), amounts whole yuan. Migration 3 adds what D5 needs to be
shown and rechecked — whether a contract was taken over by `enroll --import` and the day its
roster was received — and the claims calculator's disease key (the diagnosis as read by
D10) to each decision; older registers get NULL / 0 there. Decisions are appended, never
rewritten: a reversal is a row of `voids` pointing at the decision it cancels.

Migration 5 makes the database hold what the code held alone: a decision's status, claim
type and period are words of the plan's vocabularies, a contract's flags are 0 or 1, a
decision's contract exists, and a claim has at most one live decision (L60). SQLite adds
CHECKs only by rebuilding a table; `aidctl.register.sqlite._migrate` runs each migration
with foreign keys off, checks them before it commits, and checks MIGRATION_CHECKS.

Migration 7 (issue 11) keeps pending claims as open items — one open item per claim at a
time (a partial unique index), closed by the run that decides the claim or by a withdrawal,
a closed item never rewritten, no item ever deleted — and reopens: a reopen is a void of a
rejection (so "one live decision per claim" holds as for any void) marked as a reopen.
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
    (
        5,
        "constraints: vocabularies, decisions to contracts, one live decision per claim",
        """
CREATE TABLE contracts_v5 (
    contract_no TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL REFERENCES units(unit_code),
    term_start TEXT NOT NULL,
    term_end TEXT NOT NULL,
    first_time INTEGER NOT NULL CHECK (first_time IN (0, 1)),
    policy_version TEXT NOT NULL,
    total_staff INTEGER NOT NULL,
    eligible INTEGER NOT NULL,
    contribution_total INTEGER NOT NULL,
    unit_share INTEGER NOT NULL,
    individual_share INTEGER NOT NULL,
    run_id TEXT REFERENCES runs(run_id),
    imported INTEGER NOT NULL DEFAULT 0 CHECK (imported IN (0, 1)),
    received_date TEXT,
    UNIQUE (unit_code, term_start)
);
INSERT INTO contracts_v5 (contract_no, unit_code, term_start, term_end, first_time,
    policy_version, total_staff, eligible, contribution_total, unit_share, individual_share,
    run_id, imported, received_date)
SELECT contract_no, unit_code, term_start, term_end, first_time, policy_version, total_staff,
    eligible, contribution_total, unit_share, individual_share, run_id, imported, received_date
FROM contracts;
DROP TABLE contracts;
ALTER TABLE contracts_v5 RENAME TO contracts;
CREATE TABLE decisions_v5 (
    decision_id INTEGER PRIMARY KEY,
    claim_id TEXT NOT NULL,
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    status TEXT NOT NULL CHECK (status IN ('approved', 'rejected')),
    amount INTEGER NOT NULL,
    reason_code TEXT NOT NULL,
    clause TEXT NOT NULL,
    policy_version TEXT,
    id_number TEXT NOT NULL,
    name TEXT,
    unit_code TEXT,
    claim_type TEXT
        CHECK (claim_type IN ('critical_illness', 'accident_disability', 'accident_death')),
    disease_code TEXT,
    disability_grade INTEGER,
    event_date TEXT,
    period TEXT CHECK (period IN ('exemption', 'reduced', 'full')),
    contract_no TEXT REFERENCES contracts(contract_no),
    term_start TEXT,
    cover_day INTEGER,
    base_amount INTEGER,
    pct INTEGER,
    cap_room INTEGER,
    content TEXT NOT NULL,
    detail TEXT,
    disease_key TEXT
);
INSERT INTO decisions_v5 (decision_id, claim_id, run_id, status, amount, reason_code, clause,
    policy_version, id_number, name, unit_code, claim_type, disease_code, disability_grade,
    event_date, period, contract_no, term_start, cover_day, base_amount, pct, cap_room,
    content, detail, disease_key)
SELECT decision_id, claim_id, run_id, status, amount, reason_code, clause, policy_version,
    id_number, name, unit_code, claim_type, disease_code, disability_grade, event_date,
    period, contract_no, term_start, cover_day, base_amount, pct, cap_room, content, detail,
    disease_key
FROM decisions;
DROP TABLE decisions;
ALTER TABLE decisions_v5 RENAME TO decisions;
CREATE INDEX decisions_by_claim ON decisions(claim_id);
CREATE INDEX decisions_by_id ON decisions(id_number);
CREATE TRIGGER decisions_one_live BEFORE INSERT ON decisions
WHEN EXISTS (
    SELECT 1 FROM decisions d
    WHERE d.claim_id = NEW.claim_id
      AND NOT EXISTS (SELECT 1 FROM voids v WHERE v.decision_id = d.decision_id)
)
BEGIN
    SELECT RAISE(ABORT, 'one live decision per claim_id: void the earlier decision first');
END;
CREATE TRIGGER decisions_never_rewritten BEFORE UPDATE ON decisions
BEGIN
    SELECT RAISE(ABORT, 'decisions are appended, never rewritten: void and decide again');
END;
CREATE TRIGGER decisions_never_deleted BEFORE DELETE ON decisions
BEGIN
    SELECT RAISE(ABORT, 'decisions are appended, never deleted: void instead');
END;
CREATE TRIGGER voids_never_rewritten BEFORE UPDATE ON voids
BEGIN
    SELECT RAISE(ABORT, 'voids are appended, never rewritten');
END;
CREATE TRIGGER voids_never_deleted BEFORE DELETE ON voids
BEGIN
    SELECT RAISE(ABORT, 'voids are appended, never deleted');
END;
ALTER TABLE runs ADD COLUMN policy_versions TEXT;
ALTER TABLE runs ADD COLUMN policy_file TEXT;
ALTER TABLE runs ADD COLUMN aidctl_version TEXT
""",
    ),
    (
        6,
        "the fund: additions billed, contributions received",
        """
CREATE TABLE additions (
    contract_no TEXT NOT NULL REFERENCES contracts(contract_no),
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    billed_on TEXT NOT NULL,
    members INTEGER NOT NULL CHECK (members > 0),
    amount INTEGER NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (contract_no, run_id)
);
CREATE TABLE receipts (
    reference TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL REFERENCES units(unit_code),
    amount INTEGER NOT NULL CHECK (amount >= 0),
    received_on TEXT NOT NULL,
    run_id TEXT NOT NULL REFERENCES runs(run_id)
);
CREATE INDEX receipts_by_unit ON receipts(unit_code);
CREATE TRIGGER receipts_never_rewritten BEFORE UPDATE ON receipts
BEGIN
    SELECT RAISE(ABORT, 'receipts are appended, never rewritten');
END;
CREATE TRIGGER additions_never_rewritten BEFORE UPDATE ON additions
BEGIN
    SELECT RAISE(ABORT, 'additions are appended, never rewritten');
END
""",
    ),
    (
        7,
        "open items (pending claims) and reopens",
        """
CREATE TABLE open_items (
    item_id INTEGER PRIMARY KEY,
    claim_id TEXT NOT NULL,
    id_number TEXT,
    name TEXT,
    unit_code TEXT,
    claim_type TEXT,
    event_date TEXT,
    disease_code TEXT,
    disability_grade INTEGER,
    reason_code TEXT NOT NULL,
    clause TEXT,
    detail TEXT,
    opened_run TEXT NOT NULL REFERENCES runs(run_id),
    opened_on TEXT NOT NULL,
    last_run TEXT NOT NULL REFERENCES runs(run_id),
    last_on TEXT NOT NULL,
    times_seen INTEGER NOT NULL DEFAULT 1,
    closed_run TEXT REFERENCES runs(run_id),
    closed_on TEXT,
    closed_how TEXT CHECK (closed_how IN ('decided', 'withdrawn')),
    closed_reason TEXT,
    closed_at TEXT,
    CHECK ((closed_run IS NULL) = (closed_how IS NULL))
);
CREATE UNIQUE INDEX open_items_one_open_per_claim ON open_items(claim_id)
    WHERE closed_run IS NULL;
CREATE INDEX open_items_by_unit ON open_items(unit_code);
CREATE TRIGGER open_items_closed_never_rewritten BEFORE UPDATE ON open_items
WHEN OLD.closed_run IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a closed open item is kept as it was closed');
END;
CREATE TRIGGER open_items_never_deleted BEFORE DELETE ON open_items
BEGIN
    SELECT RAISE(ABORT, 'open items are closed, never deleted');
END;
CREATE TABLE reopens (
    decision_id INTEGER PRIMARY KEY REFERENCES voids(decision_id),
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    reason TEXT NOT NULL,
    reopened_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TRIGGER reopens_never_rewritten BEFORE UPDATE ON reopens
BEGIN
    SELECT RAISE(ABORT, 'reopens are appended, never rewritten');
END;
CREATE TRIGGER reopens_never_deleted BEFORE DELETE ON reopens
BEGIN
    SELECT RAISE(ABORT, 'reopens are appended, never deleted');
END
""",
    ),
]

# Invariants a migration starts to enforce, checked on the data it found before it commits:
# (query returning the first offending row or nothing, English sentence, Chinese sentence).
MIGRATION_CHECKS: dict[int, list[tuple[str, str, str]]] = {
    5: [
        (
            "SELECT d.claim_id FROM decisions d "
            "WHERE NOT EXISTS (SELECT 1 FROM voids v WHERE v.decision_id = d.decision_id) "
            "GROUP BY d.claim_id HAVING count(*) > 1 LIMIT 1",
            "claim {} has two decisions that are not voided, which a register no longer "
            "allows; it was left as it was (void one with the aidctl that recorded them).",
            "理赔 {} 有两条未撤销的决定，登记库不再允许；登记库未做改动"
            "（请用记录它们的 aidctl 版本撤销其中一条）。",
        )
    ]
}
