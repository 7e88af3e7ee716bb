"""Pure, typed logic of the inventory allocation warehouse; Dagster assets and dbt Python models call it."""
