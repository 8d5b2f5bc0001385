"""Client frames every socket must survive (pure: no socket here; through uvicorn see
apps/analytics/tests/test_replay_live.py)."""

from __future__ import annotations

import math

import pytest

from apps.realtime.protocol import (
    MAX_MESSAGE_CHARS,
    MessageInvalid,
    int_in,
    number_in,
    parse_client_message,
)


def refusal(text: str | None, data: bytes | None = None) -> str:
    with pytest.raises(MessageInvalid) as error:
        parse_client_message(text, data)
    return str(error.value)


def test_an_object_in_a_text_frame_is_a_message():
    assert parse_client_message('{"action": "pause", "n": 3}', None) == {"action": "pause", "n": 3}


def test_binary_oversized_and_non_object_frames_are_refused_in_words():
    assert refusal(None, b"\x00").startswith("binary frames are not accepted")
    assert refusal("x" * (MAX_MESSAGE_CHARS + 1)) == "message too large: at most 4096 characters"
    for text in ("", "nope", "[1]", '"pause"', "3", "null", "{"):
        assert refusal(text) == "messages must be JSON objects"
    assert refusal('{"a": ' + "[" * 2000 + "]" * 2000 + "}") == "message nested too deeply"


def test_huge_integers_become_infinite_and_fail_every_range_check():
    message = parse_client_message('{"a": ' + "9" * 310 + ', "b": -' + "9" * 3000 + "}", None)
    assert message == {"a": math.inf, "b": -math.inf}
    assert parse_client_message('{"a": 123456789012345}', None) == {"a": 123456789012345}
    with pytest.raises(MessageInvalid, match=r"^a must be in \[1, 1000\]$"):
        number_in(message["a"], "a", 1, 1000)
    nan = parse_client_message('{"a": NaN}', None)["a"]
    with pytest.raises(MessageInvalid, match="must be a number"):
        number_in(nan, "a", 1, 1000)


def test_numbers_are_checked_for_type_range_and_wholeness():
    assert number_in(2.5, "x", 0, 10) == 2.5
    assert int_in(3.0, "n", 1, 5) == 3
    for bad in (True, "3", None, [3], {"n": 3}):
        with pytest.raises(MessageInvalid, match=r"^n must be a number in \[1, 5\]$"):
            int_in(bad, "n", 1, 5)
    with pytest.raises(MessageInvalid, match=r"^n must be a whole number in \[1, 5\]$"):
        int_in(2.5, "n", 1, 5)
    with pytest.raises(MessageInvalid, match=r"^n must be in \[1, 5\]$"):
        int_in(6, "n", 1, 5)
