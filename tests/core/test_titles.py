"""Titles as typed: which are refused and why, and the key of those accepted."""

import pytest

from wiki.core.titles import TitleError, canonical_namespace, parse_title

NO_NAME = "needs a name after"


@pytest.mark.parametrize(
    "typed",
    [
        "Category:",
        "Category: ",
        "category :",
        "CATEGORY:__",
        "Ｃａｔｅｇｏｒｙ：",  # full-width letters and colon fold to "category:"
        "Template:",
        "File:",
        "Image:",
        "Category:/Sub",
        "File: /Logo.png",
        "Categoria:",  # Italian for Category: it opened the editor of "Category:"
        "immagine: ",
    ],
)
def test_a_namespace_prefix_without_a_name_is_refused(typed):
    with pytest.raises(TitleError) as refused:
        parse_title(typed)
    assert NO_NAME in str(refused.value)


@pytest.mark.parametrize(
    ("typed", "display", "key"),
    [
        ("Category:Recipes", "Category:Recipes", "category:recipes"),
        ("Category: Recipes", "Category: Recipes", "category: recipes"),
        ("Template:Brief/Short", "Template:Brief/Short", "template:brief/short"),
        ("File:Logo.png", "File:Logo.png", "file:logo.png"),
        ("Recipes/Category:", "Recipes/Category:", "recipes/category:"),
        ("Talk:", "Talk:", "talk:"),  # not a namespace of this wiki: an ordinary title
        ("Note:", "Note:", "note:"),
        ("Ratio 1:2", "Ratio 1:2", "ratio 1:2"),
    ],
)
def test_titles_with_colons_that_name_a_page_are_accepted(typed, display, key):
    title = parse_title(typed)
    assert (title.display, title.key) == (display, key)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "The title is empty"),
        ("  _ ", "The title is empty"),
        ("a\tb", "control characters"),
        ("a|b", "cannot contain"),
        ("/a", "slash"),
        ("a//b", "between slashes"),
        ("a" * 256, "255"),
    ],
)
def test_other_bad_titles_keep_their_reasons(typed, message):
    with pytest.raises(TitleError) as refused:
        parse_title(typed)
    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("Categoria:Ricette", "Category:Ricette"),
        (" CATEGORIA : Ricette", "Category:Ricette"),
        ("Immagine:Logo.png", "File:Logo.png"),
        ("Categorie:Ricette", "Categorie:Ricette"),  # not a namespace name
        ("Ricette/Categoria:Dolci", "Ricette/Categoria:Dolci"),  # only at the start
    ],
)
def test_italian_namespace_names_become_the_wikis_own(typed, canonical):
    assert canonical_namespace(typed) == canonical
