"""Customer segments: K-means on log-scaled RFM features. One row per customer; empty when the
dataset has no customer orders."""

from python_assets.segmentation.clustering import ClusterSettings, segment_customers


def model(dbt, session):
    dbt.config(materialized="table")
    settings = ClusterSettings.from_rule_settings(dbt.ref("int_settings_resolved").df())
    return segment_customers(dbt.ref("int_customer_rfm").df(), settings)
