"""The Results page's parts: the leaderboard, curves, evaluation views and their words."""
