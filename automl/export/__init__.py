"""Exporting models: SavedModel, metadata, model card, parity check, predict."""
