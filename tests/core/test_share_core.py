"""Video embeds, link preview descriptions and images: pure functions, plain asserts."""

import pytest

from wiki.core.embeds import video_embed
from wiki.core.preview import explicit_description, first_image, first_paragraph, shorten
from wiki.core.render import render_markdown

YT = "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"


@pytest.mark.parametrize(
    ("url", "src"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", YT),
        ("https://youtube.com/watch?v=dQw4w9WgXcQ&list=x", YT),
        ("http://m.youtube.com/watch?v=dQw4w9WgXcQ", YT),
        ("https://youtu.be/dQw4w9WgXcQ", YT),
        ("https://youtu.be/dQw4w9WgXcQ?t=90", YT + "?start=90"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m5s", YT + "?start=65"),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", YT),
        ("https://www.youtube.com/embed/dQw4w9WgXcQ", YT),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1"),
        (
            "https://vimeo.com/76979871/abc123def0",
            "https://player.vimeo.com/video/76979871?h=abc123def0&dnt=1",
        ),
        (
            "https://player.vimeo.com/video/76979871",
            "https://player.vimeo.com/video/76979871?dnt=1",
        ),
    ],
)
def test_video_links_become_privacy_respecting_embeds(url, src):
    assert video_embed(url).src == src


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/watch?v=short",
        'https://www.youtube.com/watch?v=dQw4w9WgXcQ"><script>',
        "https://www.youtube.com/channel/UCabc",
        "https://evil.example/watch?v=dQw4w9WgXcQ",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "javascript:alert(1)//youtube.com/watch?v=dQw4w9WgXcQ",
        "https://user:pw@youtube.com/watch?v=dQw4w9WgXcQ",
        "https://vimeo.com/channels/staffpicks",
        "https://vimeo.com/12/../../x",
        "",
    ],
)
def test_other_links_are_not_embedded(url):
    assert video_embed(url) is None


def test_a_line_with_a_video_link_renders_a_click_to_load_box():
    html = render_markdown(
        "Intro\n\nhttps://youtu.be/dQw4w9WgXcQ\n\n<https://vimeo.com/76979871>"
    ).html
    assert f'data-embed="{YT}"' in html and 'data-provider="youtube"' in html
    assert 'data-embed="https://player.vimeo.com/video/76979871?dnt=1"' in html
    assert "<iframe" not in html  # nothing loads from the host until the reader clicks
    assert 'class="embed-link" href="https://youtu.be/dQw4w9WgXcQ"' in html


def test_a_video_link_inside_a_sentence_stays_a_link():
    html = render_markdown("Watch https://youtu.be/dQw4w9WgXcQ today").html
    assert "data-embed" not in html


def test_raw_html_cannot_fake_an_embed():
    html = render_markdown('<div class="embed" data-embed="https://evil.example/">x</div>').html
    assert "<div" not in html and "&lt;div" in html


def test_the_description_marker_is_hidden_from_the_page():
    rendered = render_markdown("# Plan\n\n[[Description: Our plan in one line]]\n\nBody.")
    assert "Description" not in rendered.html and "one line" not in rendered.html
    assert rendered.links == ()


def test_descriptions_come_from_the_marker_or_the_first_paragraph():
    assert explicit_description("x\n[[Description: Spring, in short]]\ny") == "Spring, in short"
    assert explicit_description("```\n[[Description: example]]\n```") == ""
    html = "<h1>Plan</h1>\n<p></p><p><strong>Our</strong> spring &amp; summer plan.</p><p>More</p>"
    assert first_paragraph(html) == "Our spring & summer plan."
    assert first_paragraph("<h1>Only a title</h1>") == ""
    figure = (
        '<p><span class="file-embed file-thumb"><a class="file-image" href="/file/A.png">'
        '<img alt="" src="/thumb/a"></a><span class="file-caption">A caption</span></span></p>'
        '<p><a class="file-link" href="/file/B.pdf">B.pdf</a> '
        '<span class="file-meta">(PDF, 3 KB)</span></p><p>The words.</p>'
    )
    assert first_paragraph(figure) == "The words."
    inside = (
        '<p>Download <a class="file-link" href="/file/P.pdf">the 2027 price list</a> '
        '<span class="file-meta">(PDF, 3 KB)</span> before the fair.</p>'
    )
    assert first_paragraph(inside) == "Download the 2027 price list before the fair."


def test_long_descriptions_are_cut_at_a_word():
    cut = shorten("word " * 100, 50)
    assert len(cut) <= 50 and cut.endswith("word…")


def test_the_first_image_is_found():
    html = '<p>x</p><p><img alt="a" src="https://example.com/a.png?x=1&amp;y=2"></p>'
    assert first_image(html) == "https://example.com/a.png?x=1&y=2"
    assert first_image("<p>none</p>") is None


def test_the_first_image_is_its_widest_thumbnail_when_it_offers_several():
    html = (
        '<img src="/thumb/ab/320.png" srcset="/thumb/ab/320.png 320w, /thumb/ab/640.png 640w, '
        '/thumb/ab/480.png 480w" sizes="300px" alt="Poster"><img src="/other.png">'
    )
    assert first_image(html) == "/thumb/ab/640.png"
    # A srcset of densities (no widths) leaves the plain src.
    assert first_image('<img srcset="/a@2x.png 2x" src="/a.png">') == "/a.png"
