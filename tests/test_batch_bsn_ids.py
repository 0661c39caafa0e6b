"""`kader batch` refuses a case whose id looks like a BSN (E946); the batch checks only ids with nine or more digits
in full, and must say what engine.register.privacy.looks_like_bsn says for every id."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.register.privacy import looks_like_bsn
from engine.tools.batch import _looks_like_bsn

from .conftest import examples

# 111222333 passes the elfproef (9*1+8*1+7*1+6*2+5*2+4*2+3*3+2*3-1*3 = 66 = 6*11), 123456789 does not.
IDS = ["p1", "hv2", "pop-1-000001", "111222333", "dossier 111222333", "111.22.2333", "111 22 23 33", "1112-22333",
       "11122233", "123456789", "x111222333y", "١١١٢٢٢٣٣٣", "", "a" * 50, "1-1-1-1-1-1-1-1-1"]


def test_the_batch_check_of_an_id_says_what_the_privacy_check_says():
    for value in IDS:
        assert _looks_like_bsn(value) == looks_like_bsn(value), value
    assert _looks_like_bsn("dossier 111222333") and _looks_like_bsn("111 22 23 33")
    assert not _looks_like_bsn("pop-1-000001") and not _looks_like_bsn("123456789")


@settings(max_examples=examples(300))
@given(st.text(alphabet="0123456789 .-/_abc\u2010\u00a0", max_size=24))
def test_any_id_of_digits_and_separators_is_judged_as_the_privacy_check_judges_it(value):
    assert _looks_like_bsn(value) == looks_like_bsn(value)


