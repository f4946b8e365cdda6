"""The SQLite wiki's shared generation file (wiki/board.py): one counter for every process."""

import multiprocessing
import struct

from wiki.board import SLOTS, FileBoard, board_path, slot_value


def _bump_many(path, times: int) -> None:
    board = FileBoard(path)
    for _ in range(times):
        board.bump()


def test_a_bump_in_one_mapping_is_read_in_another(tmp_path):
    path = tmp_path / "wiki.sqlite-generation"
    first, second = FileBoard(path), FileBoard(path)
    assert first.read() == second.read() == 0
    assert first.bump() == 1
    assert second.read() == 1


def test_bumps_from_several_processes_at_once_are_all_counted(tmp_path):
    path = tmp_path / "wiki.sqlite-generation"
    FileBoard(path)
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_bump_many, args=(path, 300)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert FileBoard(path).read() == 1200


def test_a_value_left_half_written_is_replaced_by_a_newer_whole_one(tmp_path):
    path = tmp_path / "wiki.sqlite-generation"
    FileBoard(path).bump()
    with open(path, "r+b") as file:  # a writer killed between the counter and its check
        file.write(struct.pack("<Q", 7))
    value = FileBoard(path).read()
    assert value > 7
    assert FileBoard(path).read() == value


def test_only_sqlite_files_have_a_board(tmp_path):
    assert board_path(f"sqlite:///{tmp_path / 'wiki.sqlite'}") == tmp_path / (
        "wiki.sqlite-generation"
    )
    assert board_path("sqlite://") is None
    assert board_path("sqlite:///:memory:") is None
    assert board_path("postgresql+psycopg://postgres@127.0.0.1:5432/test") is None


def test_a_file_from_before_the_scopes_keeps_its_generation_and_gains_the_rest(tmp_path):
    path = tmp_path / "wiki.sqlite-generation"
    path.write_bytes(struct.pack("<QQ", 41, 41 ^ ((1 << 64) - 1)))  # one counter, as before
    board = FileBoard(path)
    assert board.read() == 41
    assert board.read(1) == 0 and board.read(SLOTS - 1) == 0


def test_each_slot_counts_on_its_own(tmp_path):
    path = tmp_path / "wiki.sqlite-generation"
    first, second = FileBoard(path), FileBoard(path)
    first.bump(0, 7)
    assert (second.read(0), second.read(1), second.read(7), second.read(8)) == (1, 0, 1, 0)
    first.bump()  # anything changed: the content and the base
    assert (second.read(0), second.read(1), second.read(7)) == (2, 1, 1)
    assert slot_value(second.snapshot(), 7) == 1
