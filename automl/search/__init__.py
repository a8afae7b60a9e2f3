"""Keras Tuner searches under real budgets, reported as a stream of events."""
