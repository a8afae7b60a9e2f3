"""One preview widget per kind of data, keyed by the engine's kind names (`automl.modalities`).

Each module here is named after an engine kind and defines `PREVIEW`, the widget class
the Data page shows for that kind; `registry.preview_class` finds it, and a kind without
one gets `base.PlainPreview`.
"""
