"""The experiment folder as a format: the floor under the search and the store.

Its modules know nothing of `automl.search`, `automl.store`, export or TensorFlow, so
anything can read a folder quickly:

- `layout`: every file and folder name of an experiment, and where trial weights lie;
- `files`: claiming a folder for a new search and writing its files atomically;
- `lock`: the search lock and whether a search is alive, running or interrupted;
- `events`: the event schema (frozen dataclasses) and the log a search appends to;
- `reader`: the one reader of events, tolerant of a cut or corrupt line;
- `fold`: the one fold of events into `TrialRecord`s, and the time a search used;
- `listener`: a search listener that also hears when the folder is opened and closed.
"""
