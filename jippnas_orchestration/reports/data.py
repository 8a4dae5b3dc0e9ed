"""Everything the data-quality report shows, gathered from the warehouse and the output folder."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..metrics.completeness import REQUIRED_FIELDS
from ..metrics.history import HISTORY_COLUMNS, JAKARTA, RUN, deltas, now
from ..publication.publish import current_manifest
from ..quality.data_docs import page_for
from ..quality.gate import GATE_SUITES, read_result
from ..warehouse import Warehouse
from . import messages, trends

HARMONIZED_READ = [
    "innovation_id",
    "title",
    "agency_id",
    "agency_name",
    "agency_type",
    "sources",
    "completeness",
    "missing_fields",
    "update_status",
]


@dataclass
class ReportData:
    generated_at: str
    national: pd.DataFrame
    agencies: pd.DataFrame
    pending: pd.DataFrame  # pending KIPP innovations with their missing fields (Indonesian labels)
    completeness: pd.Series  # completeness of every innovation
    rejected_rows: pd.DataFrame  # source (programme), kind, count, example: in Indonesian
    rejected_submissions: pd.DataFrame
    # every quarantined row and rejected submission, for the workbook (Indonesian, no raw content)
    rejected_detail: pd.DataFrame = field(default_factory=pd.DataFrame)
    submissions_detail: pd.DataFrame = field(default_factory=pd.DataFrame)
    gates: dict = field(default_factory=dict)
    docs_pages: dict = field(
        default_factory=dict
    )  # suite -> its result's Data Docs page, relative to output_dir
    manifest: dict | None = None
    match_rules: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["match_rule", "records"])
    )
    reviews: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["review_id", "kind", "record_count", "description", "evidence", "created_at"]
        )
    )
    sources: list[dict] = field(
        default_factory=list
    )  # reports.sources.source_status: stale sources
    history: pd.DataFrame = field(
        default_factory=pd.DataFrame
    )  # campaign_history, national KIPP rows by day
    history_deltas: dict | None = None  # campaign_history.deltas for KIPP
    backfilled_until: str | None = None  # first day a run recorded; the days before were rebuilt
    progress: pd.DataFrame = field(
        default_factory=lambda: trends.progress(pd.DataFrame(columns=HISTORY_COLUMNS))
    )
    programme_deltas: pd.DataFrame = field(default_factory=pd.DataFrame)
    stalled: pd.DataFrame = field(default_factory=pd.DataFrame)  # stalled_agencies + agency_name
    stalled_judged: bool = False  # the history covers trends.STALLED_DAYS
    agency_history: pd.DataFrame = field(default_factory=pd.DataFrame)  # KIPP, per agency and day
    quality_dimensions: pd.DataFrame = field(
        default_factory=lambda: trends.dimension_summary(trends.dimension_scores(pd.DataFrame()))
    )
    jumps: pd.DataFrame = field(default_factory=pd.DataFrame)  # trends.jump_flags
    # "Replikasi dan pemerataan" (replication.summary.ReplicationSummary) and every opportunity
    replication_summary: object = None
    opportunities: pd.DataFrame = field(default_factory=pd.DataFrame)
    replication: pd.DataFrame = field(
        default_factory=lambda: trends.replication_suggestions(pd.DataFrame(), pd.DataFrame())
    )

    def headline(self) -> dict:
        if not {"dimension", "value"} <= set(self.national.columns):
            return {"innovations": 0, "updated": 0, "pending": 0, "agencies_with_pending": 0}
        kipp = self.national[
            (self.national["dimension"] == "programme") & (self.national["value"] == "KIPP")
        ]
        if kipp.empty:
            return {"innovations": 0, "updated": 0, "pending": 0, "agencies_with_pending": 0}
        k = kipp.iloc[0]
        return {
            "innovations": int(k["innovations"]),
            "updated": int(k["updated"]),
            "pending": int(k["pending"]),
            "agencies_with_pending": int(k["agencies_with_pending"]),
        }


def missing_labels(missing: object) -> str:
    if not isinstance(missing, str) or not missing:
        return ""
    return ", ".join(REQUIRED_FIELDS.get(f, f) for f in missing.split(","))


def _rejected_sources(wh: Warehouse) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Quarantined source rows: (per programme and problem: count and an example; every row),
    the reasons in Indonesian (messages), the rows named by programme, file, sheet and row.
    The row's raw content is never read: it holds innovators' names and contacts."""
    cols = ["source", "source_record_id", "kind", "field", "reason", "detail", "location"]
    rejected = (
        wh.read_table("rejected_source_rows", cols)
        if wh.has_table("rejected_source_rows")
        else pd.DataFrame(columns=cols)
    )
    detail = pd.DataFrame(
        {
            "programme": [messages.programme_label(s) for s in rejected["source"]],
            "source_record_id": rejected["source_record_id"],
            "place": [
                messages.place(s, loc) for s, loc in zip(rejected["source"], rejected["location"])
            ],
            "problem_kind": [
                messages.kind_label(k, f) for k, f in zip(rejected["kind"], rejected["field"])
            ],
            "problem": [
                messages.source_problem(s, k, f, r, d)
                for s, k, f, r, d in zip(
                    rejected["source"],
                    rejected["kind"],
                    rejected["field"],
                    rejected["reason"],
                    rejected["detail"],
                )
            ],
        }
    )
    detail = detail.sort_values(["programme", "problem_kind", "place"], kind="stable")
    if detail.empty:  # nothing quarantined: no example to join (an empty column is not text)
        return pd.DataFrame(columns=["source", "kind", "count", "example"]), detail
    grouped = (
        detail.assign(example=detail["place"] + ": " + detail["problem"])
        .groupby(["programme", "problem_kind"], as_index=False)
        .agg(count=("problem", "size"), example=("example", "first"))
        .sort_values(["programme", "count"], ascending=[True, False])
        .rename(columns={"programme": "source", "problem_kind": "kind"})
    )
    return grouped, detail.reset_index(drop=True)


