"""The deterministic follow-up rewrite of extractive mode, without models."""

from __future__ import annotations

import pytest

from rag.condense import needs_context, rewrite_followup, subject_of
from rag.core.models import ChatTurn


def user(text: str) -> ChatTurn:
    return ChatTurn(role="user", content=text)


def assistant(text: str) -> ChatTurn:
    return ChatTurn(role="assistant", content=text)


@pytest.mark.parametrize(
    "question",
    [
        "When was it set up?",  # pronoun
        "And what about transparency obligations for providers?",  # leading connective
        "Penalties?",  # too short to stand alone
        "What do those require from deployers of such systems?",
        "which one is supposed to run through all the others?",  # "which one" points back too
        "what's the difference between the current and target ones?",  # "ones": the profiles asked about
        "is the new one binding on companies?",
    ],
)
def test_follow_ups_need_context(question: str) -> None:
    assert needs_context(question)


def test_a_self_contained_question_does_not() -> None:
    assert not needs_context("Which practices does Article 5 of the EU AI Act prohibit?")
    assert not needs_context("Is one of the systems in Annex III high-risk under the EU AI Act?")


@pytest.mark.parametrize(
    ("previous", "subject"),
    [
        ("What is Japan's AI Safety Institute?", "Japan's AI Safety Institute"),
        ("When was the Hiroshima Process launched?", "Hiroshima Process launched"),
        ("And how many member countries does GPAI have?", "member countries does GPAI have"),
        ("Who signed the Bletchley Declaration?", "signed the Bletchley Declaration"),
        # A contraction is part of its question word: it left "'s a 'profile' …" as the subject.
        ("what's a 'profile' in the NIST AI risk framework?", "'profile' in the NIST AI risk framework"),
        ("Who’s in charge of the AI Office?", "in charge of the AI Office"),
        ("Is there a follow-up body under the convention?", "follow-up body under the convention"),
    ],
)
def test_subject_is_the_question_without_its_question_words(previous: str, subject: str) -> None:
    assert subject_of(previous) == subject


def test_rewrite_carries_the_previous_subject() -> None:
    history = [user("What is Japan's AI Safety Institute?"), assistant("It is an institute [1].")]
    assert rewrite_followup("And when was it set up?", history) == (
        "When was it set up? (Japan's AI Safety Institute)"
    )


def test_rewrite_uses_the_latest_user_turn() -> None:
    history = [
        user("What is Japan's AI Safety Institute?"),
        assistant("An institute [1]."),
        user("What is the Hiroshima Process?"),
        assistant("A G7 initiative [1]."),
        user("   "),  # blank turns are not questions
    ]
    assert rewrite_followup("so who leads it?", history) == "Who leads it? (Hiroshima Process)"


@pytest.mark.parametrize(
    ("question", "history"),
    [
        ("  When was it set up?  ", []),
        ("When was it set up?", [assistant("Japan's AI Safety Institute was set up in 2024 [1].")]),
        ("Which practices does Article 5 of the EU AI Act prohibit?", [user("What is GPAI?")]),
        ("When was it set up?", [user("Why?")]),  # nothing left of the previous question
    ],
)
def test_rewrite_leaves_the_question_alone(question: str, history: list[ChatTurn]) -> None:
    assert rewrite_followup(question, history) == question.strip()


@pytest.mark.parametrize(
    ("previous", "subject"),
    [
        # "a"/"an" are question words only as whole words, never the first letters of the subject.
        ("What does Article 50(2) of the AI Act require?", "Article 50(2) of the AI Act require"),
        ("What does Annex III list?", "Annex III list"),
        ("Is an AI system covered?", "AI system covered"),
        ("What are the obligations of deployers?", "obligations of deployers"),
    ],
)
def test_subject_keeps_words_that_start_like_question_words(previous: str, subject: str) -> None:
    assert subject_of(previous) == subject


def test_followup_on_an_article_keeps_the_article() -> None:
    history = [user("What does Article 50(2) of the AI Act require?"), assistant("Marking [1].")]
    assert rewrite_followup("And when does it apply from?", history) == (
        "When does it apply from? (Article 50(2) of the AI Act require)"
    )
