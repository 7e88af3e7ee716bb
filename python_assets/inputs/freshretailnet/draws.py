"""Deterministic draws keyed by ids, for everything the adapter simulates."""

from __future__ import annotations

import zlib

import numpy as np

# A counter-based generator (SplitMix64 finaliser over seed, stream and ids) rather than one
# sequential numpy Generator: a store's or series' draw then depends only on its own ids, so
# restricting to some cities, or a source that lists rows in another order, changes nothing else.


def splitmix64(x: np.ndarray) -> np.ndarray:
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def uniform(seed: int, stream: str, *keys: np.ndarray) -> np.ndarray:
    n = len(keys[0])
    start = (seed % 2**64) ^ zlib.crc32(stream.encode())
    h = splitmix64(np.full(n, start, dtype=np.uint64))
    for key in keys:
        h = splitmix64(h ^ np.asarray(key, dtype=np.int64).astype(np.uint64))
    # 53 random bits, shifted half a step so the result lies strictly inside (0, 1)
    return ((h >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53


def normal(seed: int, stream: str, *keys: np.ndarray) -> np.ndarray:
    u1 = uniform(seed, stream + ".u1", *keys)
    u2 = uniform(seed, stream + ".u2", *keys)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
