"""The regional rebalancing report and the published BI copy of the marts."""
