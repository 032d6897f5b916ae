"""A report's text into a draft fixture: the report, its sections and candidate records.

Every candidate keeps the sentence it came from (``evidence``) for the editor, and says no
more than the text: descriptions stay empty. A name already stored (or an alias of a stored
record) becomes a repeat of that record, with the draft report as a new source.
"""

import re
from dataclasses import dataclass, field

from .dates import find_dates
from .figures import find_figures, plain
from .layout import read_layout, sentences
from .names import BATCH, Name, find_names, title_spans
from .segment import tokens

# As long as a stored draft keeps (``store.LONGEST_EVIDENCE``).
LONGEST_EVIDENCE = 10_000

KIND_LABELS = {
    "school": "reforms.school",
    "organization": "reforms.organization",
    "zone": "reforms.zone",
    "award": "reforms.award",
    "publication": "reforms.publication",
    "figure": "reforms.figure",
    "milestone": "reforms.milestone",
}
# A draft's links, per kind of the record linked: the field of a milestone naming them.
MILESTONE_LINKS = {"school": "schools", "organization": "organizations", "zone": "zones"}
# The kinds of record whose stored names and aliases are looked for in a report's text.
NAMED_KINDS = ("school", "organization", "zone", "award", "publication")
NUMBERED_SCHOOL = re.compile(r"([一二三四五六七八九十]+)(中学|小学)$")


@dataclass
class Candidate:
    kind: str
    name: str
    fields: dict
    evidence: str
    section: str
    sources: list = field(default_factory=list)
    aliases: list = field(default_factory=list)
    links: dict = field(default_factory=dict)
    repeat_of: str = ""

    @property
    def label(self):
        return KIND_LABELS[self.kind]


@dataclass
class Draft:
    report: dict
    sections: list
    candidates: list

    def by_kind(self, kind):
        return [candidate for candidate in self.candidates if candidate.kind == kind]

    def fixture(self, source_file=""):
        """The draft as fixture objects in the README's format, marked as a draft: the report
        object and every candidate carry a ``draft`` entry (evidence, section, repeat), which
        ``loaddata`` reads to store the file as an unpublished draft."""
        name = self.report["name"]
        objects = [
            {
                "model": "reforms.report",
                "fields": dict(self.report, source_file=source_file),
                "draft": {"text_file": source_file},
            }
        ]
        for order, section in enumerate(self.sections, start=1):
            objects.append(
                {
                    "model": "reforms.section",
                    "fields": {
                        "report": [name],
                        "key": section.key,
                        "order": order,
                        "kind": section.kind,
                        "heading": section.heading[:200],
                        "subheading": section.subheading[:200],
                    },
                }
            )
        for candidate in self.candidates:
            objects.append(candidate_object(candidate, name))
        return objects


def candidate_object(candidate, report_name):
    fields = {"name": candidate.repeat_of or candidate.name}
    if not candidate.repeat_of or candidate.kind == "figure":
        fields.update(candidate.fields)
    if candidate.aliases and not candidate.repeat_of:
        fields["aliases"] = "\n".join(candidate.aliases)
    for link, names in candidate.links.items():
        if link in ("recipients", "schools", "organizations", "zones"):
            fields[link] = [[linked] for linked in names]
        else:
            fields[link] = [names] if names else None
    fields["sources"] = [[report_name, key] for key in candidate.sources]
    return {
        "model": candidate.label,
        "fields": fields,
        "draft": {
            # A "sentence" longer than a page holds no sentence end: the start of it is enough.
            "evidence": candidate.evidence[:LONGEST_EVIDENCE],
            "section": candidate.section,
            "repeat": bool(candidate.repeat_of),
        },
    }


