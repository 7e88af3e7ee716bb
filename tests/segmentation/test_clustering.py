"""K-means with silhouette-chosen k on small frames with a known answer."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from python_assets.segmentation.clustering import (
    ClusterSettings,
    cluster_entities,
    cluster_within_groups,
)


def blobs(centres: list[tuple[float, float]], per_blob: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for b, (x, y) in enumerate(centres):
        for i in range(per_blob):
            store = f"S{b}{i:02d}"
            rows += [
                (store, "mix__dairy", x + rng.normal(0, 0.05)),
                (store, "volume", y + rng.normal(0, 0.05)),
            ]
    return pd.DataFrame(rows, columns=["store_id", "feature_name", "feature_value"])


def test_three_blobs_give_k3_and_pure_clusters() -> None:
    features = blobs([(0, 0), (5, 0), (0, 5)], per_blob=6)
    result = cluster_entities(features, "store_id", ClusterSettings(k_min=2, k_max=6))
    assert (result.chosen_k == 3).all()
    assert result.silhouette.iloc[0] > 0.8
    # every blob maps to one cluster and clusters are distinct
    blob = result.store_id.str[1]
    assert result.groupby(blob).cluster_id.nunique().eq(1).all()
    assert result.cluster_id.nunique() == 3
    tried = json.loads(result.silhouette_by_k.iloc[0])
    assert set(tried) == {"2", "3", "4", "5", "6"} and max(tried, key=tried.get) == "3"


def test_ids_are_stable_and_deterministic() -> None:
    features = blobs([(0, 0), (5, 0)], per_blob=5)
    first = cluster_entities(features, "store_id", ClusterSettings())
    again = cluster_entities(features.sample(frac=1, random_state=3), "store_id", ClusterSettings())
    pd.testing.assert_frame_equal(first, again)
    # cluster C0 holds the smallest store id
    assert first.sort_values("store_id").cluster_id.iloc[0] == "C0"


def test_too_few_or_identical_entities_form_one_cluster() -> None:
    two = blobs([(0, 0)], per_blob=2)
    assert cluster_entities(two, "store_id", ClusterSettings()).cluster_id.tolist() == ["C0", "C0"]
    same = pd.DataFrame({"store_id": list("abcd"), "feature_name": "x", "feature_value": 1.0})
    result = cluster_entities(same, "store_id", ClusterSettings())
    assert result.cluster_id.eq("C0").all() and result.silhouette.isna().all()


def test_empty_input_gives_empty_frame_with_columns() -> None:
    empty = pd.DataFrame(columns=["customer_id", "feature_name", "feature_value"])
    result = cluster_entities(empty, "customer_id", ClusterSettings())
    assert result.empty and "cluster_id" in result.columns


def test_clusters_fitted_per_group() -> None:
    dairy = blobs([(0, 0), (5, 5)], per_blob=4).assign(subcategory="dairy")
    bakery = blobs([(0, 0)], per_blob=8, seed=1).assign(subcategory="bakery")
    result = cluster_within_groups(
        pd.concat([dairy, bakery]), "subcategory", "store_id", ClusterSettings()
    )
    per_group = result.groupby("subcategory").cluster_id.nunique()
    assert per_group["dairy"] == 2
    assert result.loc[result.subcategory == "dairy", "cluster_id"].str.startswith("dairy:").all()
    assert len(result) == 16
