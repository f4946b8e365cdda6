"""Rendering in worker processes: same output, bounded time, self-healing workers."""

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from wiki import renderer
from wiki.core.readable import plain_text
from wiki.core.render import TOO_DEEP, RenderError, render_markdown
from wiki.renderer import LARGE_TEXT, RenderTimeout, render_bounded, worker_pids

PAGE = (
    "# Spring launch\n\nWe *launch* on [[Campaigns/Spring 2026|the 1st]].\n\n"
    "| Channel | Budget |\n|:--|--:|\n| Social | 10k |\n\n"
    "```python\nprint('hi')\n```\n\n> Quote <b>\n\n[[Category:Campaigns]]\n"
)
# Python-Markdown needs about 20 seconds for this.
PATHOLOGICAL = "[" * 16000


@pytest.fixture(autouse=True, scope="module")
def workers() -> Iterator[None]:
    renderer.configure(workers=2)
    yield
    renderer.shutdown()


def test_same_result_as_rendering_in_process() -> None:
    assert render_bounded(PAGE) == render_markdown(PAGE)
    assert render_bounded("") == render_markdown("")


def test_asked_for_its_readable_text_the_worker_makes_what_the_search_index_would() -> None:
    made = render_bounded(PAGE, readable=True)
    assert made.plain == plain_text(made.html)
    assert "launch" in made.plain and "<" not in made.plain.replace("Quote <b>", "")
    # Unasked, nothing extra is made (previews and page views do not index).
    assert render_bounded(PAGE).plain is None
    assert replace(made, plain=None) == render_markdown(PAGE)


def test_pathological_text_times_out_and_the_next_render_works() -> None:
    started = time.monotonic()
    with pytest.raises(RenderTimeout) as error:
        render_bounded(PATHOLOGICAL, timeout=0.5)
    assert time.monotonic() - started < 10
    assert error.value.timeout == 0.5
    assert "too complex" in str(error.value)
    assert isinstance(error.value, RenderError)
    assert render_bounded(PAGE) == render_markdown(PAGE)


def test_text_the_worker_refuses_raises_render_timeout_with_its_reason() -> None:
    with pytest.raises(RenderTimeout) as error:
        # A generous timeout: the refusal, not the clock, is what this is about.
        render_bounded("- " * 5000 + "x", timeout=30)
    assert str(error.value) == TOO_DEEP
    assert render_bounded("ok").html == "<p>ok</p>"


def test_killed_worker_is_replaced() -> None:
    render_bounded("warm")
    for pid in worker_pids():
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    time.sleep(0.3)  # let the kill land, so the worker is seen dead before the call
    assert render_bounded(PAGE) == render_markdown(PAGE)
    assert worker_pids()


def test_worker_killed_just_before_a_call_is_replaced() -> None:
    render_bounded("warm")
    before = set(worker_pids())
    for pid in before:
        with contextlib.suppress(ProcessLookupError):  # a worker killed by an earlier test
            os.kill(pid, signal.SIGKILL)
    assert render_bounded(PAGE) == render_markdown(PAGE)
    # The worker that took the call is new; an idle killed one is replaced when next used.
    assert set(worker_pids()) - before


def test_concurrent_renders_all_succeed() -> None:
    texts = [f"## Part {n}\n\n[[Page {n}]] *text*" for n in range(24)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(render_bounded, texts))
    assert results == [render_markdown(text) for text in texts]


def test_a_pathological_render_does_not_block_other_threads() -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        slow = pool.submit(render_bounded, PATHOLOGICAL, 2.0)
        fast = [pool.submit(render_bounded, PAGE) for _ in range(10)]
        assert all(future.result(timeout=10) == render_markdown(PAGE) for future in fast)
        with pytest.raises(RenderTimeout):
            slow.result(timeout=10)


