"""AutoML Studio's desktop app: a PySide6 client of the `automl` engine.

The window never imports TensorFlow, Keras or `architectures`: searches, exports and
predictions run in child processes (`python -m automl ...`) whose JSON event stream the
pages follow. Heavy pandas work runs on a worker thread.
"""
