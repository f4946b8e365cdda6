"""The profile's activity chart: a count axis, dates, and one week's edits readable."""

import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def chart_of(html: str, ident: str) -> ET.Element:
    """Return the chart SVG with this id prefix from a page."""
    start = html.index('<svg xmlns="http://www.w3.org/2000/svg" class="chart"')
    while f'aria-labelledby="{ident}-title' not in html[start : html.index(">", start)]:
        start = html.index("<svg", start + 1)
    return ET.fromstring(html[start : html.index("</svg>", start) + len("</svg>")])


def labels(chart: ET.Element, css_class: str) -> list[str]:
    return [
        node.text or ""
        for node in chart.iter(f"{SVG}text")
        if css_class in node.get("class", "").split()
    ]


def test_a_new_contributors_chart_names_counts_and_dates(client, people, make_page):
    make_page("Plan", "one", "two", author=people["bob"])
    html = client.get("/user/bob").get_data(as_text=True)
    chart = chart_of(html, "profile-activity")
    assert labels(chart, "chart-value") == ["2"]  # the one busy week says how busy
    assert labels(chart, "chart-count") == ["0", "1", "2"]
    dates = labels(chart, "chart-date")
    assert len(dates) >= 2 + 10 and all(dates)  # first and last day, and the months
    assert len(chart.findall(f"{SVG}rect")) == 52  # every week of the year, empty ones too
    assert "Edits per week over the last 52 weeks." in html


def test_the_page_information_chart_has_the_same_axes(client, people, make_page):
    make_page("Plan", "one", author=people["bob"])
    html = client.get("/info/Plan").get_data(as_text=True)
    chart = chart_of(html, "page-activity")
    assert labels(chart, "chart-count") == ["0", "1"]
    assert len(labels(chart, "chart-date")) >= 2
    assert len(labels(chart_of(html, "page-reach"), "chart-date")) >= 2
