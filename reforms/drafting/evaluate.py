"""How close a draft comes to a hand-made fixture of the same report (``make draft-eval``).

Per kind: which of the fixture's records the draft found, which it missed, and which drafted
records the fixture does not have. Then the four measures the drafting is held to:

- names: of the fixture's schools, organisations, zones, awards and publications, the share
  drafted (by name or alias, as any of those kinds);
- real names: of the names drafted, the share that are names the fixture knows (of any of its
  records, aliases included) rather than fragments of sentences;
- event dates: of the fixture's milestones, the share drafted with the right date precision and
  inferred flag (a drafted milestone of the same section text and year stands for it);
- figures: of the fixture's figures, the share drafted with the same value, unit and qualifier.
"""

import json
from decimal import Decimal
from pathlib import Path

NAME_KINDS = ("school", "organization", "zone", "award", "publication")
TARGETS = {"names": 0.80, "real": 0.70, "dates": 0.90, "figures": 0.80}


def _forms(fields):
    aliases = [line.strip() for line in (fields.get("aliases") or "").splitlines()]
    return {fields["name"], *filter(None, aliases)}


def _bare(text):
    return text.replace("“", "").replace("”", "").replace(" ", "")


def evaluate(draft, fixture_objects):
    """Compare ``draft`` (a ``draft.Draft``) with a fixture's objects; returns a dict of
    per-kind rows and the four measures."""
    fixture = {}
    every_form = set()
    for item in fixture_objects:
        kind = item["model"].split(".")[1]
        fixture.setdefault(kind, []).append(item["fields"])
        if "name" in item["fields"]:
            every_form |= {_bare(form) for form in _forms(item["fields"])}
    drafted = {kind: draft.by_kind(kind) for kind in (*NAME_KINDS, "figure", "milestone")}
    rows = []
    name_forms = {}
    for kind in NAME_KINDS:
        for candidate in drafted[kind]:
            for form in (candidate.name, *candidate.aliases):
                name_forms[_bare(form)] = candidate
    found_names = total_names = 0
    for kind in NAME_KINDS:
        found, missed = [], []
        for fields in fixture.get(kind, []):
            match = next(
                (name_forms[_bare(f)] for f in _forms(fields) if _bare(f) in name_forms), None
            )
            (found if match else missed).append(
                fields["name"] + (f"（草拟为{match.kind}）" if match and match.kind != kind else "")
            )
        fixture_forms = {_bare(f) for fields in fixture.get(kind, []) for f in _forms(fields)}
        wrong = [
            c.name
            for c in drafted[kind]
            if not ({_bare(c.name), *map(_bare, c.aliases)} & fixture_forms)
        ]
        rows.append((kind, found, missed, wrong))
        found_names += len(found)
        total_names += len(found) + len(missed)
    new_names = [c for kind in NAME_KINDS for c in drafted[kind]]
    real = [c for c in new_names if {_bare(c.name), *map(_bare, c.aliases)} & every_form]
    figures_right, figure_rows = _figures(fixture.get("figure", []), drafted["figure"])
    rows.append(("figure", *figure_rows))
    dates_right, milestone_rows = _milestones(fixture.get("milestone", []), drafted["milestone"])
    rows.append(("milestone", *milestone_rows))
    measures = {
        "names": (found_names, total_names),
        "real": (len(real), len(new_names)),
        "dates": (dates_right, len(fixture.get("milestone", []))),
        "figures": (figures_right, len(fixture.get("figure", []))),
    }
    return {"rows": rows, "measures": measures}


