"""The headless commands (`workbench ...`) on both backends."""