def _rejected_submissions(wh: Warehouse) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rejected submissions: (per kind of reason: count and an example; every one), in
    Indonesian. Never who submitted them."""
    cols = ["submission_id", "innovation_id", "received_at", "reason"]
    subs = (
        wh.read_sql(
            "SELECT submission_id, innovation_id, received_at, reason FROM innovation_submissions "
            "WHERE state = 'rejected' ORDER BY received_at, submission_id"
        )
        if wh.has_table("innovation_submissions")
        else pd.DataFrame(columns=cols)
    )
    subs = subs.assign(
        kind=[messages.submission_kind(r) for r in subs["reason"]],
        text=[messages.submission_reason(r) for r in subs["reason"]],
    )
    grouped = (
        subs.groupby("kind", as_index=False)
        .agg(count=("text", "size"), example=("text", "first"))
        .sort_values("count", ascending=False)
    )
    return grouped, subs[["submission_id", "innovation_id", "received_at", "kind", "text"]]


OPPORTUNITY_SQL = (
    "SELECT o.agency_id, a.agency_name, o.affair, o.rank, o.innovation_id, h.title, "
    "h.agency_name AS source_agency_name, o.score, o.reason FROM replication_opportunities o "
    "JOIN harmonized_innovations h ON h.innovation_id = o.innovation_id "
    "LEFT JOIN agencies a ON a.agency_id = o.agency_id"
)


def _replication(wh: Warehouse):
    """The replication section's figures and every opportunity; (None, empty) before the
    replication tables exist."""
    from ..replication.summary import replication_summary

    needed = ("affair_coverage", "replication_opportunities", "innovation_replication_counts")
    if not all(wh.has_table(t) for t in needed):
        return None, pd.DataFrame()
    return replication_summary(wh), wh.read_sql(OPPORTUNITY_SQL)


def gather(wh: Warehouse, output_dir: Path) -> ReportData:
    national = (
        wh.read_table("national_summary")
        if wh.has_table("national_summary")
        else pd.DataFrame(
            columns=[
                "dimension",
                "value",
                "innovations",
                "updated",
                "pending",
                "agencies",
                "agencies_with_pending",
                "completeness_mean",
            ]
        )
    )
    agencies = (
        wh.read_table("agency_completeness")
        if wh.has_table("agency_completeness")
        else pd.DataFrame()
    )
    if wh.has_table("harmonized_innovations"):
        h = wh.read_table("harmonized_innovations", HARMONIZED_READ)
    else:
        h = pd.DataFrame(columns=HARMONIZED_READ)
    kipp_pending = h[
        h["sources"].fillna("").str.contains("KIPP") & (h["update_status"] != "updated")
    ].copy()
    kipp_pending["missing"] = kipp_pending["missing_fields"].map(missing_labels)
    kipp_pending = kipp_pending.sort_values(["agency_name", "title"])
    rej_rows, rejected_detail = _rejected_sources(wh)
    rej_subs, submissions_detail = _rejected_submissions(wh)
    rules = (
        wh.read_sql(
            "SELECT match_rule, COUNT(*) AS records FROM innovation_source_map GROUP BY match_rule "
            "ORDER BY records DESC"
        )
        if wh.has_table("innovation_source_map")
        else None
    )
    reviews = (
        wh.read_sql(
            "SELECT review_id, kind, record_count, description, evidence, created_at FROM match_review "
            "WHERE status = 'open' ORDER BY kind, record_count DESC, review_id"
        )
        if wh.has_table("match_review")
        else None
    )
    if rules is not None:
        rules = rules.assign(match_rule=rules["match_rule"].map(messages.match_rule))
        rules = rules.groupby("match_rule", as_index=False, sort=False)["records"].sum()
    if reviews is not None:
        reviews = reviews.assign(
            description=reviews["description"].map(messages.review_question),
            evidence=[
                messages.review_evidence(k, e) for k, e in zip(reviews["kind"], reviews["evidence"])
            ],
            kind=reviews["kind"].map(messages.review_kind),
        )
    gates = {s: read_result(s, output_dir) for s in GATE_SUITES}
    history = (
        wh.read_table("campaign_history")
        if wh.has_table("campaign_history")
        else pd.DataFrame(columns=HISTORY_COLUMNS)
    )
    kipp = history[history["programme"] == "KIPP"]
    names = h.drop_duplicates("agency_id").set_index("agency_id")["agency_name"]
    stalled = trends.stalled_agencies(history, "KIPP")
    quality, similar = (
        wh.read_table(t) if wh.has_table(t) else pd.DataFrame()
        for t in ("quality_history", "similar_innovations")
    )
    # trends compare whole-table evaluations; an incremental run's gate saw only the changed rows
    if "scope" in quality.columns:
        quality = quality[quality["scope"].fillna("table") == "table"]
    recorded_by = history.get("recorded_by", pd.Series(RUN, index=history.index)).fillna(RUN)
    by_run = history[recorded_by == RUN]
    summary, opportunities = _replication(wh)
    return ReportData(
        replication_summary=summary,
        opportunities=opportunities,
        history=kipp[kipp["agency_id"].fillna("") == ""].sort_values("snapshot_date"),
        history_deltas=deltas(history, "KIPP"),
        backfilled_until=(
            by_run["snapshot_date"].min() if len(by_run) < len(history) and len(by_run) else None
        ),
        progress=trends.progress(history),
        programme_deltas=trends.programme_deltas(history),
        stalled=stalled.assign(agency_name=stalled["agency_id"].map(names)),
        stalled_judged=_covers(history, trends.STALLED_DAYS),
        agency_history=kipp[kipp["agency_id"].fillna("") != ""]
        .assign(
            agency_name=lambda k: k["agency_id"].map(names),
            recorded_by=lambda k: k.get("recorded_by", pd.Series(RUN, index=k.index)).fillna(RUN),
        )
        .sort_values(["agency_id", "snapshot_date"]),
        quality_dimensions=trends.dimension_summary(trends.dimension_scores(quality)),
        jumps=trends.jump_flags(quality),
        replication=trends.replication_suggestions(h, similar),
        generated_at=now().astimezone(JAKARTA).isoformat(timespec="seconds"),
        national=national,
        agencies=agencies,
        pending=kipp_pending,
        completeness=h["completeness"].astype(float),
        rejected_rows=rej_rows,
        rejected_submissions=rej_subs,
        rejected_detail=rejected_detail,
        submissions_detail=submissions_detail,
        gates=gates,
        docs_pages={
            s: page_for(output_dir, s, (g or {}).get("evaluated_at")) for s, g in gates.items()
        },
        manifest=current_manifest(output_dir),
        **({"match_rules": rules} if rules is not None else {}),
        **({"reviews": reviews} if reviews is not None else {}),
    )


def _covers(history: pd.DataFrame, days: int) -> bool:
    if history.empty:
        return False
    dates = pd.to_datetime(history["snapshot_date"])
    return (dates.max() - dates.min()).days >= days


def to_json(data: ReportData) -> str:
    return json.dumps(
        {
            "generated_at": data.generated_at,
            "headline": data.headline(),
            "gates": {k: (v or {}).get("success") for k, v in data.gates.items()},
            "stale_sources": [s["programme"] for s in data.sources if s.get("stale")],
            "portal_version": (data.manifest or {}).get("version"),
        },
        ensure_ascii=False,
        indent=1,
    )
