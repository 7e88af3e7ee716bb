"""The executive summary: headline cards and one sentence per topic, every number a tagged
figure of FIGURE_SPECS (so the tests can check each against the marts)."""

from __future__ import annotations

from python_assets.reporting.data import ReportData
from python_assets.reporting.figures import (
    FIGURE_SPECS,
    chosen_forecast_model,
    executive_summary_figures,
)
from python_assets.reporting.markup import esc, fig, name


def _saving_word(saving: float) -> str:
    # the LP never costs more than its baselines unless a product was not solved: say so neutrally
    return "a saving of" if saving >= 0 else "a difference of"


# the headline cards: a figure, and the figure it compares with
CARDS: tuple[tuple[str, str | None], ...] = (
    ("cost_optimised", "cost_do_nothing"),
    ("fill_rate_after", "fill_rate_before"),
    ("units_transferred", "units_central"),
    ("stores_flagged", "cases_flagged"),
    ("balance_index_after", "balance_index_before"),
    ("forecast_wape", None),
)


def summary(data: ReportData) -> str:
    f = executive_summary_figures(data)
    bullets = "".join(f"<li>{item}</li>" for item in _sentences(data, f))
    return f'{_cards(f)}<ul class="summary">{bullets}</ul>'


def _cards(f: dict[str, float]) -> str:
    card_html = []
    for main, other in CARDS:
        if main not in f:
            continue
        sub = ""
        if other and other in f:
            sub = f'<div class="sub">{esc(FIGURE_SPECS[other].label)}: {fig(f, other)}</div>'
        card_html.append(
            f'<div class="card"><div class="label">{esc(FIGURE_SPECS[main].label)}</div>'
            f'<div class="big">{fig(f, main)}</div>{sub}</div>'
        )
    return f'<div class="cards">{"".join(card_html)}</div>' if card_html else ""


def _sentences(data: ReportData, f: dict[str, float]) -> list[str]:
    """One sentence per topic; a topic whose marts are empty says why instead."""
    items: list[str] = []

    if "cost_optimised" in f:
        text = f"The recommended plan costs {fig(f, 'cost_optimised')} over the planning horizon"
        if "cost_do_nothing" in f:
            text += f", against {fig(f, 'cost_do_nothing')} for doing nothing"
            if "saving_vs_do_nothing_pct" in f:
                text += (
                    f" ({_saving_word(f['saving_vs_do_nothing'])} "
                    f"{fig(f, 'saving_vs_do_nothing')}, {fig(f, 'saving_vs_do_nothing_pct')})"
                )
        if "cost_decentralised" in f:
            text += (
                f", {fig(f, 'cost_decentralised')} for decentralised replenishment "
                f"({_saving_word(f['saving_vs_decentralised'])} "
                f"{fig(f, 'saving_vs_decentralised')})"
            )
        if "cost_zscore_rule_moves" in f:
            text += f" and {fig(f, 'cost_zscore_rule_moves')} for the Z-score rule's moves"
        items.append(text + ". Costs are in the currency units of the cost inputs.")
    else:
        items.append("No plan costs: " + data.empty_reason("plan_costs") + ".")

    if "fill_rate_before" in f and "fill_rate_after" in f:
        items.append(
            f"Fill rate of forecast demand over the horizon: {fig(f, 'fill_rate_before')} if "
            f"every store serves from its own stock, {fig(f, 'fill_rate_after')} with the plan."
        )
    else:
        items.append("No fill rate: " + data.empty_reason("service_level") + ".")

    if "units_transferred" in f:
        items.append(
            f"The plan moves {fig(f, 'units_transferred')} units in "
            f"{fig(f, 'transfer_count')} store-to-store transfers and sends "
            f"{fig(f, 'units_central')} units from central supply (production)."
        )
    else:
        items.append("No transfers: " + data.empty_reason("plan_totals") + ".")

    if "stores_flagged" in f and "cases_flagged" in f and "store_count" in f:
        text = (
            f"The Z-score rule flags {fig(f, 'cases_flagged')} store x subcategory cases in "
            f"{fig(f, 'stores_flagged')} of {fig(f, 'store_count')} stores; its own moves "
            f"would shift {fig(f, 'zscore_units_moved')} units"
        )
        if "planted_recall" in f:
            text += (
                f". Of the {fig(f, 'planted_cases')} imbalances planted in the demo data it "
                f"finds {fig(f, 'planted_recall')} of them"
            )
        else:
            text += ". This dataset has no planted imbalances to check the rule against"
        items.append(text + ".")
    else:
        items.append("No Z-score results: " + data.empty_reason("rule_results") + ".")

    if "balance_index_before" in f and "balance_index_after" in f:
        worst = data.kpi_region.sort_values("regional_balance_index_before", ascending=False)
        text = (
            f"Regional balance index (coefficient of variation of the stores' days of supply; "
            f"lower is more even), mean over {fig(f, 'region_count')} regions: "
            f"{fig(f, 'balance_index_before')} before the plan, "
            f"{fig(f, 'balance_index_after')} after"
        )
        if len(worst):
            text += f"; the least balanced region before the plan is {name(worst.region.iloc[0])}"
        items.append(text + ".")
    else:
        items.append("No regional balance index: " + data.empty_reason("kpi_region") + ".")

    if "units_sold_28d" in f:
        text = f"Sales in the last four weeks of data: {fig(f, 'units_sold_28d')} units"
        if "revenue_28d" in f:
            text += f" for {fig(f, 'revenue_28d')} in revenue"
        items.append(text + ".")

    model = chosen_forecast_model(data)
    if model is not None and "forecast_wape" in f:
        items.append(
            f"Demand is forecast with {name(model)}, each series with the model chosen for its "
            f"demand class on the backtest; pooled backtest WAPE of the forecast horizon's "
            f"totals per series {fig(f, 'forecast_wape')}."
        )
    elif model is not None:
        items.append(f"Demand is forecast with {name(model)} (no backtest accuracy found).")
    else:
        items.append("No demand forecast: " + data.empty_reason("forecast_models") + ".")

    return items
