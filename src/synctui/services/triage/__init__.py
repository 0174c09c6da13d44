"""Support triage: which syncs need a person, why, and the one documented remedy for each.

`synctui doctor` and the TUI's attention view both call `scan`, so they always agree.

- `model`: reasons, remedies, attention items, time helpers (plain data);
- `assess`: the verdict for one sync, its why in the vendor's words, stuck detection;
- `scanning`: accounts scanned in parallel, reported account by account;
- `remedies`: what a remedy sends, running it through the session, judging the recovery.
"""

from synctui.services.triage.assess import (
    CHECK_RUNS_AFTER,
    HISTORY_RUNS,
    STUCK_AFTER,
    STUCK_FACTOR,
    STUCK_MARGIN,
    assess,
    explain,
    might_be_stuck,
    remedy_for,
    stuck_limit,
    triage,
    typical_duration,
)
from synctui.services.triage.model import (
    REASON_ORDER,
    STEP_CAPABILITY,
    Attention,
    Reason,
    Remedy,
    age_key,
    human_duration,
    parse_time,
)
from synctui.services.triage.remedies import (
    Recovery,
    RemedyOutcome,
    Verdict,
    apply_remedy,
    describe_remedy,
    describe_step,
    missing_capabilities,
    recovery_verdict,
    run_remedy,
)
from synctui.services.triage.scanning import (
    AccountScan,
    Scan,
    plan_scan,
    scan,
    scan_account,
    scannable,
    streak_start,
)

__all__ = [
    "CHECK_RUNS_AFTER",
    "HISTORY_RUNS",
    "REASON_ORDER",
    "STEP_CAPABILITY",
    "STUCK_AFTER",
    "STUCK_FACTOR",
    "STUCK_MARGIN",
    "AccountScan",
    "Attention",
    "Reason",
    "Recovery",
    "Remedy",
    "RemedyOutcome",
    "Scan",
    "Verdict",
    "age_key",
    "apply_remedy",
    "assess",
    "describe_remedy",
    "describe_step",
    "explain",
    "human_duration",
    "might_be_stuck",
    "missing_capabilities",
    "parse_time",
    "plan_scan",
    "recovery_verdict",
    "remedy_for",
    "run_remedy",
    "scan",
    "scan_account",
    "scannable",
    "streak_start",
    "stuck_limit",
    "triage",
    "typical_duration",
]
