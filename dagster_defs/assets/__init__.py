"""The assets of the graph, one module per domain; dbt's models and tests are in dbt.py."""

# Dagster's op tag for the steps that wait for a free step process until every other ready step
# has one (with more steps ready than STEP_PROCESSES, the executor starts the ready step of
# highest priority first): the run's records, dbt's monitoring layer and the policy replay. The
# plan waits for none of them; the replay, the longest and most memory-hungry, starts after the
# final forecast has its process, so their loads of the sales do not coincide (README, "The
# pipeline").
AFTER_OTHER_READY_STEPS = {"dagster/priority": "-1"}
