"""Model families as Keras Tuner HyperModels, and the proposals that rank them.

This package is handed plain descriptions (columns, kinds, statistics, task) and never
imports the engine (`automl`). `architectures.proposals` loads without TensorFlow; the
HyperModel modules import Keras and load lazily.
"""
