"""The assets of the graph, one module per domain; dbt's models and tests are in dbt.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg

if TYPE_CHECKING:
    from python_assets.forecasting.guardrails import CheckOutcome

# Dagster's op tag for the steps that wait for a free step process until every other ready step
# has one (with more steps ready than STEP_PROCESSES, the executor starts the ready step of
# highest priority first): the run's records, dbt's monitoring layer and the policy replay. The
# plan waits for none of them; the replay, the longest and most memory-hungry, starts after the
# final forecast has its process, so their loads of the sales do not coincide (README, "The
# pipeline").
AFTER_OTHER_READY_STEPS = {"dagster/priority": "-1"}


def warning_check(
    context: dg.AssetExecutionContext, outcome: CheckOutcome, asset_key: list[str]
) -> dg.AssetCheckResult:
    """A warn-level asset check; one that fails also logs a WARNING line saying why (README,
    "Operations"), which a check event alone, logged at DEBUG, does not."""
    if not outcome.passed:
        context.log.warning(
            f"asset check {outcome.name} on {'/'.join(asset_key)} failed: {outcome.description}"
        )
    return check_result(outcome, asset_key, dg.AssetCheckSeverity.WARN)


def check_result(
    outcome: CheckOutcome, asset_key: dg.AssetKey | list[str], severity: dg.AssetCheckSeverity
) -> dg.AssetCheckResult:
    """The asset check result of a guardrail's or monitor's verdict."""
    return dg.AssetCheckResult(
        check_name=outcome.name,
        asset_key=asset_key,
        passed=outcome.passed,
        severity=severity,
        description=outcome.description,
        metadata=outcome.metadata,
    )
