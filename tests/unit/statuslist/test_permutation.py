"""The keyed permutation that spreads a status list's indexes at random, without reuse."""

import pytest

from issuer.statuslist.permutation import KEY_BYTES, index_at

KEY = bytes(range(KEY_BYTES))


@pytest.mark.parametrize("size", [2, 3, 8, 17, 100, 1000, 4096])
def test_every_position_gets_a_different_index_of_the_range(size):
    indexes = [index_at(KEY, position, size) for position in range(size)]
    assert sorted(indexes) == list(range(size))


def test_a_full_production_list_is_a_permutation():
    size = 131_072
    indexes = [index_at(KEY, position, size) for position in range(size)]
    assert len(set(indexes)) == size and min(indexes) == 0 and max(indexes) == size - 1


def test_order_does_not_leak_issue_order():
    size = 131_072
    first = [index_at(KEY, position, size) for position in range(1000)]
    assert first != sorted(first)
    ascending = sum(1 for a, b in zip(first, first[1:], strict=False) if b > a)
    assert 400 < ascending < 600  # about half the neighbours go up, as for random values
    assert 0.4 * size < sum(first) / len(first) < 0.6 * size  # spread over the whole list


def test_the_key_chooses_the_permutation_and_it_is_deterministic():
    other = bytes(reversed(KEY))
    ours = [index_at(KEY, position, 4096) for position in range(64)]
    assert ours == [index_at(KEY, position, 4096) for position in range(64)]
    assert ours != [index_at(other, position, 4096) for position in range(64)]


@pytest.mark.parametrize(("key", "position", "size", "message"), [
    (b"short", 0, 8, "32 bytes"),
    (KEY, 8, 8, "outside"),
    (KEY, -1, 8, "outside"),
    (KEY, 0, 1, "at least 2"),
])
def test_bad_arguments(key, position, size, message):
    with pytest.raises(ValueError, match=message):
        index_at(key, position, size)