def _figures(expected, drafted):
    found, missed, used = [], [], set()
    right = 0
    for fields in expected:
        written = _bare(fields["as_written"])
        match = next(
            (
                c
                for c in drafted
                if id(c) not in used
                and (
                    written in _bare(c.fields["as_written"])
                    or _bare(c.fields["as_written"]) in written
                )
                and Decimal(c.fields["value"]) == Decimal(fields["value"])
            ),
            None,
        )
        if match is None:
            missed.append(f"{fields['name']} {fields['as_written']}")
            continue
        used.add(id(match))
        same = (
            Decimal(match.fields["value"]) == Decimal(fields["value"])
            and match.fields["unit"] == fields["unit"]
            and match.fields["qualifier"] == fields.get("qualifier", "")
        )
        right += same
        found.append(
            f"{fields['as_written']}" + ("" if same else f"（草拟为 {_shown(match.fields)}）")
        )
    wrong = [f"{c.name} {c.fields['as_written']}" for c in drafted if id(c) not in used]
    return right, (found, missed, wrong)


def _shown(fields):
    return f"{fields['value']}{fields['unit']} {fields['qualifier'] or '确数'}"


def _milestones(expected, drafted):
    found, missed, used = [], [], set()
    right = 0
    for fields in expected:
        year = fields["date"][:4]
        candidates = [c for c in drafted if id(c) not in used and c.fields["date"][:4] == year]
        match = max(
            candidates,
            key=lambda c: (c.fields["date"] == fields["date"], _overlap(c.name, fields["name"])),
            default=None,
        )
        if match is None or _overlap(match.name, fields["name"]) < 0.3:
            missed.append(f"{fields['name']}（{fields['date']}）")
            continue
        used.add(id(match))
        same = match.fields["date_precision"] == fields["date_precision"] and bool(
            match.fields["date_inferred"]
        ) == bool(fields.get("date_inferred"))
        right += same
        found.append(
            f"{fields['date']} {fields['date_precision']}"
            + ("推断" if fields.get("date_inferred") else "")
            + (
                ""
                if same
                else f"（草拟为 {match.fields['date_precision']}"
                f"{'推断' if match.fields['date_inferred'] else ''}）"
            )
        )
    wrong = [f"{c.name}（{c.fields['date']}）" for c in drafted if id(c) not in used]
    return right, (found, missed, wrong)


def _overlap(drafted, expected):
    """The share of the expected name's character pairs found in the drafted name."""
    pairs = {expected[i : i + 2] for i in range(len(expected) - 1)}
    if not pairs:
        return 0
    return sum(pair in drafted for pair in pairs) / len(pairs)


def report(result, out):
    labels = {
        "school": "学校",
        "organization": "机构",
        "zone": "实验区",
        "award": "荣誉",
        "publication": "论著与文件",
        "figure": "数据",
        "milestone": "大事记",
    }
    out.write(f"{'kind':<14}{'found':>6}{'missed':>8}{'wrong':>7}\n")
    for kind, found, missed, wrong in result["rows"]:
        out.write(
            f"{labels[kind] + ' ' + kind:<14}{len(found):>6}{len(missed):>8}{len(wrong):>7}\n"
        )
    out.write("\n")
    for kind, found, missed, wrong in result["rows"]:
        for title, items in (("missed", missed), ("wrongly drafted", wrong)):
            if items:
                out.write(f"{kind} {title}: {'；'.join(items)}\n")
        odd = [item for item in found if "草拟为" in item]
        if odd:
            out.write(f"{kind} found but different: {'；'.join(odd)}\n")
    out.write("\n")
    return report_measures(result["measures"], out)


