from __future__ import annotations

import hashlib

from evaluation.answers import DATA, Item, Outcome, load, score

FROZEN = {
    "test": ("2f0e985adf9c16ad658146ae8995988ab6fb3e3c3497bd9d867e15d9438545f2", 468),
    "test2": ("cb9933d81eefda3e88ac784142c5b4ee8cae7625bb959aa933209d27414bab69", 305),
    "test3": ("7c16025ef2830504534bcffec4f1e572df75a737383a70400a9f5fb84819769b", 439),
    "test4": ("ab3999846484eee8326bd8dd748199f4058ad066df26aa04a22f989b80a1926b", 441),
    "test5": ("c2a862c782570ac9489697827ab30e0aedfa15a758ec3c3c7a48c30cb182c3d2", 436),
    "test6": ("1e1ec2f5c0e616a37e7d966d868b461dfb294b1f7899c69b117f1a441199bf5f", 428),
    "test7": ("1f642a6a8147383b5f82f06ae44ffa999a7dffdc027fc656abe13e7726db2513", 415),
    "test8": ("4e812431569fc57152326be111c07eb9aa6af7361f754ae10fab105a765a0033", 390),
    "test9": ("d2606f9136fee8e1e15da44420b64b441e9155c8638fe578f50c471fac485908", 388),
}


def test_the_frozen_test_sets_are_unchanged() -> None:
    for name, (sha256, lines) in FROZEN.items():
        digest = hashlib.sha256((DATA / f"{name}.jsonl").read_bytes()).hexdigest()
        assert digest == sha256, name  # frozen: measured, never edited or tuned on
        assert len(load(name)) == lines


def item(facts: list[str], turns: list[str] | None = None, kind: str = "single") -> Item:
    return Item(
        id="x",
        kind=kind,
        style="standard",
        channel="web",
        turns=turns or ["how much is the allowance"],
        facts=facts,
        topic=["allowance"],
    )


def test_a_fact_the_question_already_holds_proves_nothing() -> None:
    asked = item(["bursary", "£30"], ["is there a bursary for college"])
    assert not Outcome(asked, "Yes, there is a bursary.", ["Bursaries"], True).fact
    assert Outcome(asked, "The bursary is £30 a week.", ["Bursaries"], True).fact
    only_echo = item(["bursary"], ["is there a bursary for college"])
    assert Outcome(only_echo, "A bursary helps.", [], True).fact


def test_numbers_match_only_whole() -> None:
    asked = item(["18"])
    assert not Outcome(asked, "Updated in 2018, at 180 days.", [], True).fact
    assert Outcome(asked, "You must be 18.", [], True).fact


def test_scores_count_wrong_topics_and_honest_no_answers() -> None:
    outcomes = [
        Outcome(item(["£30"]), "The allowance is £30.", ["Allowance"], True),
        Outcome(item(["£30"]), "Plumbers fix pipes.", ["Plumber"], True),
        Outcome(item([]), "I don't have vetted information.", [], False),
        Outcome(item([], kind="unanswerable"), "No idea, sorry.", [], False),
    ]
    report = score(outcomes)
    assert report["fact_in_reply"] == round(1 / 3, 3)
    assert report["wrong_topic"] == round(1 / 3, 3)
    assert report["dont_know_answerable"] == round(1 / 3, 3)
    assert report["unanswerable_no_sourced_answer"] == 1.0