def test_a_call_interrupted_mid_render_leaves_no_stale_reply(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def send_then_interrupt(
        self: renderer._Worker, text: str, timeout: float, readable: bool
    ) -> None:
        assert self.conn is not None
        self.conn.send((text, readable))
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(renderer._Worker, "render", send_then_interrupt)
        with pytest.raises(KeyboardInterrupt):
            render_bounded("stale")
    assert render_bounded("fresh").html == "<p>fresh</p>"


def test_shutdown_stops_workers_and_the_next_render_restarts_them() -> None:
    render_bounded("warm")
    renderer.shutdown()
    assert worker_pids() == []
    assert render_bounded("again").html == "<p>again</p>"


def test_configure_sets_the_pool_size() -> None:
    renderer.configure(workers=1)
    try:
        with ThreadPoolExecutor(max_workers=3) as pool:
            # Three callers queue for the one worker: each may wait, none is refused.
            rendered = pool.map(lambda text: render_bounded(text, timeout=30), ["a", "b", "c"])
            assert all(rendered)
        assert len(worker_pids()) == 1
    finally:
        renderer.configure(workers=2)


@pytest.mark.parametrize("timeout", [0, -1])
def test_timeout_must_be_positive(timeout: float) -> None:
    with pytest.raises(ValueError):
        render_bounded("x", timeout=timeout)


def wait_for_load(expected: tuple[int, int, int]) -> None:
    """Wait until the pool's load is as expected (rendering, of them large, waiting)."""
    for _ in range(3000):
        if renderer.load() == expected:
            return
        time.sleep(0.01)
    raise AssertionError(f"load stayed {renderer.load()}, expected {expected}")


def pathological(n: int) -> str:
    """Return a different slow text for each n, so none is refused as seen before."""
    return "[" * 16000 + f" {n}"


def test_slow_large_texts_never_take_the_last_worker() -> None:
    with ThreadPoolExecutor(max_workers=3) as pool:
        slow = [pool.submit(render_bounded, pathological(n), 5.0) for n in range(3)]
        wait_for_load((1, 1, 2))  # one large text renders, two wait: a worker stays free
        assert render_bounded(PAGE, timeout=5.0) == render_markdown(PAGE)
        assert renderer.load()[1] == 1  # the slow render was still in flight
        for future in slow:
            with pytest.raises(RenderTimeout):
                future.result(timeout=60)
    wait_for_load((0, 0, 0))


def test_an_excess_large_render_is_refused_as_busy_within_its_timeout() -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        holder = pool.submit(render_bounded, pathological(10), 5.0)
        wait_for_load((1, 1, 0))
        with pytest.raises(RenderTimeout) as error:
            render_bounded(pathological(11), timeout=0.5)
        assert str(error.value) == RenderTimeout.BUSY and not error.value.overran
        assert renderer.load()[1] == 1  # refused while the slow one still rendered
        with pytest.raises(RenderTimeout) as slow:
            holder.result(timeout=60)
    assert str(slow.value) == RenderTimeout.MESSAGE and slow.value.overran
    wait_for_load((0, 0, 0))
    assert render_bounded(PAGE) == render_markdown(PAGE)


def test_many_previews_of_a_slow_text_at_once_leave_small_renders_free() -> None:
    text = pathological(20)
    with ThreadPoolExecutor(max_workers=8) as pool:
        slow = [pool.submit(render_bounded, text, 1.0) for _ in range(8)]
        small = [render_bounded(f"Page {n} *ok*") for n in range(5)]
        outcomes = []
        for future in slow:
            with pytest.raises(RenderTimeout) as error:
                future.result(timeout=60)
            outcomes.append(str(error.value))
    assert [page.html for page in small] == [f"<p>Page {n} <em>ok</em></p>" for n in range(5)]
    assert set(outcomes) <= {RenderTimeout.MESSAGE, RenderTimeout.BUSY}
    assert RenderTimeout.MESSAGE in outcomes
    wait_for_load((0, 0, 0))


def test_a_text_that_overran_is_refused_at_once_until_given_longer() -> None:
    text = pathological(30)
    with pytest.raises(RenderTimeout):
        render_bounded(text, timeout=0.5)
    wait_for_load((0, 0, 0))  # the stopped worker is started again aside
    pids = worker_pids()
    with pytest.raises(RenderTimeout) as error:
        render_bounded(text, timeout=0.5)
    assert str(error.value) == RenderTimeout.MESSAGE and not error.value.overran
    assert worker_pids() == pids  # no worker was used, so none was stopped
    with pytest.raises(RenderTimeout) as longer:
        render_bounded(text, timeout=0.6)
    assert longer.value.overran  # a longer timeout is a new try


def test_large_ordinary_pages_render_side_by_side() -> None:
    pages = [f"## Part {n}\n\n" + "Some *text* with [[Links]] here. " * 400 for n in range(6)]
    assert all(len(page) > renderer.LARGE_TEXT for page in pages)
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(render_bounded, pages, [10.0] * 6))
    assert results == [render_markdown(page) for page in pages]


def test_with_a_queue_bound_a_large_text_waits_its_turn_instead_of_being_refused() -> None:
    renderer.configure(workers=2, wait=30.0)
    try:
        page = PAGE * (LARGE_TEXT // len(PAGE) + 1)  # large: it may not take the last worker
        with ThreadPoolExecutor(max_workers=1) as pool:
            holder = pool.submit(render_bounded, pathological(41), 1.5)
            wait_for_load((1, 1, 0))
            # Before: refused as busy after its own 0.5 s; now it renders once its turn comes.
            assert render_bounded(page, timeout=0.5).html == render_markdown(page).html
            with pytest.raises(RenderTimeout):
                holder.result(timeout=60)
    finally:
        renderer.configure(workers=2)
    wait_for_load((0, 0, 0))
