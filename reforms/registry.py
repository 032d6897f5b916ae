"""The public collections: their URLs, their names in the navigation, and what they hold.

The one list of them that URLs, the navigation, search, open data and the views read. A new kind
of record is a model (a ``NamedRecord``, which ``models.NAMED_MODELS`` then holds, with its
collection's slug in ``collection``), its table and filters, its admin and its page's template,
and an entry here.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import filters, tables
from .models import (
    Award,
    Figure,
    Initiative,
    Milestone,
    Organization,
    Publication,
    Report,
    School,
    Slogan,
    Zone,
)


@dataclass(frozen=True)
class Collection:
    model: type
    label: str
    summary: str
    table_class: type
    filterset_class: type

    @property
    def slug(self):
        return self.model.collection

    @property
    def list_url(self):
        return _list_url(self.slug, get_language(), get_script_prefix(), get_urlconf())


@lru_cache(maxsize=256)
def _list_url(slug, language, script_prefix, urlconf):
    # Every page's navigation links every collection, and reverse() walks the URL patterns
    # each time; the address depends on the language, the prefix the site is served at and
    # the URLs in use.
    return reverse(f"{slug}-list", urlconf=urlconf)


# In the order of the site navigation.
COLLECTIONS = (
    Collection(
        Zone,
        _("实验区"),
        _("南岸区承担的各类教育实验区、试验区"),
        tables.ZoneTable,
        filters.ZoneFilter,
    ),
    Collection(
        Initiative,
        _("改革举措"),
        _("改革项目、行动计划及其下的具体行动"),
        tables.InitiativeTable,
        filters.InitiativeFilter,
    ),
    Collection(
        School,
        _("学校"),
        _("报道提到的学校和教育机构"),
        tables.SchoolTable,
        filters.SchoolFilter,
    ),
    Collection(Award, _("荣誉"), _("奖项、称号和认定"), tables.AwardTable, filters.AwardFilter),
    Collection(
        Milestone,
        _("大事记"),
        _("按时间排列的事件"),
        tables.MilestoneTable,
        filters.MilestoneFilter,
    ),
    Collection(
        Organization,
        _("合作机构"),
        _("合作单位、政府部门、科研院所、企业和媒体"),
        tables.OrganizationTable,
        filters.OrganizationFilter,
    ),
    Collection(Figure, _("数据"), _("报道给出的数字"), tables.FigureTable, filters.FigureFilter),
    Collection(
        Publication,
        _("论著与文件"),
        _("论著、政策文件和行动计划"),
        tables.PublicationTable,
        filters.PublicationFilter,
    ),
    Collection(
        Slogan,
        _("口号与理念"),
        _("愿景、原则、工作思路和活动主题"),
        tables.SloganTable,
        filters.SloganFilter,
    ),
    Collection(
        Report,
        _("报道"),
        _("本站资料所依据的报道原文信息"),
        tables.ReportTable,
        filters.ReportFilter,
    ),
)
_BY_MODEL = {collection.model: collection for collection in COLLECTIONS}


def collection_for(model):
    return _BY_MODEL[model]
