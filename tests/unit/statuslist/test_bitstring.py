import base64
import gzip

import pytest

from issuer.statuslist import bitstring
from tests.helpers import VECTORS, load_json


def test_published_1edtech_list_decodes_with_only_index_23_set():
    encoded = load_json(VECTORS / "status" / "testlist")["credentialSubject"]["encodedList"]
    bits = bitstring.decode_list(encoded)
    assert len(bits) * 8 == bitstring.MIN_LIST_LENGTH
    assert [i for i in range(len(bits) * 8) if bitstring.get_bit(bits, i)] == [23]


def test_index_zero_is_the_left_most_bit():
    bits = bitstring.new_bitstring()
    bitstring.set_bit(bits, 0, True)
    assert bits[0] == 0x80
    bitstring.set_bit(bits, 9, True)
    assert bits[1] == 0x40
    bitstring.set_bit(bits, 0, False)
    assert bits[0] == 0


def test_encoding_is_multibase_base64url_gzip_and_round_trips():
    bits = bitstring.new_bitstring()
    for index in (0, 23, 131_071):
        bitstring.set_bit(bits, index, True)
    encoded = bitstring.encode_list(bits)
    assert encoded.startswith("uH4sI")  # 'u' + base64url of the gzip magic bytes
    assert "=" not in encoded and "+" not in encoded and "/" not in encoded
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert raw == bytes(bits)
    assert bitstring.decode_list(encoded) == bytes(bits)
    assert bitstring.encode_list(bits) == encoded  # reproducible (gzip mtime 0)


def test_lists_are_at_least_16_kib():
    assert len(bitstring.new_bitstring()) == 16 * 1024
    with pytest.raises(ValueError):
        bitstring.new_bitstring(1024)


@pytest.mark.parametrize("encoded", ["", "u", "u!!!!", "uAAAA", None])
def test_malformed_lists_are_refused(encoded):
    with pytest.raises(bitstring.StatusListError):
        bitstring.decode_list(encoded)


def test_a_zip_bomb_is_refused():
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(b"\0" * (17 * 1024 * 1024))).decode().rstrip("=")
    with pytest.raises(bitstring.StatusListError, match="16 MiB"):
        bitstring.decode_list(bomb)


def test_index_outside_the_list_is_an_error():
    with pytest.raises(bitstring.StatusListError, match="outside"):
        bitstring.get_bit(bytes(16384), 131_072)


def test_status_entry_uses_a_base10_string_index():
    entry = bitstring.status_entry(list_url="https://b.example/status/1", index=42, purpose="suspension")
    assert entry == {
        "id": "https://b.example/status/1#42", "type": "BitstringStatusListEntry",
        "statusPurpose": "suspension", "statusListIndex": "42",
        "statusListCredential": "https://b.example/status/1",
    }