def draft_report(text, report_date, precision, name=None, known=None):
    """Draft the report in ``text`` published on ``report_date`` (at ``precision``).

    ``known(kind, name)`` gives the stored name a drafted name refers to (itself or the
    record it is an alias of), or None for a new one. When ``known`` also has ``forms(kind)``
    (every stored name and alias of a kind with the name it stands for), a stored name or
    alias is recognised wherever the text uses it, also where no rule would find it (十一中).
    """
    known = known or (lambda kind, name: None)
    forms = getattr(known, "forms", None)
    stored_forms = _stored_forms(forms) if forms else []
    layout = read_layout(text, name)
    report = {
        "name": layout.title,
        "authors": layout.authors,
        "photo_credit": layout.photo_credit,
        "date": report_date.isoformat(),
        "date_precision": precision,
    }
    if layout.subtitle:
        report["subtitle"] = layout.subtitle
    builder = _Builder(report_date, precision, stored_forms)
    for section in layout.sections:
        texts = section.paragraphs or [section.heading]
        for paragraph in texts:
            for sentence in sentences(paragraph):
                builder.read(sentence, section.key)
    builder.finish(layout.sections)
    for candidate in builder.candidates:
        stored = known(candidate.kind, candidate.name)
        if stored is None:
            for alias in candidate.aliases:
                stored = known(candidate.kind, alias)
                if stored:
                    break
        if stored:
            candidate.repeat_of = stored
    _point_links_at_stored(builder.candidates)
    return Draft(report, layout.sections, builder.candidates)


def _stored_forms(forms):
    """(form, kind, stored name) for every stored name and alias, longest first so that a
    longer stored name is matched before a shorter one inside it."""
    found = {}
    for kind in NAMED_KINDS:
        for form, stored in forms(kind).items():
            found.setdefault(form, (form, kind, stored))
    return sorted(found.values(), key=lambda item: -len(item[0]))


def stored_names_in(sentence, names, stored_forms):
    """The stored names and aliases ``sentence`` uses outside the names already found in it.

    A form counts only where it starts and ends on the segmenter's word boundaries (so 十一中
    is not read inside 二十一中), and a form of two characters only as a whole word: a short
    alias is too often a piece of a common word otherwise.
    """
    if not stored_forms:
        return []
    words = tokens(sentence)
    starts = {word.start for word in words}
    ends = {word.end for word in words}
    whole = {(word.start, word.end) for word in words}
    taken = [(found.start, found.end) for found in names]
    found = []
    for form, kind, stored in stored_forms:
        if len(form) < 2:
            continue
        at = sentence.find(form)
        while at >= 0:
            end = at + len(form)
            fits = (at, end) in whole if len(form) == 2 else at in starts and end in ends
            if fits and not any(a < end and at < b for a, b in taken):
                aliases = [form] if form != stored else []
                found.append(Name(kind, stored, at, end, aliases, {}))
                taken.append((at, end))
            at = sentence.find(form, end)
    return found


