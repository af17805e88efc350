from __future__ import annotations

from knowledge.text import fold, normalise_query


def test_sms_and_scots_spellings_are_respelt() -> None:
    assert normalise_query("hw cn u get ema") == "how can you get ema"
    assert normalise_query("a cannae afford uni") == "a cant afford university"
    # Shorthands MiniLM has never seen read as noise, and noise read as risk (answers dev).
    assert normalise_query("wher do i find apprentiships") == "where do i find apprenticeships"
    assert normalise_query("wen can i leave skl") == "when can i leave school"
    assert normalise_query("a job in HR, 20 hrs a wk") == "a job in hr , 20 hours a week"


def test_stretched_letters_shrink_to_two_and_case_folds() -> None:
    assert normalise_query("SOOOO GOOOOD") == "soo good"


def test_fold_drops_control_characters_and_accents() -> None:
    assert fold("Caf\u00e9\x00\u200b  OK") == "cafe ok"
