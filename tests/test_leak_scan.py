"""The personal-data scan the publication and report tests use (tests/helpers.py `leaked`) finds
exactly what searching each text for each value finds."""

import random

from .helpers import leaked


def test_leaked_finds_what_a_plain_search_finds():
    rng = random.Random(7)
    alphabet = "abcde@.-0 "
    texts = ["".join(rng.choice(alphabet) for _ in range(5000)) for _ in range(3)]
    # values taken from the texts (found), near misses (one character changed) and random ones
    values = set()
    for _ in range(300):
        text = rng.choice(texts)
        start, n = rng.randrange(4900), rng.randrange(6, 40)
        value = text[start : start + n]
        values.add(value)
        i = rng.randrange(len(value))
        values.add(value[:i] + rng.choice(alphabet) + value[i + 1 :])
        values.add("".join(rng.choice(alphabet) for _ in range(n)))
    expected = sorted(v for v in values if any(v in t for t in texts))
    assert sorted(leaked(values, texts)) == expected
    assert 0 < len(expected) < len(values)