class _Builder:
    def __init__(self, report_date, precision, stored_forms=()):
        self.report_date = report_date
        self.precision = precision
        self.stored_forms = stored_forms
        self.candidates = []
        self.named = {}
        self.figure_names = set()
        self.milestone_names = set()

    def read(self, sentence, section):
        sentence = sentence.strip()
        titles = title_spans(sentence)
        names = find_names(sentence)
        names += stored_names_in(sentence, names, self.stored_forms)
        names.sort(key=lambda found: found.start)
        self._designations(sentence, names)
        for found in names:
            self._name(found, sentence, section)
        for figure in find_figures(sentence, titles):
            self._figure(figure, sentence, section)
        dates = find_dates(sentence, self.report_date, self.precision, names, titles)
        # Each clause a date opens is an event of its own (去年获评…，今年“五四”…首演); a
        # second date in the same clause (从2020年到2022年) only bounds the first one's.
        dated = set()
        for written in dates:
            clause = len(re.findall(r"[，,；;]", sentence[: written.start]))
            if clause not in dated:
                dated.add(clause)
                title = self._milestone(written, sentence, section, names)
                following = re.split(r"[，,；;]", sentence)[clause + 1 :]
                if following and following[0].strip()[:6] in title:
                    # A date standing alone (1月8日，…召开2024年…会议) dates the clause after
                    # it, whose own year then names no other event.
                    dated.add(clause + 1)
        self._awards_link(sentence, names)

    def _designations(self, sentence, names):
        """作为A、B的某学校: A and B are titles the school holds, so awards."""
        match = re.search(
            r"作为([^，。；]+?)的([^，。；的]{2,20}?(?:学校|小学|中学|幼儿园))", sentence
        )
        if not match:
            return
        items = re.split("[、和及]", match.group(1))
        for found in names:
            if found.name not in items and "".join(found.aliases) not in items:
                continue
            if found.kind in ("organization", "school", "award"):
                if found.kind != "award":
                    found.kind = "award"
                    found.fields = {"level": _award_level(found.name)}

    def _name(self, found, sentence, section):
        key = found.name
        candidate = self.named.get(key)
        if candidate is None:
            fields = dict(found.fields)
            if found.kind == "award":
                fields.update(_award_fields(found.name, sentence, found.end))
            candidate = Candidate(found.kind, found.name, fields, sentence, section)
            self.named[key] = candidate
            self.candidates.append(candidate)
        for alias in found.aliases:
            if alias not in candidate.aliases and alias != candidate.name:
                candidate.aliases.append(alias)
        if section not in candidate.sources:
            candidate.sources.append(section)

    def _figure(self, figure, sentence, section):
        name = unique(figure.name or f"{figure.as_written}所计之数", self.figure_names)
        fields = {
            "value": plain(figure.value),
            "unit": figure.unit,
            "qualifier": figure.qualifier,
            "as_written": figure.as_written,
        }
        self.candidates.append(Candidate("figure", name, fields, sentence, section, [section]))

    def _milestone(self, written, sentence, section, names):
        # The title as written is returned, the numbered one goes in the draft.
        written_title = milestone_title(sentence, written)
        title = unique(written_title, self.milestone_names)
        fields = {
            "date": written.date.isoformat(),
            "date_precision": written.precision,
            "date_inferred": written.inferred,
            "date_inference": written.reason,
        }
        candidate = Candidate("milestone", title, fields, sentence, section, [section])
        for found in names:
            link = MILESTONE_LINKS.get(found.kind)
            if link:
                candidate.links.setdefault(link, [])
                if found.name not in candidate.links[link]:
                    candidate.links[link].append(found.name)
        self.candidates.append(candidate)
        return written_title

    def _awards_link(self, sentence, names):
        schools = [found.name for found in names if found.kind == "school"]
        for found in names:
            if found.kind != "award":
                continue
            award = self.named.get(found.name)
            if award is None:
                continue
            links = award.links.setdefault("recipients", [])
            for school in schools:
                if school not in links:
                    links.append(school)

    def finish(self, sections):
        """Second reading: every later mention of a drafted name (or its short form) adds
        its section as a source; an organisation whose name begins with another's is its
        unit."""
        by_name = {c.name: c for c in self.candidates if c.kind not in ("figure", "milestone")}
        for candidate in list(by_name.values()):
            if candidate.kind == "school":
                short = NUMBERED_SCHOOL.search(candidate.name)
                if short:
                    alias = short.group(1) + short.group(2)[0]
                    text = "".join(s.text + s.heading for s in sections)
                    if re.search(re.escape(alias) + r"(?![学心国小])", text):
                        candidate.aliases.append(alias)
        for section in sections:
            text = section.heading + section.subheading + section.text
            # 全国首批…试验区 mentions 全国…试验区.
            text += "\n" + BATCH.sub("", text)
            for candidate in by_name.values():
                forms = [candidate.name, *candidate.aliases]
                if section.key not in candidate.sources and any(form in text for form in forms):
                    candidate.sources.append(section.key)
        # A name that is the tail of a longer one in the same sentence was cut short there
        # (防控改革试验区 of …近视防控改革试验区): the longer one stands.
        for candidate in list(by_name.values()):
            longer = [
                other
                for other in by_name.values()
                if other is not candidate
                and any(
                    form.endswith(candidate.name)
                    and form != candidate.name
                    and form in BATCH.sub("", candidate.evidence)
                    for form in (other.name, *other.aliases)
                )
            ]
            if longer:
                self.candidates.remove(candidate)
                del by_name[candidate.name]
        organisations = [c for c in self.candidates if c.kind == "organization"]
        for candidate in self.candidates:
            if candidate.kind == "award":
                body = next(
                    (o.name for o in organisations if candidate.name.startswith(o.name)), None
                )
                if body:
                    candidate.links["conferring_body"] = body
            if candidate.kind != "organization":
                continue
            bare = candidate.name.replace("《", "").replace("》", "")
            parents = [
                o.name
                for o in organisations
                if o is not candidate and bare.startswith(o.name) and len(bare) > len(o.name)
            ]
            if parents:
                candidate.links["parent"] = max(parents, key=len)


