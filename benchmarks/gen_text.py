"""Seeded generated product reviews with negations, mixed verdicts, typos and label noise,
written as a CSV with a free-text `review` column by `generators.write_set`."""

from __future__ import annotations

import numpy as np
import pandas as pd

_PRODUCTS = (
    "blender", "kettle", "backpack", "desk lamp", "phone case", "tent", "coffee grinder",
    "keyboard", "rain jacket", "toaster", "speaker", "water bottle", "office chair", "drill",
)  # fmt: skip
_ASPECTS = (
    "battery", "handle", "price", "delivery", "build quality", "design", "sound", "lid",
    "strap", "packaging", "manual", "colour",
)  # fmt: skip
_POSITIVE = (
    "great", "excellent", "sturdy", "reliable", "lovely", "fantastic", "solid", "impressive",
    "comfortable", "perfect", "superb", "handy",
)  # fmt: skip
_NEGATIVE = (
    "terrible", "flimsy", "awful", "useless", "disappointing", "broken", "cheap", "noisy",
    "poor", "faulty", "annoying", "horrible",
)  # fmt: skip
_FILLER = (
    "I bought it last month.", "It arrived on a Tuesday.", "My sister has the same one.",
    "I use it most mornings.", "It came in a brown box.", "I compared a few before buying.",
    "The shop was busy that day.", "I read the reviews first.", "It is the second one I own.",
)  # fmt: skip


def make_reviews(count: int, difficulty: str, seed: int) -> pd.DataFrame:
    """Returns templated product reviews with a `sentiment` label ("positive"/"negative").

    Each review mixes filler sentences with opinion sentences built from sentiment words.
    Negations flip a word ("not sturdy" is negative, "never disappointing" positive), and a
    "but overall" sentence outweighs the aspects before it, so word counts alone are not
    enough. "hard" uses more negations, more mixed reviews, fewer opinion words, typos
    (swapped letters) and 6% flipped labels ("easy": 2%). Classes are about balanced.
    """
    if difficulty not in ("easy", "hard"):
        raise ValueError(f"difficulty must be 'easy' or 'hard', not {difficulty!r}")
    hard = difficulty == "hard"
    rng = np.random.default_rng(seed)
    negate_p, mixed_p, typo_p, flip_p = (0.45, 0.5, 0.04, 0.06) if hard else (0.2, 0.2, 0.0, 0.02)

    def pick(words: tuple[str, ...]) -> str:
        return str(words[rng.integers(len(words))])

    def judgement(positive: bool) -> str:
        negated = rng.random() < negate_p
        word = pick(_POSITIVE if positive != negated else _NEGATIVE)
        return (pick(("not", "never", "hardly", "far from")) + " " if negated else "") + word

    def opinion(positive: bool) -> str:
        form = rng.integers(3)
        if form == 0:
            return f"The {pick(_ASPECTS)} is {judgement(positive)}."
        if form == 1:
            return f"It feels {judgement(positive)}."
        return f"Honestly {judgement(positive)}."

    texts, labels = [], []
    for _ in range(count):
        positive = bool(rng.random() < 0.5)
        sentences = [f"This {pick(_PRODUCTS)}:"]
        sentences += [pick(_FILLER) for _ in range(rng.integers(0, 3))]
        if rng.random() < mixed_p:
            # Complaints (or praise) about details, then the verdict that counts.
            sentences += [opinion(not positive) for _ in range(rng.integers(1, 3))]
            verdict = "it is" if rng.random() < 0.5 else "I find it"
            sentences.append(f"But overall {verdict} {judgement(positive)}.")
        else:
            sentences += [opinion(positive) for _ in range(rng.integers(1, 3 if hard else 4))]
        if rng.random() < 0.5:
            sentences.append("I would recommend it." if positive else "I would not buy it again.")
        text = " ".join(sentences)
        if typo_p:
            text = _typos(text, typo_p, rng)
        texts.append(text)
        labels.append(positive != bool(rng.random() < flip_p))
    return pd.DataFrame({"review": texts, "sentiment": np.where(labels, "positive", "negative")})


def _typos(text: str, share: float, rng: np.random.Generator) -> str:
    """Returns `text` with about `share` of its words given two swapped letters."""
    words = text.split(" ")
    for i, word in enumerate(words):
        if len(word) > 3 and rng.random() < share:
            j = int(rng.integers(0, len(word) - 2))
            words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    return " ".join(words)
