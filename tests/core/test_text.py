"""Small text helpers of the pure core."""

from wiki.core.text import box_digest


def test_the_box_digest_is_fnv_1a_over_utf16_units_as_the_editor_script_computes_it():
    # FNV-1a's published 32-bit values (ASCII: one UTF-16 unit per byte).
    assert box_digest("") == "811c9dc5"
    assert box_digest("a") == "e40c292c"
    assert box_digest("foobar") == "bf9cf968"
    # A text box's value ends its lines with "\n" whatever was sent.
    assert box_digest("one\r\ntwo") == box_digest("one\ntwo")
    # Beyond the BMP a character is two units, as the script's charCodeAt sees it.
    assert box_digest("🎉") != box_digest("🎊")
    assert len(box_digest("caffè 東京 🎉")) == 8
