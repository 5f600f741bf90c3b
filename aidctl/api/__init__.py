"""aidctl's service layer: one function per command, an outcome per call, one report writer.

    from aidctl import api
    out = api.adjudicate("claims.xlsx", db="reg.sqlite3", as_of="2026-11-28")
    out.decisions            # a polars DataFrame, pending rows included
    out.to_json()            # exactly what `aidctl adjudicate --json` prints
    api.write_report(out, "decisions.xlsx")

The CLI (aidctl/cli/) and the monthly batch (aidctl/batch/) are thin callers of this
package; a notebook or a second front end uses it the same way (docs/api.md).
"""

from aidctl.api.commands import (
    Commit,
    adjudicate,
    batch_file,
    batch_run,
    batch_status,
    default_register,
    enroll,
    explain,
    file_kind,
    history,
    payments,
    policy_diseases,
    policy_show,
    record_batch_run,
    register_backup,
    register_check,
    renewals,
    report,
    runs,
    template,
    validate_enrollment,
    void,
)
from aidctl.api.outcomes import (
    AdjudicationOutcome,
    BatchFile,
    BatchOutcome,
    DiseasesOutcome,
    EnrolmentOutcome,
    ExplainOutcome,
    HistoryOutcome,
    PaymentsOutcome,
    PolicyOutcome,
    RebuiltRun,
    RenewalsOutcome,
    RunsOutcome,
    VoidOutcome,
    totals,
)
from aidctl.api.reporting import annotated_path, default_report_path, write_report
from aidctl.api.words import (
    cell,
    claim_type_word,
    decision_steps,
    explain_sentence,
    id_number_problem,
    parameter_name,
    parameter_value,
    reason_word,
    reasons_text,
    renewal_word,
    status_word,
)
from aidctl.intake.kind import open_elsewhere, wrong_command
from aidctl.pipeline import Settings, file_sha256
from aidctl.register import as_location

__all__ = [
    "AdjudicationOutcome",
    "BatchFile",
    "BatchOutcome",
    "Commit",
    "DiseasesOutcome",
    "EnrolmentOutcome",
    "ExplainOutcome",
    "HistoryOutcome",
    "PaymentsOutcome",
    "PolicyOutcome",
    "RebuiltRun",
    "RenewalsOutcome",
    "RunsOutcome",
    "Settings",
    "VoidOutcome",
    "adjudicate",
    "annotated_path",
    "as_location",
    "batch_file",
    "batch_run",
    "batch_status",
    "cell",
    "claim_type_word",
    "decision_steps",
    "default_register",
    "default_report_path",
    "enroll",
    "explain",
    "explain_sentence",
    "file_kind",
    "file_sha256",
    "history",
    "id_number_problem",
    "open_elsewhere",
    "parameter_name",
    "parameter_value",
    "payments",
    "policy_diseases",
    "policy_show",
    "reason_word",
    "reasons_text",
    "record_batch_run",
    "register_backup",
    "register_check",
    "renewal_word",
    "renewals",
    "report",
    "runs",
    "status_word",
    "template",
    "totals",
    "validate_enrollment",
    "void",
    "write_report",
    "wrong_command",
]
