"""The Z-score imbalance rule's investment-neutral moves and its file exports."""
