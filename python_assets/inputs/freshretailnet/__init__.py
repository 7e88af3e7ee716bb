"""FreshRetailNet-50K mapped onto the input contract."""