def _award_level(name):
    from .names import level_of

    return level_of(name)


def _award_fields(name, sentence, end):
    fields = {"level": _award_level(name)}
    grade = re.match(
        r"(?:特等奖|[一二三四五六七八九十\d]+等奖|金奖|银奖|铜奖|优秀奖)"
        r"(?:[、和及](?:特等奖|[一二三四五六七八九十\d]+等奖|金奖|银奖|铜奖|优秀奖))*",
        sentence[end:],
    )
    if grade:
        fields["grade"] = grade.group(0)
    year = re.match(r"((?:19|20)\d\d)年", name)
    if year:
        fields.update(
            date=f"{year.group(1)}-01-01",
            date_precision="year",
            date_inferred=True,
            date_inference=f"年份取自名称“{name}”：名称里的年份是这一届的年份。",
        )
    return fields


def milestone_title(sentence, written):
    """A short title for the event a date stands in: the clause the date dates, without the
    date, begun by its subject where the clause itself begins with the verb."""
    clauses = re.split(r"[，,；;。！？]", sentence)
    position = 0
    index = 0
    for place, clause in enumerate(clauses):
        index = place
        if position <= written.start < position + len(clause) + 1:
            break
        position += len(clause) + 1
    else:
        index = 0
    clause = clauses[index]
    # A year inside a name stays in it.
    bare = (
        clause
        if written.inferred and "名称" in written.reason
        else clause.replace(written.written, "", 1)
    )
    bare = bare.strip()
    bare = re.sub(r"^(从|自|在|于|截至|到)", "", bare)
    bare = _balanced(re.sub(r"(起|以来)$", "", bare).strip())
    if len(bare) < 4 and index + 1 < len(clauses):
        index += 1
        bare = clauses[index].strip()
    elif re.match(r"^(获得|获评|荣获|成立|举行|举办|开展|签订|做|作)", bare) and index > 0:
        bare = clauses[index - 1].strip() + bare
    if index + 1 < len(clauses) and re.match(
        r"^(成为|获评|被评为|入选|获批|荣获)", clauses[index + 1]
    ):
        # What the event made of its subject (…通过评估，成为“…示范区”) is part of it.
        bare = bare + "，" + clauses[index + 1].strip()
    bare = _balanced(bare)
    if len(bare) > 60:
        bare = bare[:60] + "…"
    return bare or written.written


def _balanced(text):
    """Quotation marks left without their partner at either end are dropped."""
    while text.startswith("”") or (text.startswith("“") and "”" not in text):
        text = text[1:]
    while text.endswith("“") or (text.endswith("”") and "“" not in text):
        text = text[:-1]
    return text.strip()


def _point_links_at_stored(candidates):
    """Links to a drafted name that is a repeat point at the stored record's name."""
    stored = {c.name: c.repeat_of for c in candidates if c.repeat_of}
    for candidate in candidates:
        for link, value in list(candidate.links.items()):
            if isinstance(value, list):
                candidate.links[link] = [stored.get(name, name) for name in value]
            elif value:
                candidate.links[link] = stored.get(value, value)


def unique(name, taken):
    """``name``, or ``name（2）``, ``name（3）`` … where it is taken; added to ``taken``."""
    base, number = name, 2
    while name in taken:
        name = f"{base}（{number}）"
        number += 1
    taken.add(name)
    return name
