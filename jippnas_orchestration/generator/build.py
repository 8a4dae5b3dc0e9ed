"""Build the sample world: KIPP award entries, IGA reports, InoLAN ideas and update submissions.

At scale 1 the sample mirrors the published JIPPNas figures (contract section 7): 1,065 KIPP
award entries that are 973 distinct innovations, of which 843 end up `updated` and 130, from 30
agencies, `pending` once the bundled submissions are applied.

Every count grows linearly with the scale, agency weights included, so a large set is the same
world with more innovations per agency. Scales below LARGE_SCALE draw exactly what they always
drew (same seed, same bytes); from LARGE_SCALE on, titles come from larger word pools (one agency
then holds thousands of innovations) and the steps that could not stretch (more hard-negative
agencies than agencies exist) take the nearest feasible choice. The work is near-linear in the
scale: bisection over precomputed weights, per-year queues instead of list scans.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate

from ..vocab import OAPSI_FROM, TOP_TIER
from . import words
from .entities import (
    NEW_TO_OLD_PAPUA,
    Agency,
    Innovation,
    TitleFactory,
    all_agencies,
    person,
    pick_category,
    sdgs_for,
    summary_for,
)

KIPP_DISTINCT, KIPP_ENTRIES = 973, 1065
UPDATED, PENDING, PENDING_AGENCIES = 843, 130, 30
IGA_DISTINCT, IGA_FROM_KIPP = 1650, 250
INOLAN_DISTINCT, INOLAN_OVERLAP = 600, 100
LARGE_SCALE = 40


@dataclass
class World:
    agencies: list[Agency]
    innovations: list[Innovation] = field(default_factory=list)
    kipp: list[tuple[Innovation, int, str]] = field(
        default_factory=list
    )  # (innovation, year, award)
    iga: list[tuple[Innovation, int]] = field(default_factory=list)  # (innovation, year)
    inolan: list[tuple[Innovation, int]] = field(default_factory=list)
    kipp_keys: list[str] = field(default_factory=list)
    pending_keys: set[str] = field(default_factory=set)


def _weighted_pool(rng: random.Random, agencies: list[Agency]) -> tuple[list[Agency], list[float]]:
    """Agencies with long-tailed weights: a few agencies win many awards, most win one or two.
    The weights come back accumulated (for `cum_weights`: the same draws as `weights`, without
    summing the whole list on every draw)."""
    shuffled = agencies[:]
    rng.shuffle(shuffled)
    return shuffled, list(accumulate(1.0 / (i + 1) ** 0.7 for i in range(len(shuffled))))


def _new_innovation(
    world: World, rng: random.Random, titles: TitleFactory, agency: Agency, year_hint: int
) -> Innovation:
    generic = None
    if rng.random() < 0.08:
        generic = titles.generic(agency.agency_id)
    acronym, expansion = (None, generic) if generic else titles.new(agency.agency_id)
    category = pick_category(rng)
    unit_pool = words.UNITS if agency.regional else words.CENTRAL_UNITS
    inv = Innovation(
        key=f"E{len(world.innovations) + 1:06d}",
        agency=agency,
        acronym=acronym,
        expansion=expansion,
        category=category,
        sdgs=sdgs_for(category, rng),
        start_year=year_hint - rng.randint(0, 3),
        summary=summary_for(expansion, rng),
        innovator=person(rng),
        unit=rng.choice(unit_pool),
    )
    world.innovations.append(inv)
    return inv


def _add_hard_negatives(
    world: World, rng: random.Random, titles: TitleFactory, agencies: list[Agency], count: int
) -> list[Innovation]:
    """Pairs like 'Puskesmas Keliling' / 'Puskesmas Keliling Terapung' in one agency."""
    made = []
    # beyond LARGE_SCALE there are more near-twin pairs than agencies: agencies repeat
    picks = (
        rng.sample(agencies, count) if count <= len(agencies) else rng.choices(agencies, k=count)
    )
    for agency in picks:
        base, ext = rng.choice(words.HARD_NEGATIVES)
        if not titles.is_free(agency.agency_id, base):
            continue
        titles.take(agency.agency_id, base)
        titles.take(agency.agency_id, ext)
        for title in (base, ext):
            category = pick_category(rng)
            inv = Innovation(
                key=f"E{len(world.innovations) + 1:06d}",
                agency=agency,
                acronym=None,
                expansion=title,
                category=category,
                sdgs=sdgs_for(category, rng),
                start_year=rng.randint(2012, 2020),
                summary=summary_for(title, rng),
                innovator=person(rng),
                unit=rng.choice(words.UNITS if agency.regional else words.CENTRAL_UNITS),
            )
            world.innovations.append(inv)
            made.append(inv)
    return made


def _award_slots(
    rng: random.Random, scale: int
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    top, top99 = [], []
    for year, n in TOP_TIER.items():
        top += [(year, f"Top {n}/{year}")] * (n * scale)
        if year >= OAPSI_FROM:
            top += [(year, f"Top 5 OAPSI/{year}")] * (5 * scale)
    remaining = KIPP_ENTRIES * scale - len(top)
    years = list(TOP_TIER)
    for i in range(remaining):
        year = years[i % len(years)]
        top99.append((year, f"Top 99/{year}"))
    rng.shuffle(top)
    rng.shuffle(top99)
    return top, top99


def build_world(seed: int, scale: int) -> World:
    rng = random.Random(seed)
    agencies = all_agencies()
    world = World(agencies=agencies)
    titles = TitleFactory(rng, words.LARGE if scale >= LARGE_SCALE else words.SMALL)
    regional = [a for a in agencies if a.regional]
    by_type: dict[str, list[Agency]] = {}
    for a in agencies:
        by_type.setdefault(a.type, []).append(a)
    type_weights = {
        "kementerian": 12,
        "lembaga": 6,
        "bumn": 2,
        "bumd": 2,
        "provinsi": 12,
        "kabupaten": 46,
        "kota": 20,
    }
    pools = {t: _weighted_pool(rng, by_type[t]) for t in type_weights}
    type_names, type_cum = list(type_weights), list(accumulate(type_weights.values()))

    def kipp_agency() -> Agency:
        t = rng.choices(type_names, cum_weights=type_cum)[0]
        pool, cw = pools[t]
        return rng.choices(pool, cum_weights=cw)[0]

    # --- KIPP: distinct innovations, 92 of them awarded twice (Top 99 first, top tier later) ---
    n_distinct, n_entries = KIPP_DISTINCT * scale, KIPP_ENTRIES * scale
    n_repeat = n_entries - n_distinct
    top, top99 = _award_slots(rng, scale)
    top_sorted = sorted(top, key=lambda s: -s[0])
    repeats: list[tuple[tuple[int, str], tuple[int, str]]] = []
    used_top99 = [False] * len(top99)
    # each top slot pairs with the first unused Top 99 entry of an earlier year: per-year queues
    # of Top 99 positions find it without scanning the list
    queues: dict[int, list[int]] = {}
    for i, early in enumerate(top99):
        queues.setdefault(early[0], []).append(i)
    heads = {y: 0 for y in queues}
    removed: Counter = Counter()
    for slot in top_sorted:
        if len(repeats) == n_repeat:
            break
        open_years = [y for y in queues if y < slot[0] and heads[y] < len(queues[y])]
        if not open_years:
            continue
        year = min(open_years, key=lambda y: queues[y][heads[y]])
        i = queues[year][heads[year]]
        heads[year] += 1
        used_top99[i] = True
        repeats.append((top99[i], slot))
        removed[slot] += 1
    kept = []
    for slot in top:  # list.remove took the first equal slot each time: drop the first n of each
        if removed[slot]:
            removed[slot] -= 1
        else:
            kept.append(slot)
    top = kept
    singles = top + [s for i, s in enumerate(top99) if not used_top99[i]]
    rng.shuffle(singles)
    kipp_inv: list[Innovation] = []
    hard = _add_hard_negatives(
        world, rng, titles, [a for a in agencies if a.type in type_weights], max(6, 12 * scale)
    )
    for inv in hard:  # the near-twins take award slots like any other innovation
        if singles:
            year, award = singles.pop()
            world.kipp.append((inv, year, award))
            kipp_inv.append(inv)
    for early, late in repeats:
        inv = _new_innovation(world, rng, titles, kipp_agency(), early[0])
        world.kipp += [(inv, early[0], early[1]), (inv, late[0], late[1])]
        kipp_inv.append(inv)
    for year, award in singles:
        inv = _new_innovation(world, rng, titles, kipp_agency(), year)
        world.kipp.append((inv, year, award))
        kipp_inv.append(inv)
    assert len(kipp_inv) == n_distinct and len(world.kipp) == n_entries
    world.kipp_keys = [inv.key for inv in kipp_inv]

    # --- IGA: regional innovations re-reported year after year, some also KIPP winners --------
    kipp_regional = [inv for inv in kipp_inv if inv.agency.regional]
    iga_inv = rng.sample(kipp_regional, min(len(kipp_regional), IGA_FROM_KIPP * scale))
    reg_pool = _weighted_pool(rng, regional)
    papua = [a for a in regional if a.agency_id in NEW_TO_OLD_PAPUA]
    while len(iga_inv) < IGA_DISTINCT * scale:
        agency = (
            rng.choice(papua)
            if rng.random() < 0.04
            else rng.choices(reg_pool[0], cum_weights=reg_pool[1])[0]
        )
        iga_inv.append(_new_innovation(world, rng, titles, agency, rng.randint(2016, 2023)))
    for inv in iga_inv:
        first = rng.randint(2018, 2023)
        for year in range(first, min(2023, first + rng.choice([0, 1, 1, 2, 3])) + 1):
            world.iga.append((inv, year))

    # --- InoLAN: ideas from the leadership labs, some of them already known elsewhere ---------
    known = kipp_inv + iga_inv
    ino_inv = rng.sample(known, INOLAN_OVERLAP * scale)
    while len(ino_inv) < INOLAN_DISTINCT * scale:
        agency = (
            rng.choices(reg_pool[0], cum_weights=reg_pool[1])[0]
            if rng.random() < 0.8
            else kipp_agency()
        )
        ino_inv.append(_new_innovation(world, rng, titles, agency, rng.randint(2017, 2024)))
    for inv in ino_inv:
        year = rng.randint(2017, 2024)
        world.inolan.append((inv, year))
        if rng.random() < 0.08 and year < 2024:
            world.inolan.append((inv, year + 1))
    rng.shuffle(world.inolan)

    # --- the update campaign: which KIPP innovations stay pending (130 from 30 agencies) -------
    by_agency: dict[str, list[str]] = {}
    for inv in kipp_inv:
        by_agency.setdefault(inv.agency.agency_id, []).append(inv.key)
    n_pending, n_agencies = PENDING * scale, PENDING_AGENCIES * scale
    candidates = sorted(
        (a for a, ks in by_agency.items() if len(ks) >= 2), key=lambda a: (rng.random(), a)
    )
    chosen, capacity = [], 0
    for a in candidates:
        if len(chosen) == n_agencies:
            break
        chosen.append(a)
        capacity += len(by_agency[a])
    while capacity < n_pending:  # swap in larger agencies until the 130 fit
        small = min(chosen, key=lambda a: len(by_agency[a]))
        big = max((a for a in candidates if a not in chosen), key=lambda a: len(by_agency[a]))
        chosen[chosen.index(small)] = big
        capacity += len(by_agency[big]) - len(by_agency[small])
    pending = [rng.choice(by_agency[a]) for a in chosen]
    first_picks = set(pending)
    rest = [k for a in chosen for k in by_agency[a] if k not in first_picks]
    rng.shuffle(rest)
    pending += rest[: n_pending - len(pending)]
    world.pending_keys = set(pending)
    return world


def submission_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
