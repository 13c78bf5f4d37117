"""Odd input, for the generated batteries of tests/core/test_odd_input_*.py: text a client may
send that a well-behaved one never does, and JSON values of every wrong type."""

# Text that cannot be stored (PostgreSQL refuses NUL; a lone surrogate is not encodable), and
# text far over any field's limit.
ODD_TEXT = {
    "nul": "a\x00b",
    "lone_surrogate": "a\ud800b",
    "low_surrogate": "\udc00",
    "100kb": "x" * 100_000,
}

# Every JSON value of the wrong kind, for any field: odd text, a string under the sockets' frame
# limit (16 KiB) yet over every field's, numbers (an id too large for the database, a negative,
# a fraction), and the other types.
ODD_JSON = {
    **ODD_TEXT,
    "12kb": "x" * 12_000,
    "number": 12345,
    "negative": -1,
    "fraction": 1.5,
    "huge_int": 2**64 - 1,
    "list": [1, "a", None],
    "object": {"a": 1},
    "null": None,
    "true": True,
    "nested_nul": {"k\x00": ["v\x00"]},
}
