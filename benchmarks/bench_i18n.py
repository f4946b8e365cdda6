"""A page view in Italian vs the same view in English (goal: the same), in-process.

The Italian catalogue is the real one (wiki/translations/it) when it exists; otherwise one of
the same size is built from the extracted messages, so the cost of looking messages up is
measured either way. The page cache is off: every view is rendered in full.
"""

import shutil
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from benchmarks._common import Figure, env_int, heading, interleaved, median, table
from benchmarks._wiki import markdown_page, temp_wiki
from wiki.i18n.locales import TRANSLATIONS

TITLE = "Benchmark Page"
URL = "/wiki/Benchmark_Page"
HISTORY = "/history/Benchmark_Page"


def italian_catalogue(folder: Path) -> str:
    """Put an Italian catalogue in folder; return where it came from."""
    target = folder / "it" / "LC_MESSAGES"
    target.mkdir(parents=True)
    real = TRANSLATIONS / "it" / "LC_MESSAGES" / "messages.po"
    if real.exists():
        shutil.copy(real, target / "messages.po")
        return "the real catalogue"
    from tests.i18n_extract import extracted_template

    catalog = Catalog(locale="it")
    for message in extracted_template():
        if message.id:
            string = (
                tuple(f"{form} ·" for form in message.id)
                if isinstance(message.id, tuple)
                else f"{message.id} ·"
            )
            catalog.add(message.id, string, flags=message.flags)
    with (target / "messages.po").open("wb") as handle:
        write_po(handle, catalog)
    return f"a generated one ({len(catalog)} messages; the real one is not on this branch)"


def main() -> list[Figure]:
    """Run the benchmark and return its figures."""
    batch, repeat = env_int("INPROCESS_BATCH", 20), env_int("I18N_REPEAT", 15)
    heading("Page view in Italian vs in English (in-process, page cache off)")
    folder = Path(tempfile.mkdtemp(prefix="bottega-bench-i18n-"))
    try:
        source = italian_catalogue(folder)
        settings = {
            "TRANSLATIONS_PATH": str(folder),
            "PAGE_CACHE_SECONDS": 0,
            "REACH_ENABLED": False,
        }
        with temp_wiki(**settings) as wiki:
            for version in range(5):
                wiki.save(TITLE, markdown_page(20_000) + f"\n\nVersion {version}.")
            client = wiki.app.test_client(use_cookies=False)

            def views(path: str, language: str):
                headers = {"Accept-Language": language}

                def go():
                    for _ in range(batch):
                        response = client.get(path, headers=headers)
                        assert response.status_code == 200, response.status_code
                        assert f'lang="{language}"' in response.get_data(as_text=True)[:200]

                return go

            times = interleaved(
                {
                    "page it": views(URL, "it"),
                    "page en": views(URL, "en"),
                    "history it": views(HISTORY, "it"),
                    "history en": views(HISTORY, "en"),
                },
                repeat,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rate = {name: batch / median(values) for name, values in times.items()}
    print(f"Italian catalogue: {source}; {batch} requests per batch, {repeat} batches each.")
    table(
        ["view", "Italian req/s", "English req/s", "Italian / English"],
        [
            [
                view,
                f"{rate[f'{view} it']:.0f}",
                f"{rate[f'{view} en']:.0f}",
                f"{rate[f'{view} it'] / rate[f'{view} en']:.3f}",
            ]
            for view in ("page", "history")
        ],
    )
    return [
        Figure(
            "page view req/s, Italian ÷ English", rate["page it"] / rate["page en"], "", 0.9, True
        ),
        Figure(
            "history req/s, Italian ÷ English",
            rate["history it"] / rate["history en"],
            "",
            0.9,
            True,
        ),
    ]


if __name__ == "__main__":
    main()