def load_fixture(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def load_annotation(path):
    """A held-out text's hand-made annotation, as the fixture objects ``evaluate`` compares
    with, and the text's report fields (its ``date``, ``title`` and ``authors``).

    Names are listed by kind, each a name or ``[name, alias, …]``; figures as
    ``[name, as_written, value, unit, qualifier]``; milestones as
    ``[name, date, precision, inferred]``."""
    annotation = load_fixture(path)
    objects = []
    for kind, names in annotation["names"].items():
        for entry in names:
            name, *aliases = [entry] if isinstance(entry, str) else entry
            fields = {"name": name, "aliases": "\n".join(aliases)}
            objects.append({"model": f"reforms.{kind}", "fields": fields})
    for name, as_written, value, unit, qualifier in annotation["figures"]:
        fields = {
            "name": name,
            "as_written": as_written,
            "value": value,
            "unit": unit,
            "qualifier": qualifier,
        }
        objects.append({"model": "reforms.figure", "fields": fields})
    for name, date, precision, inferred in annotation["milestones"]:
        fields = {"name": name, "date": date, "date_precision": precision}
        fields["date_inferred"] = inferred
        objects.append({"model": "reforms.milestone", "fields": fields})
    return annotation, objects


HELD_OUT = Path(__file__).resolve().parents[2] / "tests" / "drafting_texts"


def held_out(folder=HELD_OUT):
    """Each held-out text of ``folder`` drafted and compared with its annotation: a list of
    (text path, annotation, draft, result)."""
    from .dates import parse_report_date
    from .draft import draft_report

    results = []
    for path in sorted(Path(folder).glob("*.json")):
        annotation, objects = load_annotation(path)
        text_path = path.with_name(annotation["text"])
        date, precision = parse_report_date(annotation["date"])
        draft = draft_report(text_path.read_text(encoding="utf-8"), date, precision)
        results.append((text_path, annotation, draft, evaluate(draft, objects)))
    return results


def pooled(results):
    """The four measures over several drafts, each the sum of its counts."""
    measures = {key: (0, 0) for key in TARGETS}
    for result in results:
        for key, (right, total) in result["measures"].items():
            measures[key] = (measures[key][0] + right, measures[key][1] + total)
    return measures


def report_measures(measures, out):
    """One line per measure against its target; whether every target is met."""
    met = True
    titles = {
        "names": "names found",
        "real": "new drafted names that are real",
        "dates": "event dates with right precision and inferred flag",
        "figures": "figures with right value, unit and qualifier",
    }
    for key, (right, total) in measures.items():
        share = right / total if total else 1
        ok = share >= TARGETS[key]
        met &= ok
        out.write(
            f"{titles[key]:<52}{right:>3}/{total:<3} {share:6.1%}  target {TARGETS[key]:.0%}  "
            f"{'met' if ok else 'MISSED'}\n"
        )
    return met


def main(argv=None):
    """``python -m reforms.drafting.evaluate [TEXT FIXTURE]``: draft the seed report's text
    with the date its fixture gives, and compare; then draft each held-out text and compare
    it with its annotation. Exit status 1 when a target is missed, by the seed or by the
    held-out texts together."""
    import sys

    from .dates import parse_report_date
    from .draft import draft_report

    args = (argv if argv is not None else sys.argv[1:]) or [
        "fixtures/sources/nanan-education-reform-report.txt",
        "fixtures/nanan-education-reform-report.json",
    ]
    text_path, fixture_path = args
    objects = load_fixture(fixture_path)
    report_fields = next(o["fields"] for o in objects if o["model"] == "reforms.report")
    written = {"year": 4, "month": 7, "day": 10}[report_fields["date_precision"]]
    date, precision = parse_report_date(report_fields["date"][:written])
    with open(text_path, encoding="utf-8") as handle:
        text = handle.read()
    draft = draft_report(text, date, precision, name=report_fields["name"])
    out = sys.stdout
    out.write(
        f"{text_path} drafted with --date {report_fields['date'][:written]} "
        f"--name {report_fields['name']}, compared with {fixture_path}\n\n"
    )
    met = report(evaluate(draft, objects), out)
    results = held_out()
    for text_path, annotation, draft, result in results:
        shown = text_path.relative_to(HELD_OUT.parents[1])
        out.write(f"\n\n{shown} drafted with --date {annotation['date']}\n\n")
        report(result, out)
        for label, drafted, expected in (
            ("title", draft.report["name"], annotation.get("title")),
            ("authors", draft.report["authors"], annotation.get("authors")),
        ):
            if expected is not None and drafted != expected:
                out.write(f"{label} drafted as “{drafted}”, annotated “{expected}”\n")
    if results:
        out.write(f"\n\nThe {len(results)} held-out texts together\n\n")
        met &= report_measures(pooled([result for *_, result in results]), out)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
