"""Deltas: any new text rebuilt exactly from its base; damaged deltas refused, never misread."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wiki.core.delta import DeltaError, apply_delta, make_delta

BASE = "Spring is here.\n\nOur launch is on Monday, in Milan.\n\nJoin us!\n"


@pytest.mark.parametrize(
    "new",
    [
        BASE,
        "",
        BASE.replace("Monday", "Friday"),
        BASE + "A new paragraph at the end.\n",
        "A new first line.\n" + BASE,
        BASE.replace("Milan", "Città di Castello — è bello 👍🏽"),
        BASE.replace("Join us!", "日本語のテキスト。参加してください！"),
        "completely different\n" * 50,
    ],
)
def test_a_delta_rebuilds_the_new_text_exactly(new):
    assert apply_delta(BASE, make_delta(BASE, new)) == new


def test_a_small_edit_of_a_big_page_is_a_small_delta():
    page = "".join(f"Line {n} of a long marketing page, with words.\n" for n in range(500))
    edited = page.replace("Line 250 of", "Line 250, edited, of")
    assert len(make_delta(page, edited)) < 100 < len(page) // 100


@pytest.mark.parametrize(
    "damage",
    [
        lambda delta: delta[:-3],
        lambda delta: b"XX" + delta[2:],
        lambda delta: delta[:2] + bytes(b ^ 0x55 for b in delta[2:]),
        lambda delta: delta + b"more",
    ],
)
def test_a_damaged_delta_is_refused(damage):
    delta = make_delta(BASE, BASE.replace("Monday", "Friday"))
    with pytest.raises(DeltaError):
        apply_delta(BASE, damage(delta))


def test_a_delta_on_the_wrong_base_is_refused():
    delta = make_delta(BASE, BASE.replace("Monday", "Friday"))
    with pytest.raises(DeltaError):
        apply_delta(BASE + "longer base\n", delta)


words = st.sampled_from(["the", " ", "\n", "launch", "è", "日本", "👍🏽", "=", "+5\n", "-"])


@settings(max_examples=300, deadline=None)
@given(st.lists(words, max_size=80).map("".join), st.lists(words, max_size=80).map("".join))
def test_any_pair_of_texts_round_trips(base, new):
    assert apply_delta(base, make_delta(base, new)) == new
