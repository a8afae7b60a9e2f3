"""The main window's pages: one module per step (Data, Model, Search, Results, Export)."""
