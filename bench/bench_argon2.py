"""Argon2id parameters: verifications per second per core for candidate parameter sets."""

from __future__ import annotations

import time

from argon2 import PasswordHasher

from teleservices.security import passwords

CANDIDATES = [
    (passwords.TIME_COST, passwords.MEMORY_COST_KIB, passwords.PARALLELISM),
    (3, 65536, 4),
    (2, 65536, 2),
    (3, 12288, 1),
]


def run() -> None:
    for time_cost, memory, parallelism in CANDIDATES:
        hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory, parallelism=parallelism)
        digest = hasher.hash("soleil2024")
        rounds = 20
        start = time.perf_counter()
        for _ in range(rounds):
            hasher.verify(digest, "soleil2024")
        per = (time.perf_counter() - start) / rounds
        chosen = " (choisi)" if (time_cost, memory, parallelism) == CANDIDATES[0] else ""
        print(
            f"argon2id t={time_cost} m={memory} KiB p={parallelism}: "
            f"{per * 1000:.1f} ms, {1 / per:.1f} vérifications/s{chosen}"
        )
