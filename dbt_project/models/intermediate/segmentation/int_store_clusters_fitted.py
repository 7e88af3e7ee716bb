"""K-means over the store features, k chosen by silhouette. One row per store."""

from python_assets.segmentation.clustering import ClusterSettings, cluster_entities


def model(dbt, session):
    dbt.config(materialized="table")
    settings = ClusterSettings.from_rule_settings(dbt.ref("int_settings_resolved").df())
    return cluster_entities(dbt.ref("int_store_features").df(), "store_id", settings)
