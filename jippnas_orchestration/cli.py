"""The `jippnas` command: generate samples, submit updates, show the warehouse's state."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _generate(args: argparse.Namespace) -> int:
    from .generator.write import generate

    summary = generate(Path(args.outdir), scale=args.scale, seed=args.seed)
    print(json.dumps(summary, indent=1))
    return 0


def _submit(args: argparse.Namespace) -> int:
    from .submissions.intake import submit_files

    return submit_files([Path(f) for f in args.files], out=sys.stdout)


def _status(args: argparse.Namespace) -> int:
    from .status import print_status

    return print_status(sys.stdout)


def _restore(args: argparse.Namespace) -> int:
    from . import settings
    from .publication.publish import restore
    from .warehouse import Warehouse

    try:
        manifest = restore(Warehouse(settings.warehouse_url()), settings.output_dir(), args.version)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"restored portal version {manifest['version']} ({manifest['row_count']} rows)")
    return 0


def _review(args: argparse.Namespace) -> int:
    from . import settings
    from .review.decide import ReviewError, decide, list_reviews, show_review
    from .warehouse import Warehouse

    wh = Warehouse(settings.warehouse_url())
    try:
        if args.action == "list":
            return list_reviews(wh, sys.stdout, status=args.status, kind=args.kind)
        if args.action == "show":
            return show_review(wh, args.review_id, sys.stdout)
        row = decide(
            wh,
            args.review_id,
            args.action,
            getattr(args, "target", None),
            by=args.by,
            note=args.note,
        )
    except ReviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    chosen = row["agency_id"] or row["innovation_id"] or ""
    print(
        f"{row['review_id']}: {row['decision']} {chosen} by {row['decided_by']} (applies from the next run)".rstrip()
    )
    return 0


def _explain(args: argparse.Namespace) -> int:
    from . import settings
    from .explain import ExplainError, explain
    from .warehouse import Warehouse

    try:
        explain(Warehouse(settings.warehouse_url()), args.reference, sys.stdout)
    except ExplainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _agency(args: argparse.Namespace) -> int:
    from .agencies import check

    if args.csv:
        return check.resolve_csv(Path(args.csv), sys.stdout)
    if not args.name:
        print("error: give a NAME or --csv FILE", file=sys.stderr)
        return 1
    return check.print_one(args.name, args.type, args.code, sys.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jippnas", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write a deterministic sample of the three sources")
    gen.add_argument("outdir")
    gen.add_argument(
        "--scale", type=int, default=1, help="multiply volumes (30 gives ~160,000 source records)"
    )
    gen.add_argument("--seed", type=int, default=2024)
    gen.set_defaults(func=_generate)
    sm = sub.add_parser("submit", help="store update submissions (JSON documents) as pending")
    sm.add_argument("files", nargs="+")
    sm.set_defaults(func=_submit)
    st = sub.add_parser("status", help="summarise the warehouse and the last publication")
    st.set_defaults(func=_status)
    rs = sub.add_parser("portal-restore", help="put an archived portal version back in place")
    rs.add_argument("version")
    rs.set_defaults(func=_restore)
    rv = sub.add_parser("review", help="see and decide what the resolver and the matcher could not")
    rv_sub = rv.add_subparsers(dest="action", required=True)
    ls = rv_sub.add_parser("list", help="the review queue (open items by default)")
    ls.add_argument("--status", choices=["open", "decided", "all"], default="open")
    ls.add_argument("--kind", choices=["agency", "pair"])
    show = rv_sub.add_parser("show", help="one review with its records, candidates and evidence")
    show.add_argument("review_id")
    for action, text in (
        ("accept", "agency: take the best candidate; pair: one innovation"),
        ("reject", "agency: no agency fits; pair: two innovations, never merged"),
        ("assign", "agency: this AGENCY_ID; pair: both records to this INNOVATION_ID"),
    ):
        p = rv_sub.add_parser(action, help=text)
        p.add_argument("review_id")
        if action == "assign":
            p.add_argument("target", help="agency_id or innovation_id")
        p.add_argument("--by", help="who decides (default: the login name)")
        p.add_argument("--note", help="why, for the record")
    rv.set_defaults(func=_review)
    ex = sub.add_parser(
        "explain",
        help="one innovation's source records, match evidence, submissions and the "
        "origin of each current value",
    )
    ex.add_argument(
        "reference",
        metavar="INNOVATION_ID|SOURCE:ID",
        help="an innovation_id, or one of its source records as a submission names it: "
        "SOURCE:ID with SOURCE one of KIPP, IGA, INOLAN (e.g. KIPP:609805)",
    )
    ex.set_defaults(func=_explain)
    ag = sub.add_parser("agency", help="check how written agency names resolve")
    ag_sub = ag.add_subparsers(dest="action", required=True)
    res = ag_sub.add_parser(
        "resolve",
        help="the agency a written name resolves to, how and on what evidence, or the candidates "
        "(exit 2 when unresolved)",
    )
    res.add_argument("name", nargs="?", help="the agency name as written")
    res.add_argument("--type", help="agency type hint: provinsi, kabupaten, kota, kementerian, ...")
    res.add_argument("--code", help="Kemendagri code carried by the record (IGA kode_wilayah)")
    res.add_argument("--csv", help="a CSV with a 'name' column (optional 'type', 'code'): CSV out")
    ag.set_defaults(func=_agency)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
