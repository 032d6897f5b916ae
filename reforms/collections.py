"""The public collections: their URLs, their names in the navigation, and what they hold."""

from dataclasses import dataclass

from django.urls import reverse

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
    slug: str
    model: type
    label: str
    summary: str
    table_class: type
    filterset_class: type

    @property
    def list_url(self):
        return reverse(f"{self.slug}-list")


# In the order of the site navigation.
COLLECTIONS = (
    Collection(
        "zones",
        Zone,
        "实验区",
        "南岸区承担的各类教育实验区、试验区",
        tables.ZoneTable,
        filters.ZoneFilter,
    ),
    Collection(
        "initiatives",
        Initiative,
        "改革举措",
        "改革项目、行动计划及其下的具体行动",
        tables.InitiativeTable,
        filters.InitiativeFilter,
    ),
    Collection(
        "schools",
        School,
        "学校",
        "报道提到的学校和教育机构",
        tables.SchoolTable,
        filters.SchoolFilter,
    ),
    Collection("awards", Award, "荣誉", "奖项、称号和认定", tables.AwardTable, filters.AwardFilter),
    Collection(
        "milestones",
        Milestone,
        "大事记",
        "按时间排列的事件",
        tables.MilestoneTable,
        filters.MilestoneFilter,
    ),
    Collection(
        "organizations",
        Organization,
        "合作机构",
        "合作单位、政府部门、科研院所、企业和媒体",
        tables.OrganizationTable,
        filters.OrganizationFilter,
    ),
    Collection(
        "figures", Figure, "数据", "报道给出的数字", tables.FigureTable, filters.FigureFilter
    ),
    Collection(
        "publications",
        Publication,
        "论著与文件",
        "论著、政策文件和行动计划",
        tables.PublicationTable,
        filters.PublicationFilter,
    ),
    Collection(
        "slogans",
        Slogan,
        "口号与理念",
        "愿景、原则、工作思路和活动主题",
        tables.SloganTable,
        filters.SloganFilter,
    ),
    Collection(
        "reports",
        Report,
        "报道",
        "本站资料所依据的报道原文信息",
        tables.ReportTable,
        filters.ReportFilter,
    ),
)
_BY_MODEL = {collection.model: collection for collection in COLLECTIONS}


def collection_for(model):
    return _BY_MODEL[model]
