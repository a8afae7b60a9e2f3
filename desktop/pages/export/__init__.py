"""The Export page's parts: the engine commands it runs and the files it reads and names."""
