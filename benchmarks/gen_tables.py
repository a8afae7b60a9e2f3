"""Seeded generated tables: interactions with missing values, an imbalanced binary set, a
regression, and a small table whose classes follow a linear rule; written as CSV by
`generators.write_set`.

Example:
    >>> frame = make_table_mixed(200, noise=0.5, seed=0)
    >>> frame.shape, sorted(frame["band"].unique())
    ((200, 10), ['high', 'low', 'mid'])
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def make_table_mixed(rows: int, noise: float, seed: int) -> pd.DataFrame:
    """Returns a numeric + categorical table whose 3-class target `band` needs interactions.

    The hidden score is `1.5 * skill * effort` (an interaction no linear model sees) plus a
    per-`region` offset, plus `(age - 50) / 15` only for the `pro` plan (a categorical x
    numeric interaction), plus a smooth bump in `log(income)`, plus Gaussian noise of spread
    `noise`. `band` cuts the score at its terciles. Three columns are pure distractors, and
    3% of `age` and of `region` are missing.
    """
    rng = np.random.default_rng(seed)
    age = rng.uniform(18, 80, rows)
    income = rng.lognormal(10.5, 0.5, rows)
    skill, effort = rng.normal(size=rows), rng.normal(size=rows)
    regions = np.array(["north", "south", "east", "west", "centre"])
    region = regions[rng.integers(0, len(regions), rows)]
    plan = np.array(["basic", "plus", "pro"])[rng.integers(0, 3, rows)]
    offset = dict(zip(regions, (-0.8, 0.6, 0.0, 0.9, -0.5), strict=True))
    score = (
        1.5 * skill * effort
        + np.array([offset[r] for r in region])
        + np.where(plan == "pro", (age - 50) / 15, 0.0)
        + np.sin(2.5 * (np.log(income) - 10.5))
        + noise * rng.normal(size=rows)
    )
    band = np.array(["low", "mid", "high"])[np.digitize(score, np.quantile(score, [1 / 3, 2 / 3]))]
    frame = pd.DataFrame(
        {
            "age": age.round(1),
            "income": income.round(0),
            "skill": skill.round(3),
            "effort": effort.round(3),
            "region": region,
            "plan": plan,
            "noise_a": rng.normal(size=rows).round(3),
            "noise_b": rng.uniform(size=rows).round(3),
            "noise_c": np.array(["x", "y", "z", "w"])[rng.integers(0, 4, rows)],
            "band": band,
        }
    )
    frame["region"] = frame["region"].astype(object)  # a missing value must stay a blank cell
    frame.loc[rng.random(rows) < 0.03, "age"] = np.nan
    frame.loc[rng.random(rows) < 0.03, "region"] = None
    return frame


def make_table_imbalanced(rows: int, positive_share: float, seed: int) -> pd.DataFrame:
    """Returns a binary table where about `positive_share` of the rows are `fraud = yes`.

    A row is positive when a hidden risk (a large `amount` at night, a `channel` with a
    high base rate, and `attempts x velocity`) is above the quantile that leaves
    `positive_share` above it; 3% of labels are then flipped, as real labels are noisy.
    """
    rng = np.random.default_rng(seed)
    amount = rng.lognormal(4.0, 1.0, rows)
    hour = rng.integers(0, 24, rows)
    attempts = rng.poisson(1.5, rows)
    velocity = rng.gamma(2.0, 1.0, rows)
    channels = np.array(["web", "app", "phone", "store"])
    channel = channels[rng.choice(4, rows, p=[0.4, 0.3, 0.2, 0.1])]
    base = dict(zip(channels, (0.5, 0.2, 1.2, -0.6), strict=True))
    night = (hour < 6) | (hour >= 23)
    risk = (
        np.where(night, 1.2, 0.0) * (np.log(amount) - 3.0)
        + np.array([base[c] for c in channel])
        + 0.35 * attempts * velocity
        + 0.4 * rng.normal(size=rows)
    )
    positive = risk > np.quantile(risk, 1 - positive_share)
    flip = rng.random(rows) < 0.03 * positive_share / 0.5  # flips keep the share about right
    positive = positive ^ flip
    return pd.DataFrame(
        {
            "amount": amount.round(2),
            "hour": hour,
            "attempts": attempts,
            "velocity": velocity.round(3),
            "channel": channel,
            "account_age_days": rng.integers(1, 3000, rows),
            "fraud": np.where(positive, "yes", "no"),
        }
    )


def make_table_regression(rows: int, noise: float, seed: int) -> pd.DataFrame:
    """Returns a regression table: `price` is a smooth non-linear function plus noise.

    `price = 20 + 6 sin(size / 30) + 0.02 (rooms - 4)^3 + effect[district] * quality
    + noise * N(0, 1)`, so the district changes the slope of quality, not just a level.
    """
    rng = np.random.default_rng(seed)
    size = rng.uniform(20, 200, rows)
    rooms = rng.integers(1, 9, rows)
    quality = rng.uniform(0, 10, rows)
    districts = np.array(["old town", "harbour", "hills", "suburb"])
    district = districts[rng.integers(0, 4, rows)]
    slope = dict(zip(districts, (1.5, 0.8, 1.1, 0.3), strict=True))
    price = (
        20
        + 6 * np.sin(size / 30)
        + 0.02 * (rooms - 4) ** 3
        + np.array([slope[d] for d in district]) * quality
        + noise * rng.normal(size=rows)
    )
    return pd.DataFrame(
        {
            "size_m2": size.round(1),
            "rooms": rooms,
            "quality": quality.round(2),
            "district": district,
            "distractor": rng.normal(size=rows).round(3),
            "price": price.round(3),
        }
    )


def make_table_linear(rows: int, noise: float, seed: int) -> pd.DataFrame:
    """Returns a numeric table whose 3-class target `grade` follows a linear rule only.

    Each class has a fixed weight vector over the five informative columns (`x1`..`x5`,
    standard normal); a row's class is the one with the highest weighted sum plus Gaussian
    noise of spread `noise` (a multinomial-logit shape, so a logistic model is the right
    one). Two more columns are pure distractors. No interactions, no missing values:
    the set on which a linear model is hard to beat. Classes are about balanced.

    Example:
        >>> frame = make_table_linear(150, noise=0.5, seed=0)
        >>> frame.shape, sorted(frame["grade"].unique())
        ((150, 8), ['A', 'B', 'C'])
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 5))
    weights = np.array(
        [[1.2, -0.8, 0.0, 0.6, 0.0], [-0.6, 0.9, 0.8, 0.0, -0.5], [-0.6, -0.1, -0.8, -0.6, 0.5]]
    )
    scores = x @ weights.T + noise * rng.normal(size=(rows, 3))
    grade = np.array(["A", "B", "C"])[scores.argmax(axis=1)]
    frame = pd.DataFrame({f"x{i + 1}": x[:, i].round(3) for i in range(5)})
    frame["distractor_a"] = rng.normal(size=rows).round(3)
    frame["distractor_b"] = rng.uniform(size=rows).round(3)
    frame["grade"] = grade
    return frame
