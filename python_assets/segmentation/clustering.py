"""K-means with k chosen by silhouette: store clusters, per-subcategory clusters, customer segments.

Features arrive in long form (one row per entity x feature) so SQL can add features without
touching this code; they are standardised before the fit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_samples, silhouette_score
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits


@dataclass(frozen=True)
class ClusterSettings:
    k_min: int = 2
    k_max: int = 8
    random_state: int = 42
    n_init: int = 10

    @classmethod
    def from_rule_settings(cls, rule_settings: pd.DataFrame) -> ClusterSettings:
        """Read k range and random_state from the rule_settings seed (setting, value)."""
        values = dict(zip(rule_settings["setting"], rule_settings["value"], strict=True))
        return cls(
            k_min=int(values.get("cluster_k_min", cls.k_min)),
            k_max=int(values.get("cluster_k_max", cls.k_max)),
            random_state=int(values.get("cluster_random_state", cls.random_state)),
        )


@dataclass(frozen=True)
class KMeansFit:
    labels: np.ndarray
    k: int
    silhouette: float  # mean silhouette of the chosen k (NaN when only one cluster fits)
    sample_silhouettes: np.ndarray
    silhouette_by_k: dict[int, float]


def _stable_labels(labels: np.ndarray, order_key: np.ndarray) -> np.ndarray:
    """Renumber clusters by their smallest order_key, so ids do not depend on K-means' internals."""
    first_key = pd.Series(order_key).groupby(labels).min().sort_values()
    new_id = {label: i for i, label in enumerate(first_key.index)}
    return np.array([new_id[label] for label in labels])


def fit_kmeans_by_silhouette(
    features: np.ndarray, settings: ClusterSettings, order_key: np.ndarray | None = None
) -> KMeansFit:
    """Standardise, fit K-means for every k in [k_min, k_max] (capped at n - 1), keep the best silhouette."""
    n = features.shape[0]
    order_key = np.arange(n) if order_key is None else order_key
    scaled = StandardScaler().fit_transform(features) if n else features
    # constant columns standardise to 0 and carry no information
    scaled = np.nan_to_num(scaled)
    k_values = range(settings.k_min, min(settings.k_max, n - 1) + 1)
    if n < 3 or not len(k_values) or np.allclose(scaled, scaled[:1]):
        return KMeansFit(np.zeros(n, dtype=int), 1, float("nan"), np.full(n, np.nan), {})
    best: tuple[float, int, np.ndarray] | None = None
    by_k: dict[int, float] = {}
    # stores per subcategory are a few hundred rows, where K-means' OpenMP threads cost more
    # than they save; one thread gives the same labels (benchmarks/RESULTS.md)
    with threadpool_limits(limits=1, user_api="openmp"):
        for k in k_values:
            labels = KMeans(
                k, random_state=settings.random_state, n_init=settings.n_init
            ).fit_predict(scaled)
            if len(set(labels)) < 2:
                continue
            by_k[k] = float(silhouette_score(scaled, labels))
            if best is None or by_k[k] > best[0]:
                best = (by_k[k], k, labels)
    if best is None:
        return KMeansFit(np.zeros(n, dtype=int), 1, float("nan"), np.full(n, np.nan), by_k)
    score, k, labels = best
    return KMeansFit(
        _stable_labels(labels, order_key), k, score, silhouette_samples(scaled, labels), by_k
    )


def _wide(features_long: pd.DataFrame, id_columns: list[str]) -> pd.DataFrame:
    return (
        features_long.pivot_table(
            index=id_columns, columns="feature_name", values="feature_value", aggfunc="first"
        )
        .fillna(0.0)
        .sort_index()
    )


def _assignments(wide: pd.DataFrame, fit: KMeansFit, id_prefix: str) -> pd.DataFrame:
    out = wide.index.to_frame(index=False)
    out["cluster_id"] = [f"{id_prefix}{label}" for label in fit.labels]
    out["silhouette_sample"] = fit.sample_silhouettes
    out["chosen_k"] = fit.k
    out["silhouette"] = fit.silhouette
    out["silhouette_by_k"] = json.dumps(
        {str(k): round(v, 4) for k, v in fit.silhouette_by_k.items()}
    )
    return out


ASSIGNMENT_COLUMNS = [
    "cluster_id",
    "silhouette_sample",
    "chosen_k",
    "silhouette",
    "silhouette_by_k",
]


def _empty_assignments(id_columns: list[str]) -> pd.DataFrame:
    """No rows, but typed columns, so the table a dbt Python model writes keeps its schema."""
    types = {c: "string" for c in [*id_columns, "cluster_id", "silhouette_by_k"]}
    types |= {"silhouette_sample": "float64", "chosen_k": "int64", "silhouette": "float64"}
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in types.items()})[
        [*id_columns, *ASSIGNMENT_COLUMNS]
    ]


def cluster_entities(
    features_long: pd.DataFrame, id_column: str, settings: ClusterSettings, id_prefix: str = "C"
) -> pd.DataFrame:
    """One row per entity: cluster id, its silhouette, the chosen k and the silhouette of every k tried.

    features_long: id_column, feature_name, feature_value (missing features count as 0).
    """
    if features_long.empty:
        return _empty_assignments([id_column])
    wide = _wide(features_long, [id_column])
    fit = fit_kmeans_by_silhouette(wide.to_numpy(dtype=float), settings, wide.index.to_numpy())
    return _assignments(wide, fit, id_prefix)


def cluster_within_groups(
    features_long: pd.DataFrame, group_column: str, id_column: str, settings: ClusterSettings
) -> pd.DataFrame:
    """cluster_entities fitted separately inside each group (e.g. stores per subcategory)."""
    parts = [
        cluster_entities(
            group.drop(columns=group_column), id_column, settings, id_prefix=f"{name}:C"
        ).assign(**{group_column: name})
        for name, group in features_long.groupby(group_column, sort=True)
    ]
    if not parts:
        return _empty_assignments([group_column, id_column])
    return pd.concat(parts, ignore_index=True)[[group_column, id_column, *ASSIGNMENT_COLUMNS]]


RFM_COLUMNS = ["recency_days", "frequency_orders", "monetary_amount"]


def segment_customers(rfm: pd.DataFrame, settings: ClusterSettings) -> pd.DataFrame:
    """RFM segments: one row per customer with segment_id, home store and the fit's silhouette.

    Frequency and monetary value are heavily skewed, so all three are log-scaled before the fit.
    """
    long = rfm.melt(
        id_vars="customer_id",
        value_vars=RFM_COLUMNS,
        var_name="feature_name",
        value_name="feature_value",
    )
    long["feature_value"] = np.log1p(long["feature_value"].astype(float))
    segments = cluster_entities(long, "customer_id", settings, id_prefix="SEG").rename(
        columns={"cluster_id": "segment_id"}
    )
    return segments.merge(rfm[["customer_id", "home_store_id"]], on="customer_id").rename(
        columns={"home_store_id": "store_id"}
    )
