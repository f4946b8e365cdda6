"""The wiki's stylesheets and scripts: addresses that name their content, kept a year."""

import os
import re

from tests.helpers import text
from wiki.assets import Digests

STATIC = re.compile(r'(?:href|src)="(/static/[^"?]+)\?v=([0-9a-f]+)"')


def test_every_file_a_page_links_names_its_content_and_is_kept_a_year(client, make_page):
    make_page("Plan", "Some text.")
    html = text(client.get("/wiki/Plan"))
    linked = STATIC.findall(html)
    assert {path for path, _ in linked} >= {"/static/css/bottega.css", "/static/js/menus.js"}
    assert not re.search(r'(?:href|src)="/static/[^"?]+"', html)  # none without its version
    for path, version in linked:
        response = client.get(f"{path}?v={version}")
        assert response.status_code == 200, path
        cache = response.cache_control
        assert cache.public and cache.max_age == 365 * 24 * 3600 and cache.immutable, path


def test_a_file_asked_for_without_its_current_version_is_checked_again_each_time(client):
    """A page drawn before the file changed (or a process still serving the old file
    during a deploy) must not make browsers keep the wrong content for a year."""
    for url in ("/static/css/bottega.css", "/static/css/bottega.css?v=0123456789ab"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.cache_control.no_cache and not response.cache_control.max_age
    assert client.get("/static/no-such-file.css?v=0123456789ab").status_code == 404


def test_a_changed_file_gets_a_new_version_once_it_is_read_again(tmp_path):
    folder = tmp_path / "static"
    folder.mkdir()
    style = folder / "site.css"
    style.write_text("body { color: black }")
    digests = Digests(str(folder))
    first = digests.of("site.css", recheck=False)
    style.write_text("body { color: navy }")
    stat = style.stat()
    os.utime(style, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert digests.of("site.css", recheck=False) == first  # a running wiki reads it once
    second = digests.of("site.css", recheck=True)  # templates reload: so do the digests
    assert second != first and re.fullmatch(r"[0-9a-f]{12}", second)
    assert digests.of("missing.css", recheck=True) is None
    assert digests.of("../static/site.css", recheck=True) == second
    (tmp_path / "secret.txt").write_text("not a static file")
    assert digests.of("../secret.txt", recheck=True) is None
