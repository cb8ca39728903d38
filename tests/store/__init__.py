"""The case store's tests (workbench.store), one file per part of the store."""
