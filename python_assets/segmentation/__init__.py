"""Store clusters and customer segments (K-means, k chosen by silhouette)."""
