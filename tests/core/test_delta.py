"""Deltas: any new text rebuilt exactly from its base; damaged deltas refused, never misread."""

import random
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wiki.core.delta import DeltaError, apply_delta, make_delta, pack, rebuild

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


def test_a_passage_copied_from_the_page_costs_a_reference_not_its_letters():
    rng = random.Random(7)
    words = [
        "".join(rng.choice("abcdefghij") for _ in range(rng.randint(3, 9))) for _ in range(3000)
    ]
    page = " ".join(words)
    copied = page + "\n\n" + page[9_000:10_000]  # a thousand bytes the page already has
    assert len(make_delta(page, copied)) < 100


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


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(words, max_size=40).map("".join), min_size=1, max_size=6))
def test_a_chain_of_deltas_rebuilds_its_last_text(texts):
    deltas = [make_delta(a, b) for a, b in zip(texts, texts[1:], strict=False)]
    assert rebuild(zlib.compress(texts[0].encode()), deltas) == texts[-1]


#: A delta written before deltas counted bytes (format D1, counting characters), turning
#: "Milan" in BASE into "Città di Castello — è bello 👍🏽": wikis keep such deltas.
CHARACTER_DELTA = (
    b"D1\xb351\xe5\xd25\xe4\xd26\xe7r\xce,)9\xbc@!\xc5\x16\xc83\xe3RpN,.I\x05\xb2u\x8d"
    b"\xb8\xb4\rM\xb9r\xf2\x15\x1e5LQ8\xbcB!)5\x07\xc8\xf90\x7fb\xef\x87\xf9\xfd{m\r\x8d"
    b"\xb8\x00"
)


def test_deltas_written_in_the_older_format_still_read_alone_and_in_chains():
    milan = BASE.replace("Milan", "Città di Castello — è bello 👍🏽")
    assert apply_delta(BASE, CHARACTER_DELTA) == milan
    then = milan.replace("Join us", "Unisciti a noi")
    chain = [CHARACTER_DELTA, make_delta(milan, then)]
    assert rebuild(zlib.compress(BASE.encode()), chain) == then


def test_pack_keeps_a_small_edit_as_a_delta_until_the_chain_is_long_enough():
    edited = BASE.replace("Monday", "Friday") * 20
    base = BASE.replace("Monday", "Tuesday") * 20
    packed = pack(edited, base, 3, max_depth=40, worth=0.5)
    assert packed.depth == 4 and apply_delta(base, packed.data) == edited
    at_the_end = pack(edited, base, 40, max_depth=40, worth=0.5)
    assert at_the_end.depth == 0 and zlib.decompress(at_the_end.data).decode() == edited
    assert pack(edited, None, 0, max_depth=40, worth=0.5).depth == 0


def test_a_delta_is_kept_only_when_smaller_than_worth_times_the_text_compressed():
    rng = random.Random(4)
    words = ["alpha", "beta", "gamma", "delta", "Milano", "Roma", "launch", "budget"]
    text = " ".join(rng.choice(words) for _ in range(4000))
    fresh = ["".join(rng.choices("bcdfglmnprstvz", k=6)) for _ in range(300)]  # words no base has
    rewritten = " ".join(rng.choice(fresh) for _ in range(2000)) + text[len(text) // 2 :]
    delta = make_delta(text, rewritten)
    compressed = len(zlib.compress(rewritten.encode(), 6))
    assert 0.5 * compressed <= len(delta)  # half the text new: not worth a delta
    assert pack(rewritten, text, 1, max_depth=40, worth=0.5).depth == 0
    assert pack(rewritten, text, 1, max_depth=40, worth=len(delta) / compressed + 0.01).depth == 2


def test_a_damaged_whole_text_is_refused():
    with pytest.raises(DeltaError):
        rebuild(b"not zlib at all", [])
