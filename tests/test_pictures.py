"""Pictures drawn as SVG on the server, each beside its data in text or a table."""

import re

import pytest

from reforms.models import Figure, Initiative, Milestone, Organization, Zone

pytestmark = pytest.mark.django_db


def test_the_timeline_picture_has_a_dot_for_every_dated_milestone(client, report_data):
    page = client.get("/milestones/").content.decode()
    svg = re.search(r"<svg.*?</svg>", page, re.S).group()

    milestones = Milestone.objects.exclude(date=None)
    dots = re.findall(r'<circle class="chart__dot( chart__dot--inferred)?"', svg)
    assert len(dots) == milestones.count()
    assert sum(1 for inferred in dots if inferred) == milestones.filter(date_inferred=True).count()
    assert 'aria-labelledby="timeline-chart-title"' in svg and "<title" in svg
    years = sorted({date.year for date in milestones.values_list("date", flat=True)})
    labels = [int(year) for year in re.findall(r'class="chart__tick"[^>]*>(\d{4})<', svg)]
    assert labels == list(range(years[0], years[-1] + 1))
    # Each dot leads to its year in the list below, which is the picture's text equivalent.
    for year in set(re.findall(r'href="#year-(\d{4})"', svg)):
        assert f'id="year-{year}"' in page


def test_a_dot_follows_the_date_along_the_axis(client, report_data):
    page = client.get("/milestones/").content.decode()
    points = re.findall(r'cx="([\d.]+)".*?<title>(\d{4})年', page, re.S)
    by_year = sorted((int(year), float(x)) for x, year in points)
    assert [x for _, x in by_year] == sorted(x for _, x in by_year)


def matrix_cells(page):
    table = re.search(r'<table class="matrix">(.*?)</table>', page, re.S).group(1)
    head = re.findall(r'<th scope="col">.*?<a href="[^"]+">([^<]+)</a></th>', table)
    rows = {}
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", table, re.S):
        name = re.search(r">([^<]+)</a></th>", row).group(1)
        rows[name] = ["有关联" in cell for cell in re.findall(r"<td>(.*?)</td>", row)]
    return head, rows


def test_a_zone_shows_which_of_its_initiatives_involve_which_partners(client, report_data):
    zone = Zone.objects.get(name="教育综合改革实验区")
    head, rows = matrix_cells(client.get(zone.get_absolute_url()).content.decode())

    assert rows
    for initiative in zone.initiatives.all():
        partners = set(initiative.partners.values_list("name", flat=True))
        schools = set(initiative.schools.values_list("name", flat=True))
        expected = [name in partners | schools for name in head]
        assert rows[initiative.name] == expected


def test_an_organisation_shows_the_zones_of_its_initiatives(client, report_data):
    organisation = Organization.objects.get(name="中国教育科学研究院")
    head, rows = matrix_cells(client.get(organisation.get_absolute_url()).content.decode())

    zones = Zone.objects.filter(initiatives__partners=organisation).distinct()
    assert set(zones.values_list("name", flat=True)) <= set(head)
    for name, cells in rows.items():
        initiative = Initiative.objects.get(name=name)
        linked = set(initiative.zones.values_list("name", flat=True)) | set(
            initiative.schools.values_list("name", flat=True)
        )
        assert cells == [column in linked for column in head]


def test_no_picture_where_there_is_nothing_to_connect(client, report_data):
    zone = Zone.objects.get(name="基础教育课程改革示范实验区")
    assert zone.initiatives.count() == 0
    assert 'class="matrix"' not in client.get(zone.get_absolute_url()).content.decode()


def test_key_figures_show_their_size(client, report_data):
    page = client.get("/").content.decode()
    cards = re.findall(r'<li><a href="/figures/[^"]+/">(.*?)</a></li>', page, re.S)
    assert cards
    for card in cards:
        written = re.search(r'key-figures__value">([^<]+)<', card).group(1)
        figure = Figure.objects.get(as_written=written, is_synthetic=False)
        if figure.unit == "%":
            dash = re.search(r'stroke-dasharray="([\d.]+) ', card).group(1)
            assert float(dash) == pytest.approx(float(figure.value))
        bar = re.search(r'<rect class="key-figures__share"[^>]*width="([\d.]+)"', card)
        same_unit = Figure.objects.genuine().headline()
        peers = [other.value for other in same_unit if other.unit == figure.unit]
        if figure.unit != "%" and len(peers) > 1:
            assert float(bar.group(1)) == pytest.approx(
                float(figure.value / max(peers) * 100), 0.01
            )
        else:
            assert bar is None
        # The picture only repeats what the text says, so screen readers skip it.
        assert "<svg" not in card or 'aria-hidden="true"' in card
