"""K-means over stores separately inside each subcategory. One row per store per subcategory."""

from python_assets.segmentation.clustering import ClusterSettings, cluster_within_groups


def model(dbt, session):
    dbt.config(materialized="table")
    settings = ClusterSettings.from_rule_settings(dbt.ref("int_settings_resolved").df())
    features = dbt.ref("int_store_subcategory_features").df()
    return cluster_within_groups(features, "subcategory", "store_id", settings)
