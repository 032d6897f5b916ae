"""Turn the names of records inside running text into links to those records.

Descriptions and doubts mention other records by name (“…获得2021年重庆市教学成果奖”); a reader
should be one click from each. Only records loaded from reports take part: synthetic names
would make the pattern huge and mean nothing to a reader.
"""

import re

from django.utils import translation
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from . import versioning
from .models import NAMED_MODELS

# Names shorter than this are too likely to be ordinary words inside other words.
MIN_LINKED_LENGTH = 3
_compiled = {}


class Linker:
    def __init__(self, targets):
        self.targets = targets
        names = sorted(targets, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, names))) if names else None

    @classmethod
    def current(cls, data_version=None):
        """The linker for the data as it is now, built once per data version and process.

        The version is (number, time of change): a number alone can come round again when a
        database is restored or replaced, and must not bring back another database's links.
        """
        if data_version is None:
            data_version = versioning.current()
        if data_version not in _compiled:
            _compiled.clear()
            _compiled[data_version] = {}
        # The links lead to pages in the reader's language: one linker per language.
        per_language = _compiled[data_version]
        language = translation.get_language()
        if language not in per_language:
            per_language[language] = cls(_targets())
        return per_language[language]

    def link(self, text, current_url=None):
        text = str(text or "")
        if self.pattern is None:
            return escape(text)
        pieces, last = [], 0
        for match in self.pattern.finditer(text):
            url = self.targets[match.group()]
            pieces.append(escape(text[last : match.start()]))
            if url == current_url:
                pieces.append(escape(match.group()))
            else:
                pieces.append(format_html('<a href="{}">{}</a>', url, match.group()))
            last = match.end()
        pieces.append(escape(text[last:]))
        return mark_safe("".join(pieces))


def _targets():
    targets = {}
    for model in NAMED_MODELS:
        fields = ["name", "slug"] + (["aliases"] if hasattr(model, "aliases") else [])
        for row in model.objects.genuine().values(*fields):
            url = model(slug=row["slug"]).get_absolute_url()
            names = [row["name"], *row.get("aliases", "").splitlines()]
            for name in (name.strip() for name in names):
                if len(name) >= MIN_LINKED_LENGTH:
                    targets.setdefault(name, url)
    return targets
